//! The diesel code of articles. A list page costs a fixed number of queries
//! whatever its length: the count, the page, then one query each for the
//! sections, tags and authors of the whole page.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::dto::{AuthorRef, SectionRef, TagRef};
use super::model::{ArticleChanges, ArticleRow, NewArticle, RevisionRow};
use crate::config::Backend;
use crate::db::schema::{
    article_authors, article_revisions, article_slugs, article_tags, articles, sections, tags,
    users,
};
use crate::db::search;
use crate::db::{AnyConnection, MultiBackend};
use crate::http::Paged;
use crate::ids::{IdOrSlug, SectionId, TagId, UserId};
use crate::workflow::Status;

type Condition = Box<dyn BoxableExpression<articles::table, MultiBackend, SqlType = Bool>>;

/// Which articles a caller may list.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Published and due: what the public sees.
    Public,
    /// Staff: any of these statuses.
    Statuses(Vec<Status>),
    /// The caller's own articles (created or authored), optionally of these statuses.
    Mine(i64, Option<Vec<Status>>),
}

#[derive(Debug, Clone)]
pub struct ListFilters {
    pub scope: Scope,
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
            scope: Scope::Public,
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
    let published = articles::status.eq("published");
    match status {
        Status::Published => Box::new(
            published
                .and(articles::published_at.is_not_null())
                .and(articles::published_at.assume_not_null().le(now)),
        ),
        Status::Scheduled => Box::new(
            published
                .and(articles::published_at.is_not_null())
                .and(articles::published_at.assume_not_null().gt(now)),
        ),
        other => Box::new(articles::status.eq(other.stored())),
    }
}

fn any_status(statuses: &[Status], now: NaiveDateTime) -> Condition {
    let mut iter = statuses.iter();
    let first = status_condition(*iter.next().unwrap_or(&Status::Published), now);
    iter.fold(first, |acc, s| Box::new(acc.or(status_condition(*s, now))))
}

