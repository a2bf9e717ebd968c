//! The job offer's timed changes: `job.published` when the time of a
//! scheduled offer comes, `job.expired` when its expiry passes (also when
//! they passed while no node ran), each told once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::JobRow;
use crate::changes::timed::untold;
use crate::db::AnyConnection;
use crate::db::schema::jobs;
use crate::error::AppResult;
use crate::review::ReviewRow;
use crate::review::flow::announce;
use crate::scheduler::BATCH;

fn due_publications(c: &mut AnyConnection, now: NaiveDateTime, n: i64) -> QueryResult<Vec<i64>> {
    jobs::table
        .filter(jobs::status.eq("published"))
        .filter(jobs::published_at.le(now))
        .filter(untold("job", "jobs", "published_at", "published"))
        .select(jobs::id)
        .order((jobs::published_at.asc(), jobs::id.asc()))
        .limit(n)
        .load(c)
}

/// Offers that were (or were to be) public before their expiry, now past.
fn due_expiries(c: &mut AnyConnection, now: NaiveDateTime, n: i64) -> QueryResult<Vec<i64>> {
    jobs::table
        .filter(jobs::status.eq("published"))
        .filter(jobs::expires_at.le(now))
        .filter(jobs::published_at.lt(jobs::expires_at))
        .filter(untold("job", "jobs", "expires_at", "expired"))
        .select(jobs::id)
        .order((jobs::expires_at.asc(), jobs::id.asc()))
        .limit(n)
        .load(c)
}

fn published_at(row: &JobRow, now: NaiveDateTime) -> Option<NaiveDateTime> {
    row.published_at().filter(|_| row.is_live(now))
}

fn expired_at(row: &JobRow, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let was_public = row
        .published_at()
        .zip(row.fields.expires_at)
        .is_some_and(|(p, x)| p < x);
    row.fields
        .expires_at
        .filter(|x| row.stored_status() == "published" && was_public && *x <= now)
}

/// The next time the public list of offers changes by the clock alone: a
/// scheduled offer's publication or a public offer's expiry.
pub fn next_change(
    c: &mut AnyConnection,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    let publication: Option<NaiveDateTime> = jobs::table
        .filter(jobs::status.eq("published"))
        .filter(jobs::published_at.gt(now))
        .select(diesel::dsl::min(jobs::published_at))
        .first(c)?;
    let expiry: Option<NaiveDateTime> = jobs::table
        .filter(jobs::status.eq("published"))
        .filter(jobs::expires_at.gt(now))
        .select(diesel::dsl::min(jobs::expires_at))
        .first(c)?;
    Ok(publication.into_iter().chain(expiry).min())
}

pub fn publication_due(c: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<bool> {
    Ok(!due_publications(c, now, 1)?.is_empty())
}

/// Records `job.published` for the offers whose time came.
pub fn announce_publications(c: &mut AnyConnection, now: NaiveDateTime) -> AppResult<usize> {
    let ids = due_publications(c, now, BATCH)?;
    announce::<JobRow>(c, "jobs", ids, "published", published_at, now)
}

pub fn expiry_due(c: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<bool> {
    Ok(!due_expiries(c, now, 1)?.is_empty())
}

/// Records `job.expired` for the offers whose expiry passed.
pub fn announce_expiries(c: &mut AnyConnection, now: NaiveDateTime) -> AppResult<usize> {
    let ids = due_expiries(c, now, BATCH)?;
    announce::<JobRow>(c, "jobs", ids, "expired", expired_at, now)
}
