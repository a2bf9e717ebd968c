//! Public author profiles and what they have signed.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{article_authors, articles, users};
use crate::http::PageRequest;
use crate::ids::IdOrSlug;

/// A user's public face.
#[derive(Debug, Queryable)]
pub struct ProfileRow {
    pub id: i64,
    pub slug: Option<String>,
    pub display_name: String,
    pub bio: String,
    pub avatar_url: Option<String>,
}

pub(super) const PROFILE: (
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
    paged: &PageRequest,
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

/// A public author profile, by the author's id or slug.
pub fn find_author(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<ProfileRow> {
    let authors = users::table
        .filter(users::role.ne("member"))
        .filter(users::disabled.eq(false))
        .select(PROFILE);
    match key {
        IdOrSlug::Id(id) => authors.filter(users::id.eq(*id)).first(conn),
        IdOrSlug::Slug(slug) => authors.filter(users::slug.eq(slug)).first(conn),
    }
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