fn filtered(backend: Backend, f: &ListFilters) -> articles::BoxedQuery<'static, MultiBackend> {
    let mut query = articles::table.into_boxed::<MultiBackend>();
    query = match &f.scope {
        Scope::Public => query.filter(status_condition(Status::Published, f.now)),
        Scope::Statuses(s) => query.filter(any_status(s, f.now)),
        Scope::Mine(user, statuses) => {
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
    paged: &Paged,
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
    if !matches!(f.scope, Scope::Public) {
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
    let rows = query
        .then_order_by(articles::id.desc())
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    Ok((rows, total))
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

/// Sections, tags, authors and polls of a set of articles, in four queries.
#[derive(Default)]
pub struct Refs {
    pub sections: HashMap<i64, SectionRef>,
    pub tags: HashMap<i64, Vec<TagRef>>,
    pub authors: HashMap<i64, Vec<AuthorRef>>,
    /// The poll attached to each article, if any (the first, when several).
    pub polls: HashMap<i64, i64>,
}

pub fn load_refs(conn: &mut AnyConnection, rows: &[ArticleRow]) -> QueryResult<Refs> {
    if rows.is_empty() {
        return Ok(Refs::default());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let section_ids: Vec<i64> = rows.iter().filter_map(|r| r.section_id).collect();
    let sections: Vec<(i64, String, String)> = sections::table
        .filter(sections::id.eq_any(&section_ids))
        .select((sections::id, sections::slug, sections::name))
        .load(conn)?;
    let tag_rows: Vec<(i64, i64, String, String)> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq_any(&ids))
        .order((tags::name.asc(), tags::id.asc()))
        .select((article_tags::article_id, tags::id, tags::slug, tags::name))
        .load(conn)?;
    let author_rows: Vec<(i64, ProfileRow)> = article_authors::table
        .inner_join(users::table)
        .filter(article_authors::article_id.eq_any(&ids))
        .order((article_authors::position.asc(), users::id.asc()))
        .select((article_authors::article_id, PROFILE))
        .load(conn)?;
    let mut refs = Refs::default();
    for (article, poll) in crate::polls::queries::poll_ids_for_articles(conn, &ids)? {
        refs.polls.entry(article).or_insert(poll);
    }
    for (id, slug, name) in sections {
        refs.sections.insert(
            id,
            SectionRef {
                id: SectionId(id),
                slug,
                name,
            },
        );
    }
    for (article, id, slug, name) in tag_rows {
        refs.tags.entry(article).or_default().push(TagRef {
            id: TagId(id),
            slug,
            name,
        });
    }
    for (article, p) in author_rows {
        refs.authors.entry(article).or_default().push(AuthorRef {
            id: UserId(p.id),
            slug: p.slug,
            display_name: p.display_name,
            avatar_url: p.avatar_url,
        });
    }
    Ok(refs)
}

pub fn resolve_section(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<i64>> {
    match IdOrSlug::parse(key) {
        IdOrSlug::Id(id) => sections::table
            .find(id)
            .select(sections::id)
            .first(conn)
            .optional(),
        IdOrSlug::Slug(s) => sections::table
            .filter(sections::slug.eq(s))
            .select(sections::id)
            .first(conn)
            .optional(),
    }
}

pub fn resolve_tag(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<i64>> {
    match IdOrSlug::parse(key) {
        IdOrSlug::Id(id) => tags::table.find(id).select(tags::id).first(conn).optional(),
        IdOrSlug::Slug(s) => tags::table
            .filter(tags::slug.eq(s))
            .select(tags::id)
            .first(conn)
            .optional(),
    }
}

/// An active user by id or profile slug.
pub fn resolve_user(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<i64>> {
    let base = users::table
        .filter(users::disabled.eq(false))
        .select(users::id);
    match IdOrSlug::parse(key) {
        IdOrSlug::Id(id) => base.filter(users::id.eq(id)).first(conn).optional(),
        IdOrSlug::Slug(s) => base.filter(users::slug.eq(s)).first(conn).optional(),
    }
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

pub fn tag_ids(conn: &mut AnyConnection, article: i64) -> QueryResult<Vec<i64>> {
    article_tags::table
        .filter(article_tags::article_id.eq(article))
        .order(article_tags::tag_id.asc())
        .select(article_tags::tag_id)
        .load(conn)
}

pub fn author_ids(conn: &mut AnyConnection, article: i64) -> QueryResult<Vec<i64>> {
    article_authors::table
        .filter(article_authors::article_id.eq(article))
        .order((
            article_authors::position.asc(),
            article_authors::user_id.asc(),
        ))
        .select(article_authors::user_id)
        .load(conn)
}

pub fn set_tags(conn: &mut AnyConnection, article: i64, ids: &[i64]) -> QueryResult<()> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(article)))
        .execute(conn)?;
    // one statement per row: multi-row inserts are not available across both backends
    for tag in ids {
        diesel::insert_into(article_tags::table)
            .values((
                article_tags::article_id.eq(article),
                article_tags::tag_id.eq(*tag),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn set_authors(conn: &mut AnyConnection, article: i64, ids: &[i64]) -> QueryResult<()> {
    diesel::delete(article_authors::table.filter(article_authors::article_id.eq(article)))
        .execute(conn)?;
    for (position, user) in ids.iter().enumerate() {
        diesel::insert_into(article_authors::table)
            .values((
                article_authors::article_id.eq(article),
                article_authors::user_id.eq(*user),
                article_authors::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
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

pub fn save_revision(
    conn: &mut AnyConnection,
    article: i64,
    version: i32,
    snapshot: &str,
    by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(article_revisions::table)
        .values((
            article_revisions::article_id.eq(article),
            article_revisions::version.eq(version),
            article_revisions::snapshot.eq(snapshot),
            article_revisions::created_by.eq(by),
            article_revisions::created_at.eq(now),
        ))
        .execute(conn)
}

pub fn revisions(
    conn: &mut AnyConnection,
    article: i64,
    paged: &Paged,
) -> QueryResult<(Vec<RevisionRow>, i64)> {
    let total = article_revisions::table
        .filter(article_revisions::article_id.eq(article))
        .count()
        .get_result(conn)?;
    let rows = article_revisions::table
        .filter(article_revisions::article_id.eq(article))
        .order(article_revisions::version.desc())
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    Ok((rows, total))
}

pub fn revision(conn: &mut AnyConnection, article: i64, id: i64) -> QueryResult<RevisionRow> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article))
        .filter(article_revisions::id.eq(id))
        .first(conn)
}

/// A user's public face.
#[derive(Debug, Queryable)]
pub struct ProfileRow {
    pub id: i64,
    pub slug: Option<String>,
    pub display_name: String,
    pub bio: String,
    pub avatar_url: Option<String>,
}

const PROFILE: (
    users::id,
    users::slug,
    users::display_name,
    users::bio,
    users::avatar_url,
) = (
    users::id,
    users::slug,
    users::display_name,
    users::bio,
    users::avatar_url,
);

/// Public author profiles: active staff with a profile slug.
pub fn list_authors(
    conn: &mut AnyConnection,
    paged: &Paged,
) -> QueryResult<(Vec<ProfileRow>, i64)> {
    let base = || {
        users::table
            .filter(users::role.ne("member"))
            .filter(users::disabled.eq(false))
            .filter(users::slug.is_not_null())
    };
    let total = base().count().get_result(conn)?;
    let rows = base()
        .order((users::display_name.asc(), users::id.asc()))
        .select(PROFILE)
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    Ok((rows, total))
}

pub fn find_author(conn: &mut AnyConnection, slug: &str) -> QueryResult<ProfileRow> {
    users::table
        .filter(users::role.ne("member"))
        .filter(users::disabled.eq(false))
        .filter(users::slug.eq(slug))
        .select(PROFILE)
        .first(conn)
}

/// Published article counts for a set of authors, in one query.
pub fn published_counts(
    conn: &mut AnyConnection,
    authors: &[i64],
    now: NaiveDateTime,
) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = article_authors::table
        .inner_join(articles::table)
        .filter(article_authors::user_id.eq_any(authors))
        .filter(articles::status.eq("published"))
        .filter(articles::published_at.le(now))
        .group_by(article_authors::user_id)
        .select((article_authors::user_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
