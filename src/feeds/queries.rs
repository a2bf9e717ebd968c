//! The diesel code of feeds: the newest public items of a scope and what
//! hangs on them (sections, authors, tags: one query each for the whole
//! feed), the subject a feed is about, and the next time a feed changes by
//! the clock alone.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::min;
use diesel::prelude::*;

use super::model::{ArticleEntryRow, EventEntryRow, JobEntryRow, Subject};
use crate::db::AnyConnection;
use crate::db::schema::{
    article_authors, article_tags, articles, events, jobs, sections, tags, users,
};
use crate::ids::IdOrSlug;
use crate::review::queries::in_status;

/// Which articles a feed follows.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Site,
    Section(i64),
    Tag(i64),
    Author(i64),
}

/// An article with what a feed shows around it.
pub struct ArticleEntry {
    pub row: ArticleEntryRow,
    pub section: Option<(String, String)>,
    /// (id, slug, display name), in byline order.
    pub authors: Vec<(i64, Option<String>, String)>,
    pub tags: Vec<String>,
}

/// The newest published articles of `scope` at `now`.
pub fn latest_articles(
    conn: &mut AnyConnection,
    scope: Scope,
    now: NaiveDateTime,
    limit: usize,
) -> QueryResult<Vec<ArticleEntry>> {
    let mut query =
        articles::table
            .into_boxed()
            .filter(in_status!(articles, Status::Published, now));
    query = match scope {
        Scope::Site => query,
        Scope::Section(id) => query.filter(articles::section_id.eq(id)),
        Scope::Tag(id) => query.filter(
            articles::id.eq_any(
                article_tags::table
                    .filter(article_tags::tag_id.eq(id))
                    .select(article_tags::article_id),
            ),
        ),
        Scope::Author(id) => query.filter(
            articles::id.eq_any(
                article_authors::table
                    .filter(article_authors::user_id.eq(id))
                    .select(article_authors::article_id),
            ),
        ),
    };
    let rows: Vec<ArticleEntryRow> = query
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(limit as i64)
        .select((
            articles::id,
            articles::slug,
            articles::title,
            articles::lead,
            articles::body_html,
            articles::section_id,
            articles::cover_url,
            articles::cover_alt,
            articles::published_at,
            articles::updated_at,
        ))
        .load(conn)?;
    with_refs(conn, rows)
}

