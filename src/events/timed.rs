//! The agenda event's timed change: `event.published` when the time of a
//! scheduled event comes (or came while no node ran), told once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::EventRow;
use crate::changes::timed::untold;
use crate::db::AnyConnection;
use crate::db::schema::events;
use crate::error::AppResult;
use crate::review::ReviewRow;
use crate::review::flow::announce;
use crate::scheduler::BATCH;

fn due(c: &mut AnyConnection, now: NaiveDateTime, n: i64) -> QueryResult<Vec<i64>> {
    events::table
        .filter(events::status.eq("published"))
        .filter(events::published_at.le(now))
        .filter(untold("event", "events", "published_at", "published"))
        .select(events::id)
        .order((events::published_at.asc(), events::id.asc()))
        .limit(n)
        .load(c)
}

fn published_at(row: &EventRow, now: NaiveDateTime) -> Option<NaiveDateTime> {
    row.published_at().filter(|_| row.is_live(now))
}

pub fn publication_due(c: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<bool> {
    Ok(!due(c, now, 1)?.is_empty())
}

/// Records `event.published` for the events whose time came.
pub fn announce_publications(c: &mut AnyConnection, now: NaiveDateTime) -> AppResult<usize> {
    let ids = due(c, now, BATCH)?;
    announce::<EventRow>(c, "events", ids, "published", published_at, now)
}
