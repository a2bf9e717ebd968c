//! The diesel code of articles. A list page costs a fixed number of queries
//! whatever its length: the count, the page, then one query each for the
//! sections, tags and authors of the whole page (`refs`).

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

use super::model::{ArticleChanges, ArticleRow, NewArticle};
use crate::config::Backend;
use crate::db::schema::{article_authors, article_slugs, article_tags, articles};
use crate::db::search;
use crate::db::{AnyConnection, MultiBackend};
use crate::http::PageRequest;
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
    if let Some(id) = f.exclude_id {
        query = query.filter(articles::id.ne(id));
    }
    if let Some(q) = &f.q {
        query = query.filter(search::matches::<articles::table>(backend, "articles", q));
    }
    query
}

/// One page of articles and the total.
pub fn list(
    conn: &mut AnyConnection,
    f: &ListFilters,
    paged: &PageRequest,
    explicit_sort: bool,
) -> QueryResult<(Vec<ArticleRow>, i64)> {
    let backend = conn.backend();
    let ranked = f.q.is_some() && !explicit_sort;
    if ranked && backend == Backend::Sqlite {
        let q = f.q.as_deref().unwrap_or_default();
        let by_rank = search::sqlite_ranked_ids(conn, "articles", q, &[10.0, 4.0, 1.0])?;
        let allowed = filtered(backend, f).select(articles::id).load(conn)?;
        let (page, total) = search::rank_page(by_rank, allowed, paged.offset, paged.fetch());
        let rows = articles::table
            .filter(articles::id.eq_any(&page))
            .load::<ArticleRow>(conn)?;
        return Ok((search::in_order(rows, &page, |r| r.id), total));
    }
    let total = filtered(backend, f).count().get_result(conn)?;
    let mut query = filtered(backend, f);
    if ranked
        && let Some(rank) = search::rank(backend, "articles", f.q.as_deref().unwrap_or_default())
    {
        query = query.then_order_by(rank);
    }
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
    // a keyset cursor continues after the last item seen, whatever was
    // published meanwhile, and costs nothing however deep the page
    let after = paged.after.filter(|_| keyset_applies(f, paged, ranked));
    let mut offset = paged.offset;
    if let Some((published_us, id)) = after {
        let t = chrono::DateTime::from_timestamp_micros(published_us)
            .map(|t| t.naive_utc())
            .unwrap_or_default();
        query = query.filter(
            articles::published_at
                .lt(t)
                .or(articles::published_at.eq(t).and(articles::id.lt(id))),
        );
        offset = 0;
    }
    let rows = query
        .then_order_by(articles::id.desc())
        .limit(paged.fetch())
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}

/// Whether a list can continue after its last item (keyset) rather than at a
/// position: the public list, newest first, not ordered by relevance.
pub fn keyset_applies(f: &ListFilters, paged: &PageRequest, ranked: bool) -> bool {
    matches!(f.scope, ArticleScope::Public)
        && !ranked
        && paged.sort.len() == 1
        && paged.sort[0].field == "published_at"
        && paged.sort[0].descending
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