/// Sections, authors and tags of `rows`: three queries whatever their number.
pub fn with_refs(
    conn: &mut AnyConnection,
    rows: Vec<ArticleEntryRow>,
) -> QueryResult<Vec<ArticleEntry>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let section_ids: Vec<i64> = rows.iter().filter_map(|r| r.section_id).collect();
    let sections: HashMap<i64, (String, String)> = sections::table
        .filter(sections::id.eq_any(&section_ids))
        .select((sections::id, sections::slug, sections::name))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, slug, name)| (id, (slug, name)))
        .collect();
    let mut authors: HashMap<i64, Vec<(i64, Option<String>, String)>> = HashMap::new();
    for (article, id, slug, name) in article_authors::table
        .inner_join(users::table)
        .filter(article_authors::article_id.eq_any(&ids))
        .order((article_authors::article_id, article_authors::position))
        .select((
            article_authors::article_id,
            users::id,
            users::slug,
            users::display_name,
        ))
        .load::<(i64, i64, Option<String>, String)>(conn)?
    {
        authors.entry(article).or_default().push((id, slug, name));
    }
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for (article, name) in article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq_any(&ids))
        .order((article_tags::article_id, tags::name))
        .select((article_tags::article_id, tags::name))
        .load::<(i64, String)>(conn)?
    {
        tags.entry(article).or_default().push(name);
    }
    Ok(rows
        .into_iter()
        .map(|row| ArticleEntry {
            section: row.section_id.and_then(|id| sections.get(&id).cloned()),
            authors: authors.remove(&row.id).unwrap_or_default(),
            tags: tags.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// The next time an article goes public by itself (a scheduled one).
pub fn next_article_publication(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    articles::table
        .filter(in_status!(articles, Status::Scheduled, now))
        .select(min(articles::published_at))
        .first(conn)
}

pub fn section(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<Option<Subject>> {
    let query = sections::table
        .select((
            sections::id,
            sections::slug,
            sections::name,
            sections::description,
        ))
        .into_boxed();
    let query = match key {
        IdOrSlug::Id(id) => query.filter(sections::id.eq(*id)),
        IdOrSlug::Slug(slug) => query.filter(sections::slug.eq(slug.clone())),
    };
    Ok(query
        .first::<(i64, String, String, String)>(conn)
        .optional()?
        .map(|(id, slug, name, description)| Subject {
            id,
            slug: Some(slug),
            name,
            description,
        }))
}

pub fn tag(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<Option<Subject>> {
    let query = tags::table
        .select((tags::id, tags::slug, tags::name))
        .into_boxed();
    let query = match key {
        IdOrSlug::Id(id) => query.filter(tags::id.eq(*id)),
        IdOrSlug::Slug(slug) => query.filter(tags::slug.eq(slug.clone())),
    };
    Ok(query
        .first::<(i64, String, String)>(conn)
        .optional()?
        .map(|(id, slug, name)| Subject {
            id,
            slug: Some(slug),
            name,
            description: String::new(),
        }))
}

/// A public author (active staff), as `/authors/{id}` finds them.
pub fn author(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<Option<Subject>> {
    let query = users::table
        .filter(users::role.ne("member"))
        .filter(users::disabled.eq(false))
        .select((users::id, users::slug, users::display_name, users::bio))
        .into_boxed();
    let query = match key {
        IdOrSlug::Id(id) => query.filter(users::id.eq(*id)),
        IdOrSlug::Slug(slug) => query.filter(users::slug.eq(slug.clone())),
    };
    Ok(query
        .first::<(i64, Option<String>, String, String)>(conn)
        .optional()?
        .map(|(id, slug, name, description)| Subject {
            id,
            slug,
            name,
            description,
        }))
}

/// The newest published offers that have not expired; and the next time the
/// list changes by itself (an offer expiring or a scheduled one going public).
pub fn latest_jobs(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    limit: usize,
) -> QueryResult<(Vec<JobEntryRow>, Option<NaiveDateTime>)> {
    let rows: Vec<JobEntryRow> = jobs::table
        .filter(in_status!(jobs, Status::Published, now))
        .filter(jobs::expires_at.is_null().or(jobs::expires_at.gt(now)))
        .order((jobs::published_at.desc(), jobs::id.desc()))
        .limit(limit as i64)
        .select((
            jobs::id,
            jobs::title,
            jobs::company_name,
            jobs::city,
            jobs::contract_type,
            jobs::description_html,
            jobs::published_at,
            jobs::expires_at,
            jobs::updated_at,
        ))
        .load(conn)?;
    let scheduled: Option<NaiveDateTime> = jobs::table
        .filter(in_status!(jobs, Status::Scheduled, now))
        .select(min(jobs::published_at))
        .first(conn)?;
    let expiring = rows.iter().filter_map(|r| r.expires_at).min();
    Ok((rows, earliest([scheduled, expiring])))
}

/// The published events that have not ended, soonest first; and the next
/// time the list changes by itself (an event ending, a scheduled one going public).
pub fn upcoming_events(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    limit: usize,
) -> QueryResult<(Vec<EventEntryRow>, Option<NaiveDateTime>)> {
    let rows: Vec<EventEntryRow> = events::table
        .filter(in_status!(events, Status::Published, now))
        .filter(events::ends_at.gt(now))
        .order((events::starts_at.asc(), events::id.asc()))
        .limit(limit as i64)
        .select((
            events::id,
            events::title,
            events::description_html,
            events::starts_at,
            events::ends_at,
            events::all_day,
            events::time_zone,
            events::venue_name,
            events::city,
            events::category,
            events::image_url,
            events::image_alt,
            events::image_media_id,
            events::published_at,
            events::updated_at,
        ))
        .load(conn)?;
    let scheduled: Option<NaiveDateTime> = events::table
        .filter(in_status!(events, Status::Scheduled, now))
        .select(min(events::published_at))
        .first(conn)?;
    let ending = rows.iter().map(|r| r.ends_at).min();
    Ok((rows, earliest([scheduled, ending])))
}

/// The earliest of some times.
pub fn earliest<const N: usize>(times: [Option<NaiveDateTime>; N]) -> Option<NaiveDateTime> {
    times.into_iter().flatten().min()
}
