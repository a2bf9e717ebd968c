//! Every change of a comment's state, in one place: the article's
//! `comment_count` and the author's `approved_count` move with it, in SQL, in
//! the caller's write transaction.

use chrono::NaiveDateTime;

use super::model::{APPROVED, CommentRow, DELETED};
use super::queries;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};

/// The first statement of every write that changes comments: on PostgreSQL a
/// transaction-scoped advisory lock, so that such writes run one at a time
/// (they touch a comment, its article's counter and the author's standing; in
/// any order concurrent bulk decisions could otherwise deadlock). SQLite's
/// `BEGIN IMMEDIATE` already serializes writers.
pub fn serialize(conn: &mut AnyConnection) -> AppResult<()> {
    if let AnyConnection::Postgres(c) = conn {
        use diesel::RunQueryDsl;
        diesel::sql_query("SELECT pg_advisory_xact_lock(5005005)").execute(c)?;
    }
    Ok(())
}

/// Takes the comment's row lock, then reads it: what follows sees the state
/// the previous writer left (404 when there is no such comment).
pub fn lock_and_read(
    conn: &mut AnyConnection,
    id: i64,
    now: NaiveDateTime,
) -> AppResult<CommentRow> {
    if queries::lock(conn, id, now)? == 0 {
        return Err(AppError::not_found("no such comment"));
    }
    Ok(queries::find(conn, id)?)
}

/// Moves a locked comment to `to`. Entering `approved` adds one to the
/// article's count (and, the first time, to the author's approved comments);
/// leaving it takes one off.
pub fn transition(
    conn: &mut AnyConnection,
    row: &CommentRow,
    to: &str,
    held_reason: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<CommentRow> {
    let was = row.approved();
    let is = to == APPROVED;
    let updated = queries::set_state(
        conn,
        row.id,
        to,
        if is { None } else { held_reason },
        row.ever_approved || is,
        now,
    )?;
    match (was, is) {
        (false, true) => moved(queries::move_count(conn, row.article_id, 1)?)?,
        (true, false) => moved(queries::move_count(conn, row.article_id, -1)?)?,
        _ => {}
    }
    if is
        && !row.ever_approved
        && let Some(author) = row.author_id
    {
        queries::count_approval(conn, author, now)?;
    }
    Ok(updated)
}

fn moved(rows: usize) -> AppResult<()> {
    if rows == 1 {
        Ok(())
    } else {
        Err(AppError::internal("a comment's article vanished"))
    }
}

/// Deletes a locked comment: with replies it stays as a placeholder, without
/// it is removed, and so are placeholders above it left without replies.
pub fn remove(conn: &mut AnyConnection, row: &CommentRow, now: NaiveDateTime) -> AppResult<()> {
    if queries::has_replies(conn, row.id)? {
        if !row.deleted() {
            transition(conn, row, DELETED, None, now)?;
            queries::blank(conn, row.id, now)?;
        }
        return Ok(());
    }
    if row.approved() {
        moved(queries::move_count(conn, row.article_id, -1)?)?;
    }
    queries::delete(conn, row.id)?;
    let mut above = row.parent_id;
    while let Some(id) = above {
        let parent = lock_and_read(conn, id, now)?;
        if !parent.deleted() || queries::has_replies(conn, id)? {
            break;
        }
        queries::delete(conn, id)?;
        above = parent.parent_id;
    }
    Ok(())
}

/// A moderator's decision on a locked comment. Approving clears its flags,
/// so that readers' earlier reports do not send it straight back.
///
/// An edit waiting for a moderator is applied by `approved`; `rejected`
/// drops it, and a comment still approved stays so with its approved text;
/// `spam` drops it with the comment; `pending` keeps it for later.
pub fn decide(
    conn: &mut AnyConnection,
    row: &CommentRow,
    to: &str,
    now: NaiveDateTime,
) -> AppResult<CommentRow> {
    if row.deleted() {
        return Err(AppError::unprocessable(
            "comment_deleted",
            format!("comment {} was deleted by its author", row.id),
        ));
    }
    if to == APPROVED && row.flag_count > 0 {
        queries::clear_flags(conn, row.id)?;
    }
    let mut row = row.clone();
    if let Some(edit) = row.pending_body.clone() {
        match to {
            APPROVED => {
                let html = crate::text::comment_to_html(&edit);
                row = queries::set_text(conn, row.id, &edit, &html, now)?;
            }
            super::model::REJECTED if row.approved() => {
                return Ok(queries::set_pending_edit(conn, row.id, None, now)?);
            }
            super::model::PENDING => {}
            _ => row = queries::set_pending_edit(conn, row.id, None, now)?,
        }
    }
    let held = (to == super::model::PENDING).then_some("moderator");
    transition(conn, &row, to, held, now)
}

/// The audit entry of a moderator's decision on `row` (read before it).
pub fn decision_entry(row: &CommentRow, to: &str) -> crate::audit::Entry {
    let action = match (row.pending_body.is_some(), to) {
        (true, APPROVED) => "comment.edit_approved".to_string(),
        (true, super::model::REJECTED) if row.approved() => "comment.edit_rejected".to_string(),
        _ => format!("comment.{to}"),
    };
    crate::audit::Entry::new(action)
        .target("comment", row.id)
        .detail("from", row.status.as_str())
        .detail("to", to)
        .detail("article_id", row.article_id.to_string())
}
