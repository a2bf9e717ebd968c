//! The article's timed change: `article.published` when the time of a
//! scheduled article comes (or came while no node ran), told once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::change::change_for;
use super::queries;
use crate::changes::{self, timed};
use crate::db::AnyConnection;
use crate::db::schema::articles;
use crate::error::AppResult;

/// Published articles whose time has come and whose publication is untold,
/// oldest first.
fn due(conn: &mut AnyConnection, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<i64>> {
    articles::table
        .filter(articles::status.eq("published"))
        .filter(articles::published_at.le(now))
        .filter(timed::untold(
            "article",
            "articles",
            "published_at",
            "published",
        ))
        .select(articles::id)
        .order((articles::published_at.asc(), articles::id.asc()))
        .limit(limit)
        .load(conn)
}

/// When the next scheduled article becomes public, if one waits: public
/// lists and author pages change then, by the clock alone.
pub fn next_publication(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    articles::table
        .filter(articles::status.eq("published"))
        .filter(articles::published_at.gt(now))
        .select(diesel::dsl::min(articles::published_at))
        .first(conn)
}

/// Whether a publication waits to be told.
pub fn publication_due(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<bool> {
    Ok(!due(conn, now, 1)?.is_empty())
}

/// Records `article.published` for each article whose time has come, in
/// the caller's write transaction; says how many. Each is claimed (skipped
/// when a writer holds it: that write names the publication itself) and
/// told in `announcements`, so no article is told twice.
pub fn announce_due(conn: &mut AnyConnection, now: NaiveDateTime) -> AppResult<usize> {
    let mut told = Vec::new();
    for id in due(conn, now, crate::scheduler::BATCH)? {
        if !timed::claim(conn, "articles", id)? {
            continue;
        }
        let row = queries::get(conn, id)?;
        let Some(at) = row
            .published_at
            .filter(|t| row.status == "published" && *t <= now)
        else {
            continue;
        };
        if timed::tell(conn, "article", id, "published", at, now)? {
            told.push(change_for(conn, &row, "published", now)?);
        }
    }
    let n = told.len();
    // recorded last, once every row is claimed and told
    for change in told {
        changes::record(conn, change)?;
    }
    Ok(n)
}
