//! The rules of changing a poll: what may change, and when.

use chrono::NaiveDateTime;

use super::dto::{CreatePoll, ResultsVisibility, UpdatePoll, WhoMayVote, choice_rule_error};
use super::model::{NewPoll, PollChanges, PollRow};
use super::queries;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};

/// Inserts a new poll and its options; times are checked by the caller.
pub fn create(
    c: &mut AnyConnection,
    body: CreatePoll,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    created_by: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<PollRow> {
    let max_choices = if body.multiple {
        body.max_choices.unwrap_or(body.options.len() as i32)
    } else {
        1
    };
    let article_id = body.article_id.map(|a| a.0);
    check_article(c, article_id)?;
    let row = queries::insert(
        c,
        &NewPoll {
            question: body.question.trim().to_string(),
            description: body.description,
            multiple: body.multiple,
            max_choices,
            opens_at,
            closes_at,
            who_may_vote: body
                .who_may_vote
                .unwrap_or(WhoMayVote::Anyone)
                .as_str()
                .into(),
            results_visibility: body
                .results_visibility
                .unwrap_or(ResultsVisibility::AfterVote)
                .as_str()
                .into(),
            article_id,
            created_by,
            created_at: now,
            updated_at: now,
        },
    )?;
    let labels: Vec<String> = body
        .options
        .iter()
        .map(|o| o.label.trim().to_string())
        .collect();
    queries::replace_options(c, row.id, &labels)?;
    Ok(row)
}

/// Applies an update to the poll as it stands. `options`, `multiple` and
/// `max_choices` change only while no vote is in (409 otherwise).
pub fn update(
    c: &mut AnyConnection,
    current: PollRow,
    body: UpdatePoll,
    now: NaiveDateTime,
) -> AppResult<PollRow> {
    let changes_choices = body.changes_choices();
    if changes_choices && queries::lock_unvoted(c, current.id, now)? == 0 {
        return Err(AppError::new(
            actix_web::http::StatusCode::CONFLICT,
            "options_frozen",
            "the poll already has votes: its options and choice rules can no longer change",
        ));
    }
    let opens_at = body
        .opens_at
        .map(crate::state::stored)
        .unwrap_or(current.opens_at);
    let closes_at = body
        .closes_at
        .map(crate::state::stored)
        .unwrap_or(current.closes_at);
    if closes_at <= opens_at {
        return Err(AppError::invalid("closes_at", "must be after opens_at"));
    }
    let mut changes = PollChanges {
        question: body.question.map(|q| q.trim().to_string()),
        description: body.description,
        opens_at: body.opens_at.map(|_| opens_at),
        closes_at: body.closes_at.map(|_| closes_at),
        who_may_vote: body.who_may_vote.map(|w| w.as_str().into()),
        results_visibility: body.results_visibility.map(|r| r.as_str().into()),
        updated_at: Some(now),
        ..Default::default()
    };
    if let Some(article) = body.article_id {
        let article = article.map(|a| a.0);
        check_article(c, article)?;
        changes.article_id = Some(article);
    }
    let labels: Option<Vec<String>> = body
        .options
        .as_ref()
        .map(|o| o.iter().map(|o| o.label.trim().to_string()).collect());
    if changes_choices {
        let multiple = body.multiple.unwrap_or(current.multiple);
        let count = match &labels {
            Some(l) => l.len(),
            None => queries::options_of(c, &[current.id])?.len(),
        };
        if let Some(msg) = choice_rule_error(multiple, body.max_choices, count) {
            return Err(AppError::invalid("max_choices", msg));
        }
        let max = match (multiple, body.max_choices) {
            (false, _) => 1,
            (true, Some(n)) => n,
            // keep the current rule when it still fits, else allow all
            (true, None) if current.multiple && (current.max_choices as usize) <= count => {
                current.max_choices
            }
            (true, None) => count as i32,
        };
        changes.multiple = Some(multiple);
        changes.max_choices = Some(max);
    }
    let row = queries::update(c, current.id, &changes)?;
    if let Some(labels) = labels {
        queries::replace_options(c, current.id, &labels)?;
    }
    Ok(row)
}

/// Closes an open poll now; a closed one is left as it is, an upcoming one refused (409).
pub fn close(c: &mut AnyConnection, current: PollRow, now: NaiveDateTime) -> AppResult<PollRow> {
    if now <= current.opens_at {
        return Err(AppError::conflict(
            "the poll has not opened yet; change its times or delete it",
        ));
    }
    if now >= current.closes_at {
        return Ok(current);
    }
    Ok(queries::update(
        c,
        current.id,
        &PollChanges {
            closes_at: Some(now),
            updated_at: Some(now),
            ..Default::default()
        },
    )?)
}

fn check_article(c: &mut AnyConnection, article: Option<i64>) -> AppResult<()> {
    match article {
        Some(id) if !queries::article_exists(c, id)? => {
            Err(AppError::invalid("article_id", "no such article"))
        }
        _ => Ok(()),
    }
}
