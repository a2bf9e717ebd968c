use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{webhook_deliveries, webhooks};

#[derive(Debug, Clone, Queryable)]
pub struct WebhookRow {
    pub id: i64,
    pub url: String,
    pub description: String,
    /// A JSON array of patterns.
    pub event_types: String,
    pub enabled: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_until: Option<NaiveDateTime>,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<NaiveDateTime>,
    pub failure_streak: i32,
    pub last_seq: i64,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl WebhookRow {
    pub fn patterns(&self) -> Vec<String> {
        serde_json::from_str(&self.event_types).unwrap_or_default()
    }

    /// The secrets that sign a delivery sent at `now`: the current one, and
    /// the former one during its rotation window.
    pub fn signing_secrets(&self, now: NaiveDateTime) -> Vec<String> {
        let mut secrets = vec![self.secret.clone()];
        if let (Some(old), Some(until)) = (&self.previous_secret, self.previous_until)
            && until > now
        {
            secrets.push(old.clone());
        }
        secrets
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = webhooks)]
pub struct NewWebhook {
    pub url: String,
    pub description: String,
    pub event_types: String,
    pub enabled: bool,
    pub secret: String,
    pub last_seq: i64,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What an update may change; `None` leaves a field as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhooks)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<String>,
    pub enabled: Option<bool>,
    pub disabled_reason: Option<Option<String>>,
    pub disabled_at: Option<Option<NaiveDateTime>>,
    pub failure_streak: Option<i32>,
    pub last_seq: Option<i64>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable)]
pub struct DeliveryRow {
    pub id: i64,
    pub webhook_id: i64,
    pub seq: Option<i64>,
    pub event_type: String,
    pub resource_key: String,
    pub message_id: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_status_code: Option<i32>,
    pub last_latency_ms: Option<i64>,
    pub last_response: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct NewDelivery {
    pub webhook_id: i64,
    pub seq: Option<i64>,
    pub event_type: String,
    pub resource_key: String,
    pub message_id: String,
    pub payload: String,
    pub status: String,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// The statuses of a delivery.
pub mod status {
    /// Waiting for its first attempt (or a manual redelivery).
    pub const PENDING: &str = "pending";
    /// An attempt failed; the next is due at `next_attempt_at`.
    pub const FAILED: &str = "failed";
    pub const DELIVERED: &str = "delivered";
    /// Every retry failed; only a manual redelivery sends it again.
    pub const DEAD: &str = "dead";
}

/// Why Kiosque switched an endpoint off.
pub mod disabled {
    /// It answered 410 Gone.
    pub const GONE: &str = "gone";
    /// Too many failed attempts in a row.
    pub const FAILING: &str = "failing";
}
