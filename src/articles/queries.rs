//! The diesel code of articles. A list page costs a fixed number of queries
//! whatever its length: the page (only the columns a summary shows), then
//! one query each for the sections, tags, authors, covers and polls of the
//! whole page (`refs`); the count only when the remembered total may have
//! changed (`db::totals`).

mod authors;
mod refs;
mod revisions;

pub use authors::{ProfileRow, find_author, list_authors, published_counts};
pub use refs::{
    Refs, author_ids, load_refs, resolve_section, resolve_tag, resolve_user, set_authors, set_tags,
    tag_ids,
};
pub use revisions::{revision, revisions, save_revision};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::model::{ArticleChanges, ArticleListRow, ArticleRow, NewArticle};
use crate::config::Backend;
use crate::db::schema::{article_authors, article_slugs, article_tags, articles};
use crate::db::search;
use crate::db::{AnyConnection, MultiBackend};
use crate::http::PageRequest;
use crate::http::pagination::KeyValue;
use crate::ids::{IdOrSlug, UserId};
use crate::review::Status;
use crate::review::queries::in_status;

type Condition = Box<dyn BoxableExpression<articles::table, MultiBackend, SqlType = Bool>>;

/// Which articles a caller may list.
#[derive(Debug, Clone)]
pub enum ArticleScope {
    /// Published and due: what the public sees.
    Public,
    /// Staff: any of these statuses.
    Statuses(Vec<Status>),
    /// The caller's own articles (created or authored), optionally of these statuses.
    Mine(i64, Option<Vec<Status>>),
}

#[derive(Debug, Clone)]
pub struct ListFilters {
    pub scope: ArticleScope,
    pub section_id: Option<i64>,
    pub tag_id: Option<i64>,
    pub author_id: Option<i64>,
    pub q: Option<String>,
    pub published_after: Option<NaiveDateTime>,
    pub published_before: Option<NaiveDateTime>,
    pub updated_after: Option<NaiveDateTime>,
    pub exclude_id: Option<i64>,
    pub now: NaiveDateTime,
}

impl ListFilters {
    pub fn public(now: NaiveDateTime) -> Self {
        Self {
            scope: ArticleScope::Public,
            section_id: None,
            tag_id: None,
            author_id: None,
            q: None,
            published_after: None,
            published_before: None,
            updated_after: None,
            exclude_id: None,
            now,
        }
    }
}

fn status_condition(status: Status, now: NaiveDateTime) -> Condition {
    in_status!(articles, status, now)
}

fn any_status(statuses: &[Status], now: NaiveDateTime) -> Condition {
    let mut iter = statuses.iter();
    let first = status_condition(*iter.next().unwrap_or(&Status::Published), now);
    iter.fold(first, |acc, s| Box::new(acc.or(status_condition(*s, now))))
}

fn filtered(backend: Backend, f: &ListFilters) -> articles::BoxedQuery<'static, MultiBackend> {
    let mut query = articles::table.into_boxed::<MultiBackend>();
    query = match &f.scope {
        ArticleScope::Public => query.filter(status_condition(Status::Published, f.now)),
        ArticleScope::Statuses(s) => query.filter(any_status(s, f.now)),
        ArticleScope::Mine(user, statuses) => {
            let authored = article_authors::table
                .filter(article_authors::user_id.eq(*user))
                .select(article_authors::article_id);
            let q = query.filter(
                articles::created_by
                    .eq(*user)
                    .or(articles::id.eq_any(authored)),
            );
            match statuses {
                Some(s) => q.filter(any_status(s, f.now)),
                None => q,
            }
        }
    };
    if let Some(id) = f.section_id {
        query = query.filter(articles::section_id.eq(id));
    }
    if let Some(tag) = f.tag_id {
        query = query.filter(
            articles::id.eq_any(
                article_tags::table
                    .filter(article_tags::tag_id.eq(tag))
                    .select(article_tags::article_id),
            ),
        );
    }
    if let Some(author) = f.author_id {
        query = query.filter(
            articles::id.eq_any(
                article_authors::table
                    .filter(article_authors::user_id.eq(author))
                    .select(article_authors::article_id),
            ),
        );
    }
    if let Some(after) = f.published_after {
        query = query.filter(articles::published_at.ge(after));
    }
    if let Some(before) = f.published_before {
        query = query.filter(articles::published_at.lt(before));
    }
    if let Some(after) = f.updated_after {
        // a scheduled article made public after `after` changed for the
        // public then, though its row did not
        query = query.filter(
            articles::updated_at
                .gt(after)
                .or(articles::published_at.assume_not_null().gt(after)),
        );
    }
    if let Some(id) = f.exclude_id {
        query = query.filter(articles::id.ne(id));
    }
    if let Some(q) = &f.q {
        query = query.filter(search::matches::<articles::table>(backend, "articles", q));
    }
    query
}

impl ListFilters {
    /// Names the filters, not the time: the key of the list's total.
    pub fn total_key(&self) -> String {
        format!(
            "articles|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            self.scope,
            self.section_id,
            self.tag_id,
            self.author_id,
            self.q,
            self.published_after,
            self.published_before,
            self.updated_after,
            self.exclude_id,
        )
    }
}

