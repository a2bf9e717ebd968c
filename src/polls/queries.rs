use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::{PollFilters, PollStatus};
use super::model::{NewOption, NewPoll, NewVote, OptionRow, PollChanges, PollRow, VoteRow};
use crate::db::schema::{articles, poll_options, poll_votes, polls};
use crate::db::{AnyConnection, MultiBackend};
use crate::http::PageRequest;
use crate::ids::IdOrSlug;

/// The polls attached to these articles, as `(article id, poll id)` pairs,
/// for the article side to show its polls without a query per article.
pub fn poll_ids_for_articles(
    conn: &mut AnyConnection,
    article_ids: &[i64],
) -> QueryResult<Vec<(i64, i64)>> {
    if article_ids.is_empty() {
        return Ok(Vec::new());
    }
    polls::table
        .filter(polls::article_id.eq_any(article_ids))
        .select((polls::article_id.assume_not_null(), polls::id))
        .order((polls::article_id.asc(), polls::id.asc()))
        .load(conn)
}

pub fn list(
    conn: &mut AnyConnection,
    filters: &PollFilters,
    paged: &PageRequest,
    now: NaiveDateTime,
) -> QueryResult<(Vec<PollRow>, i64)> {
    let base = || {
        let mut q = polls::table.into_boxed::<MultiBackend>();
        match &filters.article {
            None => {}
            Some(IdOrSlug::Id(id)) => q = q.filter(polls::article_id.eq(*id)),
            Some(IdOrSlug::Slug(slug)) => {
                let named = articles::table
                    .filter(articles::slug.eq(slug.clone()))
                    .select(articles::id.nullable());
                q = q.filter(polls::article_id.eq_any(named));
            }
        }
        q = match filters.status {
            None => q,
            Some(PollStatus::Upcoming) => q.filter(polls::opens_at.gt(now)),
            Some(PollStatus::Open) => q
                .filter(polls::opens_at.le(now))
                .filter(polls::closes_at.gt(now)),
            Some(PollStatus::Closed) => q.filter(polls::closes_at.le(now)),
        };
        if let Some(after) = filters.updated_after {
            q = q.filter(polls::updated_at.gt(after.naive_utc()));
        }
        q
    };
    let total = base().count().get_result(conn)?;
    let mut query = base();
    for s in &paged.sort {
        query = match (s.field.as_str(), s.descending) {
            ("opens_at", false) => query.then_order_by(polls::opens_at.asc()),
            ("opens_at", true) => query.then_order_by(polls::opens_at.desc()),
            ("closes_at", false) => query.then_order_by(polls::closes_at.asc()),
            ("closes_at", true) => query.then_order_by(polls::closes_at.desc()),
            (_, false) => query.then_order_by(polls::created_at.asc()),
            (_, true) => query.then_order_by(polls::created_at.desc()),
        };
    }
    let rows = query
        .then_order_by(polls::id.desc())
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<PollRow> {
    polls::table.find(id).first(conn)
}

/// The options of these polls, in display order.
pub fn options_of(conn: &mut AnyConnection, poll_ids: &[i64]) -> QueryResult<Vec<OptionRow>> {
    if poll_ids.is_empty() {
        return Ok(Vec::new());
    }
    poll_options::table
        .filter(poll_options::poll_id.eq_any(poll_ids))
        .order((poll_options::poll_id.asc(), poll_options::position.asc()))
        .load(conn)
}

/// The votes of one voter among these polls (through the unique index).
pub fn votes_of(
    conn: &mut AnyConnection,
    voter_key: &str,
    poll_ids: &[i64],
) -> QueryResult<Vec<VoteRow>> {
    if poll_ids.is_empty() {
        return Ok(Vec::new());
    }
    poll_votes::table
        .filter(poll_votes::poll_id.eq_any(poll_ids))
        .filter(poll_votes::voter_key.eq(voter_key))
        .load(conn)
}

pub fn find_vote(
    conn: &mut AnyConnection,
    poll_id: i64,
    voter_key: &str,
) -> QueryResult<Option<VoteRow>> {
    poll_votes::table
        .filter(poll_votes::poll_id.eq(poll_id))
        .filter(poll_votes::voter_key.eq(voter_key))
        .first(conn)
        .optional()
}

pub fn article_exists(conn: &mut AnyConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(articles::table.find(id))).get_result(conn)
}

pub fn insert(conn: &mut AnyConnection, new: &NewPoll) -> QueryResult<PollRow> {
    diesel::insert_into(polls::table)
        .values(new)
        .returning(polls::all_columns)
        .get_result(conn)
}

/// Replaces the options of a poll (only while it has no vote).
pub fn replace_options(
    conn: &mut AnyConnection,
    poll_id: i64,
    labels: &[String],
) -> QueryResult<()> {
    diesel::delete(poll_options::table.filter(poll_options::poll_id.eq(poll_id))).execute(conn)?;
    // one statement per option: batch inserts do not go through the
    // two-backend connection, and a poll has at most 20 options
    for (i, label) in labels.iter().enumerate() {
        diesel::insert_into(poll_options::table)
            .values(&NewOption {
                poll_id,
                position: i as i32,
                label: label.clone(),
            })
            .execute(conn)?;
    }
    Ok(())
}

pub fn update(conn: &mut AnyConnection, id: i64, changes: &PollChanges) -> QueryResult<PollRow> {
    diesel::update(polls::table.find(id))
        .set(changes)
        .returning(polls::all_columns)
        .get_result(conn)
}

/// Takes the poll's row lock if it has no vote yet (1), else changes nothing (0).
/// A voter takes the same lock first, so options cannot change under a vote.
pub fn lock_unvoted(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(polls::table.find(id).filter(polls::voter_count.eq(0i64)))
        .set(polls::updated_at.eq(now))
        .execute(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(polls::table.find(id)).execute(conn)
}

/// The first statement of every vote: adds `voters` (1 for a new vote, 0 for
/// a change) to the poll's voter count if the poll is open at `now`, and so
/// takes the poll's row lock. 0 rows: no such poll, or not open.
pub fn lock_open_poll(
    conn: &mut AnyConnection,
    id: i64,
    voters: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        polls::table
            .find(id)
            .filter(polls::opens_at.le(now))
            .filter(polls::closes_at.gt(now)),
    )
    .set(polls::voter_count.eq(polls::voter_count + voters))
    .execute(conn)
}

pub fn insert_vote(conn: &mut AnyConnection, new: &NewVote) -> QueryResult<usize> {
    diesel::insert_into(poll_votes::table)
        .values(new)
        .execute(conn)
}

/// Adds `delta` to the counters of these options of the poll, in SQL
/// (never read-modify-write); returns the number of options moved.
pub fn move_counts(
    conn: &mut AnyConnection,
    poll_id: i64,
    option_ids: &[i64],
    delta: i64,
) -> QueryResult<usize> {
    if option_ids.is_empty() {
        return Ok(0);
    }
    diesel::update(
        poll_options::table
            .filter(poll_options::poll_id.eq(poll_id))
            .filter(poll_options::id.eq_any(option_ids)),
    )
    .set(poll_options::vote_count.eq(poll_options::vote_count + delta))
    .execute(conn)
}

pub fn set_vote_choices(
    conn: &mut AnyConnection,
    vote_id: i64,
    choices: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(poll_votes::table.find(vote_id))
        .set((
            poll_votes::choices.eq(choices),
            poll_votes::updated_at.eq(now),
        ))
        .execute(conn)
}
