//! From the change log to deliveries, exactly once per endpoint: each
//! endpoint keeps the number of the last change it was given (`last_seq`),
//! advanced in the transaction that inserts its deliveries. On PostgreSQL the
//! endpoint's row is locked (`FOR NO KEY UPDATE SKIP LOCKED`), so two nodes
//! never fan out the same changes; changes commit in the order of their
//! numbers (see `changes::record`), so none appears behind a cursor.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::model::{NewDelivery, WebhookRow, status};
use super::super::{payload, queries, types};
use crate::changes::queries::{TypeFilter, after};
use crate::db::AnyConnection;
use crate::db::schema::{webhook_deliveries, webhooks};

/// Changes read per endpoint and transaction.
pub const BATCH: i64 = 500;

/// Enabled endpoints that have not been given the newest change yet.
pub fn behind(conn: &mut AnyConnection) -> QueryResult<Vec<i64>> {
    let end = queries::log_end(conn)?;
    webhooks::table
        .filter(webhooks::enabled.eq(true))
        .filter(webhooks::last_seq.lt(end))
        .select(webhooks::id)
        .order(webhooks::id.asc())
        .load(conn)
}

/// What one round of fan-out did for one endpoint.
#[derive(Debug, Default, Clone, Copy)]
pub struct Fanned {
    pub deliveries: usize,
    /// More changes wait beyond the batch.
    pub more: bool,
}

/// Inside the caller's write transaction: gives endpoint `id` the next
/// changes of the log that match its types. Nothing when another node holds
/// the endpoint, or it was disabled meanwhile.
pub fn fan_out(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<Fanned> {
    let hook: Option<WebhookRow> = match conn {
        AnyConnection::Postgres(pg) => webhooks::table
            .find(id)
            .for_no_key_update()
            .skip_locked()
            .first(pg)
            .optional()?,
        AnyConnection::Sqlite(_) => webhooks::table.find(id).first(conn).optional()?,
    };
    let Some(hook) = hook.filter(|h| h.enabled) else {
        return Ok(Fanned::default());
    };
    let changes = after(conn, hook.last_seq, &TypeFilter::default(), BATCH)?;
    let Some(last) = changes.last().map(|c| c.seq) else {
        return Ok(Fanned::default());
    };
    let more = changes.len() as i64 == BATCH;
    let patterns = hook.patterns();
    let new: Vec<NewDelivery> = changes
        .into_iter()
        .filter(|c| types::matches(&patterns, &c.kind))
        .map(|c| NewDelivery {
            webhook_id: id,
            seq: Some(c.seq),
            event_type: c.kind.clone(),
            resource_key: payload::resource_key(&c),
            message_id: payload::message_id(c.seq, id),
            payload: payload::of_change(c),
            status: status::PENDING.into(),
            next_attempt_at: Some(now),
            created_at: now,
        })
        .collect();
    // one by one: neither backend takes a batch through the shared connection type
    for delivery in &new {
        diesel::insert_into(webhook_deliveries::table)
            .values(delivery)
            .execute(conn)?;
    }
    diesel::update(webhooks::table.find(id))
        .set(webhooks::last_seq.eq(last))
        .execute(conn)?;
    Ok(Fanned {
        deliveries: new.len(),
        more,
    })
}