/// How many articles match, and when that may change without a write (the
/// next scheduled publication: the count of published articles changes then).
pub fn count(
    conn: &mut AnyConnection,
    f: &ListFilters,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let backend = conn.backend();
    let total = filtered(backend, f).count().get_result(conn)?;
    let next: Option<NaiveDateTime> = articles::table
        .filter(articles::status.eq(Status::Published.stored()))
        .filter(articles::published_at.gt(f.now))
        .select(diesel::dsl::min(articles::published_at))
        .first(conn)?;
    Ok((total, next))
}

/// The summary's columns (by position: `ArticleListRow` is `Queryable`).
fn list_selection() -> <ArticleListRow as Selectable<MultiBackend>>::SelectExpression {
    <ArticleListRow as Selectable<MultiBackend>>::construct_selection()
}

/// Loads the summaries of `ids`, in that order.
fn by_ids(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<ArticleListRow>> {
    let rows = articles::table
        .filter(articles::id.eq_any(ids))
        .select(list_selection())
        .load::<ArticleListRow>(conn)?;
    Ok(search::in_order(rows, ids, |r| r.id))
}

/// One page of articles (up to `paged.fetch()` summaries; the total is
/// [`count`]'s). Only the columns a summary shows are read.
pub fn list(
    conn: &mut AnyConnection,
    f: &ListFilters,
    paged: &PageRequest,
    explicit_sort: bool,
) -> QueryResult<Vec<ArticleListRow>> {
    let backend = conn.backend();
    let ranked = f.q.is_some() && !explicit_sort;
    if ranked {
        let q = f.q.as_deref().unwrap_or_default();
        let mut newest = |c: &mut AnyConnection, offset: i64, limit: i64| {
            filtered(backend, f)
                .select(articles::id)
                .order(articles::id.desc())
                .offset(offset)
                .limit(limit)
                .load::<i64>(c)
        };
        let page = search::ranked_page(
            conn,
            "articles",
            q,
            &[10.0, 4.0, 1.0],
            &mut newest,
            paged.offset,
            paged.fetch(),
        )?;
        return by_ids(conn, &page);
    }
    let mut query = filtered(backend, f);
    if !matches!(f.scope, ArticleScope::Public) {
        // drafts have no publication date: keep them together, in the same
        // place on both backends (which sort NULLs differently)
        query = query.then_order_by(articles::published_at.is_null().desc());
    }
    for s in &paged.sort {
        query = match (s.field.as_str(), s.descending) {
            ("updated_at", false) => query.then_order_by(articles::updated_at.asc()),
            ("updated_at", true) => query.then_order_by(articles::updated_at.desc()),
            ("title", false) => query.then_order_by(articles::title.asc()),
            ("title", true) => query.then_order_by(articles::title.desc()),
            (_, false) => query.then_order_by(articles::published_at.asc()),
            (_, true) => query.then_order_by(articles::published_at.desc()),
        };
    }
    query = query.then_order_by(articles::id.desc());
    // a keyset cursor continues after the last item seen, whatever was
    // published meanwhile, and costs nothing however deep the walk
    if let Some(key) = &paged.after {
        let Some(after) = keyset(f, paged, key) else {
            return Ok(Vec::new());
        };
        return query
            .filter(after)
            .limit(paged.fetch())
            .select(list_selection())
            .load(conn);
    }
    if paged.offset == 0 {
        return query
            .limit(paged.fetch())
            .select(list_selection())
            .load(conn);
    }
    // a deep page: the ids first, skipped along the index alone, then only
    // the page's rows (the skipped rows are never read whole)
    let ids: Vec<i64> = query
        .select(articles::id)
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    by_ids(conn, &ids)
}

/// The sort key of `row` in a list: what a keyset cursor carries. Staff
/// lists put undated articles first, so whether it has a date comes first.
pub fn sort_key(row: &ArticleListRow, f: &ListFilters, paged: &PageRequest) -> Vec<KeyValue> {
    let mut key = Vec::with_capacity(paged.sort.len() + 2);
    if !matches!(f.scope, ArticleScope::Public) {
        key.push(KeyValue::Int(row.published_at.is_none() as i64));
    }
    for s in &paged.sort {
        key.push(match s.field.as_str() {
            "updated_at" => KeyValue::time(row.updated_at),
            "title" => KeyValue::Text(row.title.clone()),
            _ => KeyValue::opt_time(row.published_at),
        });
    }
    key.push(KeyValue::Int(row.id));
    key
}

/// Whether a cursor's key has the shape of this list's [`sort_key`].
pub fn key_fits(f: &ListFilters, paged: &PageRequest, key: &[KeyValue]) -> bool {
    keyset(f, paged, key).is_some()
}

fn never() -> Condition {
    Box::new(diesel::dsl::sql::<Bool>("1 = 0"))
}

/// The rows after `key` in the list's order: past the first sort value, or
/// equal to it and past the next, and so on down to the id. `None` when the
/// key does not fit the list.
fn keyset(f: &ListFilters, paged: &PageRequest, key: &[KeyValue]) -> Option<Condition> {
    use articles::{published_at, title, updated_at};
    // (equal to the key here, after the key here) for each part of the order
    let mut parts: Vec<(Condition, Condition)> = Vec::new();
    let mut values = key.iter();
    if !matches!(f.scope, ArticleScope::Public) {
        parts.push(match values.next()? {
            KeyValue::Int(1) => (
                Box::new(published_at.is_null()),
                Box::new(published_at.is_not_null()),
            ),
            KeyValue::Int(0) => (Box::new(published_at.is_not_null()), never()),
            _ => return None,
        });
    }
    for s in &paged.sort {
        let value = values.next()?;
        let desc = s.descending;
        parts.push(match (s.field.as_str(), value) {
            ("title", KeyValue::Text(t)) => (
                Box::new(title.eq(t.clone())),
                if desc {
                    Box::new(title.lt(t.clone()))
                } else {
                    Box::new(title.gt(t.clone()))
                },
            ),
            ("title", _) => return None,
            ("updated_at", v) => {
                let t = v.as_time()?;
                (
                    Box::new(updated_at.eq(t)),
                    if desc {
                        Box::new(updated_at.lt(t))
                    } else {
                        Box::new(updated_at.gt(t))
                    },
                )
            }
            // undated articles sit together (see above): none is after another
            (_, KeyValue::Null) => (Box::new(published_at.is_null()), never()),
            (_, v) => {
                let t = v.as_time()?;
                let at = published_at.assume_not_null();
                (
                    Box::new(at.eq(t)),
                    if desc {
                        Box::new(at.lt(t))
                    } else {
                        Box::new(at.gt(t))
                    },
                )
            }
        });
    }
    let KeyValue::Int(id) = values.next()? else {
        return None;
    };
    if values.next().is_some() {
        return None;
    }
    let mut after: Condition = Box::new(articles::id.lt(*id));
    for (equal, past) in parts.into_iter().rev() {
        after = Box::new(past.or(equal.and(after)));
    }
    Some(after)
}

/// What a key names: an article, or one that has since changed its slug.
pub enum Found {
    Article(Box<ArticleRow>),
    Moved { current_slug: String },
}

pub fn find(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<Option<Found>> {
    let row = match key {
        IdOrSlug::Id(id) => articles::table
            .find(*id)
            .first::<ArticleRow>(conn)
            .optional()?,
        IdOrSlug::Slug(slug) => articles::table
            .filter(articles::slug.eq(slug))
            .first::<ArticleRow>(conn)
            .optional()?,
    };
    if let Some(row) = row {
        return Ok(Some(Found::Article(Box::new(row))));
    }
    if let IdOrSlug::Slug(slug) = key {
        let moved: Option<String> = article_slugs::table
            .inner_join(articles::table)
            .filter(article_slugs::slug.eq(slug))
            .select(articles::slug)
            .first(conn)
            .optional()?;
        return Ok(moved.map(|current_slug| Found::Moved { current_slug }));
    }
    Ok(None)
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<ArticleRow> {
    articles::table.find(id).first(conn)
}

/// Its authors and its creator: who owns an article for the policy.
pub fn owners(conn: &mut AnyConnection, row: &ArticleRow) -> QueryResult<Vec<UserId>> {
    let mut ids: Vec<i64> = article_authors::table
        .filter(article_authors::article_id.eq(row.id))
        .select(article_authors::user_id)
        .load(conn)?;
    ids.extend(row.created_by);
    Ok(ids.into_iter().map(UserId).collect())
}

pub fn slug_taken(conn: &mut AnyConnection, slug: &str, except: Option<i64>) -> QueryResult<bool> {
    let holder: Option<i64> = articles::table
        .filter(articles::slug.eq(slug))
        .select(articles::id)
        .first(conn)
        .optional()?;
    Ok(holder.is_some_and(|id| Some(id) != except))
}

pub fn insert(conn: &mut AnyConnection, new: &NewArticle) -> QueryResult<ArticleRow> {
    diesel::insert_into(articles::table)
        .values(new)
        .returning(articles::all_columns)
        .get_result(conn)
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    changes: &ArticleChanges,
) -> QueryResult<ArticleRow> {
    diesel::update(articles::table.find(id))
        .set(changes)
        .returning(articles::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(articles::table.find(id)).execute(conn)
}

/// Keeps `old` as a former slug of `article`, and frees `new` if it was a
/// former slug of any article (the live address wins).
pub fn move_slug(
    conn: &mut AnyConnection,
    article: i64,
    old: &str,
    new: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(article_slugs::table.filter(article_slugs::slug.eq(new))).execute(conn)?;
    diesel::delete(article_slugs::table.filter(article_slugs::slug.eq(old))).execute(conn)?;
    diesel::insert_into(article_slugs::table)
        .values((
            article_slugs::slug.eq(old),
            article_slugs::article_id.eq(article),
            article_slugs::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn former_slug_taken(conn: &mut AnyConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        article_slugs::table.filter(article_slugs::slug.eq(slug)),
    ))
    .get_result(conn)
}
