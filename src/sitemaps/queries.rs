//! The diesel code of sitemaps: per kind of page, how many are public and a
//! page of them in a stable order (by id); the articles of the news window;
//! the next time any of it changes by the clock alone.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::{max, min};
use diesel::prelude::*;

use super::model::{Entry, Kind, NewsEntry, Tally};
use crate::db::AnyConnection;
use crate::db::MultiBackend;
use crate::db::schema::{articles, events, jobs, sections, tags, users};
use crate::review::queries::in_status;

fn public_articles(now: NaiveDateTime) -> articles::BoxedQuery<'static, MultiBackend> {
    articles::table
        .into_boxed()
        .filter(in_status!(articles, Status::Published, now))
}

fn public_jobs(now: NaiveDateTime) -> jobs::BoxedQuery<'static, MultiBackend> {
    jobs::table
        .into_boxed()
        .filter(in_status!(jobs, Status::Published, now))
        .filter(jobs::expires_at.is_null().or(jobs::expires_at.gt(now)))
}

fn public_events(now: NaiveDateTime) -> events::BoxedQuery<'static, MultiBackend> {
    events::table
        .into_boxed()
        .filter(in_status!(events, Status::Published, now))
}

fn public_authors() -> users::BoxedQuery<'static, MultiBackend> {
    users::table
        .into_boxed()
        .filter(users::role.ne("member"))
        .filter(users::disabled.eq(false))
        .filter(users::slug.is_not_null())
}

pub fn tally(conn: &mut AnyConnection, kind: Kind, now: NaiveDateTime) -> QueryResult<Tally> {
    let (count, lastmod) = match kind {
        Kind::Articles => (
            public_articles(now).count().get_result(conn)?,
            public_articles(now)
                .select(max(articles::updated_at))
                .first(conn)?,
        ),
        Kind::Sections => (
            sections::table.count().get_result(conn)?,
            sections::table
                .select(max(sections::updated_at))
                .first(conn)?,
        ),
        Kind::Tags => (
            tags::table.count().get_result(conn)?,
            tags::table.select(max(tags::updated_at)).first(conn)?,
        ),
        Kind::Authors => (
            public_authors().count().get_result(conn)?,
            public_authors()
                .select(max(users::updated_at))
                .first(conn)?,
        ),
        Kind::Events => (
            public_events(now).count().get_result(conn)?,
            public_events(now)
                .select(max(events::updated_at))
                .first(conn)?,
        ),
        Kind::Jobs => (
            public_jobs(now).count().get_result(conn)?,
            public_jobs(now).select(max(jobs::updated_at)).first(conn)?,
        ),
    };
    Ok(Tally { count, lastmod })
}

/// The `page`th (0-based) slice of `per_page` public pages of `kind`, by id.
pub fn entries(
    conn: &mut AnyConnection,
    kind: Kind,
    now: NaiveDateTime,
    page: i64,
    per_page: i64,
) -> QueryResult<Vec<Entry>> {
    let offset = page * per_page;
    let plain = |rows: Vec<(i64, Option<String>, NaiveDateTime)>| {
        rows.into_iter()
            .map(|(id, slug, lastmod)| Entry {
                id,
                slug,
                parent: None,
                lastmod,
            })
            .collect::<Vec<_>>()
    };
    Ok(match kind {
        Kind::Articles => {
            let rows: Vec<(i64, String, Option<i64>, NaiveDateTime)> = public_articles(now)
                .order(articles::id.asc())
                .offset(offset)
                .limit(per_page)
                .select((
                    articles::id,
                    articles::slug,
                    articles::section_id,
                    articles::updated_at,
                ))
                .load(conn)?;
            let sections = section_slugs(conn)?;
            rows.into_iter()
                .map(|(id, slug, section, lastmod)| Entry {
                    id,
                    slug: Some(slug),
                    parent: section.and_then(|s| sections.get(&s).cloned()),
                    lastmod,
                })
                .collect()
        }
        Kind::Sections => plain(
            sections::table
                .order(sections::id.asc())
                .offset(offset)
                .limit(per_page)
                .select((
                    sections::id,
                    sections::slug.nullable(),
                    sections::updated_at,
                ))
                .load(conn)?,
        ),
        Kind::Tags => plain(
            tags::table
                .order(tags::id.asc())
                .offset(offset)
                .limit(per_page)
                .select((tags::id, tags::slug.nullable(), tags::updated_at))
                .load(conn)?,
        ),
        Kind::Authors => plain(
            public_authors()
                .order(users::id.asc())
                .offset(offset)
                .limit(per_page)
                .select((users::id, users::slug, users::updated_at))
                .load(conn)?,
        ),
        Kind::Events => plain(
            public_events(now)
                .order(events::id.asc())
                .offset(offset)
                .limit(per_page)
                .select((events::id, events::updated_at))
                .load::<(i64, NaiveDateTime)>(conn)?
                .into_iter()
                .map(|(id, lastmod)| (id, None, lastmod))
                .collect(),
        ),
        Kind::Jobs => plain(
            public_jobs(now)
                .order(jobs::id.asc())
                .offset(offset)
                .limit(per_page)
                .select((jobs::id, jobs::updated_at))
                .load::<(i64, NaiveDateTime)>(conn)?
                .into_iter()
                .map(|(id, lastmod)| (id, None, lastmod))
                .collect(),
        ),
    })
}

fn section_slugs(conn: &mut AnyConnection) -> QueryResult<HashMap<i64, String>> {
    Ok(sections::table
        .select((sections::id, sections::slug))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// (id, slug, section id, title, published at) of a news sitemap's article.
type NewsRow = (i64, String, Option<i64>, String, Option<NaiveDateTime>);

/// Articles published in `[since, now]`, newest first (at most `limit`).
pub fn news(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<NewsEntry>> {
    let rows: Vec<NewsRow> = public_articles(now)
        .filter(articles::published_at.ge(since))
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(limit)
        .select((
            articles::id,
            articles::slug,
            articles::section_id,
            articles::title,
            articles::published_at,
        ))
        .load(conn)?;
    let sections = section_slugs(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, slug, section, title, published_at)| NewsEntry {
            id,
            slug,
            section: section.and_then(|s| sections.get(&s).cloned()),
            title,
            published_at: published_at.unwrap_or(now),
        })
        .collect())
}

/// The next time the public pages change by the clock alone: a scheduled
/// article, offer or event going public, an offer expiring.
pub fn next_timed_change(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    let article: Option<NaiveDateTime> = articles::table
        .filter(in_status!(articles, Status::Scheduled, now))
        .select(min(articles::published_at))
        .first(conn)?;
    let job: Option<NaiveDateTime> = jobs::table
        .filter(in_status!(jobs, Status::Scheduled, now))
        .select(min(jobs::published_at))
        .first(conn)?;
    let expiry: Option<NaiveDateTime> =
        public_jobs(now).select(min(jobs::expires_at)).first(conn)?;
    let event: Option<NaiveDateTime> = events::table
        .filter(in_status!(events, Status::Scheduled, now))
        .select(min(events::published_at))
        .first(conn)?;
    Ok([article, job, expiry, event].into_iter().flatten().min())
}
