//! Counting votes. Every vote is one write transaction that first takes
//! the poll's row (adding the voter to `voter_count` only if the poll is open
//! now), then checks the choices, inserts the vote (the UNIQUE index on
//! `(poll_id, voter_key)` refuses a second one, across processes too) and adds
//! one to each chosen option's counter in SQL. Taking the poll row first
//! orders concurrent voters on PostgreSQL (no deadlock between multiple-choice
//! votes) and keeps the options still while a vote is counted.

use actix_web::http::StatusCode;
use chrono::NaiveDateTime;

use super::model::{NewVote, OptionRow, PollRow, format_choices};
use super::queries;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::state::utc;

/// Counts a first vote of `key` in the poll: the chosen options' counters
/// and the poll's voters move with it (409 `already_voted` for a second one).
pub fn cast(
    c: &mut AnyConnection,
    id: i64,
    key: String,
    choices: &[i64],
    now: NaiveDateTime,
) -> AppResult<(PollRow, Vec<OptionRow>)> {
    if queries::lock_open_poll(c, id, 1, now)? == 0 {
        return Err(not_open(&queries::find(c, id)?, now));
    }
    let poll = queries::find(c, id)?;
    check_choices(&poll, &queries::options_of(c, &[id])?, choices)?;
    let vote = NewVote {
        poll_id: id,
        voter_key: key,
        choices: format_choices(choices),
        created_at: now,
        updated_at: now,
    };
    queries::insert_vote(c, &vote).map_err(|e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => AppError::new(
            StatusCode::CONFLICT,
            "already_voted",
            "you have already voted in this poll",
        ),
        e => e.into(),
    })?;
    if queries::move_counts(c, id, choices, 1)? != choices.len() {
        return Err(AppError::internal("a chosen option vanished during a vote"));
    }
    Ok((poll, queries::options_of(c, &[id])?))
}

/// Replaces the choices of `key`'s vote: the counters of the options left
/// and of those chosen move in the same transaction.
pub fn change(
    c: &mut AnyConnection,
    id: i64,
    key: &str,
    choices: &[i64],
    now: NaiveDateTime,
) -> AppResult<(PollRow, Vec<OptionRow>)> {
    if queries::lock_open_poll(c, id, 0, now)? == 0 {
        return Err(not_open(&queries::find(c, id)?, now));
    }
    let vote = queries::find_vote(c, id, key)?
        .ok_or_else(|| AppError::not_found("you have not voted in this poll"))?;
    let poll = queries::find(c, id)?;
    check_choices(&poll, &queries::options_of(c, &[id])?, choices)?;
    let before = vote.option_ids();
    let left: Vec<i64> = before
        .iter()
        .copied()
        .filter(|o| !choices.contains(o))
        .collect();
    let added: Vec<i64> = choices
        .iter()
        .copied()
        .filter(|o| !before.contains(o))
        .collect();
    if queries::move_counts(c, id, &left, -1)? != left.len()
        || queries::move_counts(c, id, &added, 1)? != added.len()
    {
        return Err(AppError::internal(
            "option counters out of step with a vote",
        ));
    }
    queries::set_vote_choices(c, vote.id, &format_choices(choices), now)?;
    Ok((poll, queries::options_of(c, &[id])?))
}

fn not_open(poll: &PollRow, now: NaiveDateTime) -> AppError {
    if now < poll.opens_at {
        AppError::unprocessable(
            "poll_not_open",
            format!(
                "voting has not started: the poll opens at {}",
                utc(poll.opens_at).to_rfc3339()
            ),
        )
    } else {
        AppError::unprocessable(
            "poll_closed",
            format!(
                "voting is over: the poll closed at {}",
                utc(poll.closes_at).to_rfc3339()
            ),
        )
    }
}

/// Refuses options of another poll and more choices than the poll takes.
fn check_choices(poll: &PollRow, options: &[OptionRow], chosen: &[i64]) -> AppResult<()> {
    if let Some(foreign) = chosen
        .iter()
        .find(|id| !options.iter().any(|o| o.id == **id))
    {
        return Err(AppError::invalid(
            "options",
            format!("option {foreign} is not an option of this poll"),
        ));
    }
    if chosen.len() > poll.max_choices as usize {
        return Err(AppError::invalid(
            "options",
            if poll.max_choices == 1 {
                "this poll takes a single choice".to_string()
            } else {
                format!("this poll takes at most {} choices", poll.max_choices)
            },
        ));
    }
    Ok(())
}
