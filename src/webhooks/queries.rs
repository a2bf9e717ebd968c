use chrono::NaiveDateTime;
use diesel::dsl::max;
use diesel::prelude::*;

use super::model::{DeliveryRow, NewDelivery, NewWebhook, WebhookChanges, WebhookRow, status};
use crate::db::schema::{changes, webhook_deliveries, webhooks};
use crate::db::{AnyConnection, MultiBackend};
use crate::http::PageRequest;

pub fn insert(conn: &mut AnyConnection, new: &NewWebhook) -> QueryResult<WebhookRow> {
    diesel::insert_into(webhooks::table)
        .values(new)
        .returning(webhooks::all_columns)
        .get_result(conn)
}

pub fn list(conn: &mut AnyConnection, paged: &PageRequest) -> QueryResult<(Vec<WebhookRow>, i64)> {
    let total = webhooks::table.count().get_result(conn)?;
    let mut q = webhooks::table.into_boxed::<MultiBackend>();
    q = match paged.sort.first().map(|s| s.descending) {
        Some(false) => q.order((webhooks::created_at.asc(), webhooks::id.asc())),
        _ => q.order((webhooks::created_at.desc(), webhooks::id.desc())),
    };
    let rows = q.limit(paged.fetch()).offset(paged.offset).load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<WebhookRow> {
    webhooks::table.find(id).first(conn)
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    changes: &WebhookChanges,
) -> QueryResult<WebhookRow> {
    diesel::update(webhooks::table.find(id))
        .set(changes)
        .returning(webhooks::all_columns)
        .get_result(conn)
}

pub fn set_secret(
    conn: &mut AnyConnection,
    id: i64,
    secret: &str,
    previous: Option<(&str, NaiveDateTime)>,
    now: NaiveDateTime,
) -> QueryResult<WebhookRow> {
    diesel::update(webhooks::table.find(id))
        .set((
            webhooks::secret.eq(secret),
            webhooks::previous_secret.eq(previous.map(|p| p.0)),
            webhooks::previous_until.eq(previous.map(|p| p.1)),
            webhooks::updated_at.eq(now),
        ))
        .returning(webhooks::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(webhooks::table.find(id)).execute(conn)
}

/// The number of the newest change, 0 before any: where a new (or
/// re-enabled) endpoint starts.
pub fn log_end(conn: &mut AnyConnection) -> QueryResult<i64> {
    let end: Option<i64> = changes::table.select(max(changes::seq)).first(conn)?;
    Ok(end.unwrap_or(0))
}

pub fn list_deliveries(
    conn: &mut AnyConnection,
    webhook_id: i64,
    only: Option<&str>,
    paged: &PageRequest,
) -> QueryResult<(Vec<DeliveryRow>, i64)> {
    let base = || {
        let q = webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .into_boxed::<MultiBackend>();
        match only {
            Some(s) => q.filter(webhook_deliveries::status.eq(s.to_string())),
            None => q,
        }
    };
    let total = base().count().get_result(conn)?;
    let q = match paged.sort.first().map(|s| s.descending) {
        Some(false) => base().order(webhook_deliveries::id.asc()),
        _ => base().order(webhook_deliveries::id.desc()),
    };
    let rows = q.limit(paged.fetch()).offset(paged.offset).load(conn)?;
    Ok((rows, total))
}

pub fn find_delivery(
    conn: &mut AnyConnection,
    webhook_id: i64,
    id: i64,
) -> QueryResult<DeliveryRow> {
    webhook_deliveries::table
        .find(id)
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .first(conn)
}

pub fn insert_delivery(conn: &mut AnyConnection, new: &NewDelivery) -> QueryResult<DeliveryRow> {
    diesel::insert_into(webhook_deliveries::table)
        .values(new)
        .returning(webhook_deliveries::all_columns)
        .get_result(conn)
}

/// Puts a delivery back in the queue, due now; it keeps its `webhook-id`.
pub fn requeue(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<DeliveryRow> {
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(status::PENDING),
            webhook_deliveries::next_attempt_at.eq(Some(now)),
            webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .returning(webhook_deliveries::all_columns)
        .get_result(conn)
}

/// Deletes finished deliveries (delivered or dead) made before `cutoff`.
pub fn purge_finished(conn: &mut AnyConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::created_at.lt(cutoff))
            .filter(webhook_deliveries::status.eq_any([status::DELIVERED, status::DEAD])),
    )
    .execute(conn)
}
