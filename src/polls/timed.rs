//! The poll's timed change: `poll.closed` when its closing time passes (or
//! passed while no node ran), told once. Closing a poll by hand tells it
//! with its own change.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::queries;
use crate::changes::{self, timed};
use crate::db::AnyConnection;
use crate::db::schema::polls;
use crate::error::AppResult;

fn due(c: &mut AnyConnection, now: NaiveDateTime, n: i64) -> QueryResult<Vec<i64>> {
    polls::table
        .filter(polls::closes_at.le(now))
        .filter(polls::opens_at.lt(polls::closes_at))
        .filter(timed::untold("poll", "polls", "closes_at", "closed"))
        .select(polls::id)
        .order((polls::closes_at.asc(), polls::id.asc()))
        .limit(n)
        .load(c)
}

pub fn closing_due(c: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<bool> {
    Ok(!due(c, now, 1)?.is_empty())
}

/// Records `poll.closed` for the polls whose closing time passed.
pub fn announce_closings(c: &mut AnyConnection, now: NaiveDateTime) -> AppResult<usize> {
    let mut told = Vec::new();
    for id in due(c, now, crate::scheduler::BATCH)? {
        if !timed::claim(c, "polls", id)? {
            continue;
        }
        let row = queries::find(c, id)?;
        if row.closes_at > now {
            continue;
        }
        if timed::tell(c, "poll", id, "closed", row.closes_at, now)? {
            told.push(row.change("closed", now));
        }
    }
    let n = told.len();
    for change in told {
        changes::record(c, change)?;
    }
    Ok(n)
}
