//! The body of a delivery (Standard Webhooks 1.0): `{type, timestamp, data}`,
//! where `data` is the change exactly as the change feed gives it.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::changes::dto::ChangeItem;
use crate::changes::model::ChangeRow;
use crate::state::utc;

/// The type of a test delivery.
pub const PING: &str = "webhook.ping";

/// The body for a change.
pub fn of_change(row: ChangeRow) -> String {
    let item = ChangeItem::from(row);
    json!({
        "type": item.kind,
        "timestamp": item.occurred_at,
        "data": item,
    })
    .to_string()
}

/// The body of a ping.
pub fn ping(webhook_id: i64, now: NaiveDateTime) -> String {
    json!({
        "type": PING,
        "timestamp": utc(now),
        "data": {"webhook_id": webhook_id.to_string()},
    })
    .to_string()
}

/// Deliveries of one resource to one endpoint go out in order.
pub fn resource_key(row: &ChangeRow) -> String {
    format!("{}:{}", row.resource_type, row.resource_id)
}

/// The `webhook-id` of a change sent to an endpoint: the same on every
/// attempt, on every node, after any crash.
pub fn message_id(seq: i64, webhook_id: i64) -> String {
    format!("msg_{seq}_{webhook_id}")
}
