//! The queue table: insert, claim, mark sent or failed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Message;
use crate::db::AnyConnection;
use crate::db::schema::mail_outbox as m;

#[derive(Debug, Clone, Queryable)]
pub struct OutboxRow {
    pub id: i64,
    pub recipient: String,
    pub kind: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub headers: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claim: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, msg: &Message, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::insert_into(m::table)
        .values((
            m::recipient.eq(&msg.to),
            m::kind.eq(msg.kind.as_str()),
            m::subject.eq(&msg.subject),
            m::text_body.eq(&msg.text),
            m::html_body.eq(&msg.html),
            m::headers.eq(serde_json::to_string(&msg.headers).unwrap_or_else(|_| "{}".into())),
            m::state.eq("queued"),
            m::attempts.eq(0),
            m::next_attempt_at.eq(now),
            m::created_at.eq(now),
        ))
        .execute(conn)
}

/// Whether a message waits to be sent at `now`.
pub fn any_due(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        m::table
            .filter(m::state.eq("queued"))
            .filter(m::next_attempt_at.le(now))
            .filter(m::claimed_until.is_null().or(m::claimed_until.lt(now))),
    ))
    .get_result(conn)
}

/// Claims up to `limit` due messages for `claim` until `until`, and returns
/// them. Each claim is a conditional update: of two senders, one wins.
pub fn claim(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    until: NaiveDateTime,
    claim: &str,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let ids: Vec<i64> = m::table
        .filter(m::state.eq("queued"))
        .filter(m::next_attempt_at.le(now))
        .filter(m::claimed_until.is_null().or(m::claimed_until.lt(now)))
        .order(m::id.asc())
        .limit(limit)
        .select(m::id)
        .load(conn)?;
    let mut claimed = Vec::new();
    for id in ids {
        let n = diesel::update(
            m::table
                .filter(m::id.eq(id))
                .filter(m::state.eq("queued"))
                .filter(m::claimed_until.is_null().or(m::claimed_until.lt(now))),
        )
        .set((
            m::claim.eq(claim),
            m::claimed_until.eq(until),
            m::attempts.eq(m::attempts + 1),
        ))
        .execute(conn)?;
        if n == 1 {
            claimed.push(id);
        }
    }
    m::table
        .filter(m::id.eq_any(claimed))
        .filter(m::claim.eq(claim))
        .order(m::id.asc())
        .load(conn)
}

/// Marks a claimed message as sent; its bodies are blanked (they may hold a
/// link). False when the claim was lost meanwhile.
pub fn mark_sent(
    conn: &mut AnyConnection,
    id: i64,
    claim: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(m::table.filter(m::id.eq(id)).filter(m::claim.eq(claim)))
        .set((
            m::state.eq("sent"),
            m::sent_at.eq(now),
            m::text_body.eq(""),
            m::html_body.eq(""),
            m::claim.eq(None::<String>),
            m::claimed_until.eq(None::<NaiveDateTime>),
            m::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Notes a failed attempt: retried at `retry_at`, or given up (`None`).
pub fn mark_failed(
    conn: &mut AnyConnection,
    id: i64,
    claim: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    let target = m::table.filter(m::id.eq(id)).filter(m::claim.eq(claim));
    let error: String = error.chars().take(500).collect();
    match retry_at {
        Some(at) => diesel::update(target)
            .set((
                m::next_attempt_at.eq(at),
                m::claim.eq(None::<String>),
                m::claimed_until.eq(None::<NaiveDateTime>),
                m::last_error.eq(error),
            ))
            .execute(conn),
        None => diesel::update(target)
            .set((
                m::state.eq("failed"),
                m::text_body.eq(""),
                m::html_body.eq(""),
                m::claim.eq(None::<String>),
                m::claimed_until.eq(None::<NaiveDateTime>),
                m::last_error.eq(error),
            ))
            .execute(conn),
    }
}

pub fn forget(conn: &mut AnyConnection, address: &str) -> QueryResult<usize> {
    diesel::delete(m::table.filter(m::recipient.eq(address))).execute(conn)
}

/// Removes messages sent or given up before `cutoff` (their bodies are blank already).
pub fn purge(conn: &mut AnyConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        m::table
            .filter(m::state.ne("queued"))
            .filter(m::created_at.lt(cutoff)),
    )
    .execute(conn)
}
