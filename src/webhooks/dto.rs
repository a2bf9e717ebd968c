//! What the API answers about endpoints and their deliveries. A secret is
//! in the answers to creation and rotation only.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{DeliveryRow, WebhookRow};
use crate::changes::dto::ChangeItem;
use crate::ids::{DeliveryId, WebhookId};
use crate::state::utc;

/// An endpoint that receives signed deliveries of changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: WebhookId,
    #[schema(example = "https://front.example.org/api/revalidate")]
    pub url: String,
    pub description: String,
    #[schema(example = json!(["article.*", "section.*"]))]
    pub event_types: Vec<String>,
    /// False when an admin or Kiosque switched it off (see `disabled_reason`).
    pub enabled: bool,
    /// Why Kiosque switched it off: `gone` (it answered 410) or `failing`
    /// (too many failed attempts in a row); null otherwise.
    #[schema(example = json!(null))]
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Failed attempts in a row; a success resets it.
    pub failure_streak: i32,
    /// Until then the former secret signs too (after a rotation).
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Webhook {
    pub fn of(r: WebhookRow, now: chrono::NaiveDateTime) -> Self {
        let patterns = r.patterns();
        Self {
            id: WebhookId(r.id),
            url: r.url,
            description: r.description,
            event_types: patterns,
            enabled: r.enabled,
            disabled_reason: r.disabled_reason,
            disabled_at: r.disabled_at.map(utc),
            failure_streak: r.failure_streak,
            previous_secret_expires_at: r.previous_until.filter(|u| *u > now).map(utc),
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

/// An endpoint with its signing secret: the answer to creation and to
/// rotation, the only times the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_` and a base64 key: verify deliveries with it (Standard
    /// Webhooks libraries take it as is). Shown once; store it now.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwU2zkYm9PZQ8=")]
    pub secret: String,
}

/// One change (or ping) sent, or to send, to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    #[schema(example = "article.published")]
    pub event_type: String,
    /// The change's number in the log (`data.id` of the payload); null for a ping.
    #[schema(example = "1207")]
    pub change_id: Option<String>,
    /// The `webhook-id` header: the same on every attempt, to de-duplicate.
    #[schema(example = "msg_1207_3")]
    pub message_id: String,
    /// `pending` (not tried yet), `failed` (a retry is due at
    /// `next_attempt_at`), `delivered` (answered 2xx) or `dead` (every retry
    /// failed).
    #[schema(example = "delivered")]
    pub status: String,
    /// Attempts made so far.
    pub attempts: i32,
    /// The HTTP status of the last attempt; null when none came (timeout,
    /// connection failure, refused address).
    pub status_code: Option<i32>,
    pub latency_ms: Option<i64>,
    /// The first bytes (2 KiB) of the last answer, or why there was none.
    pub response: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        Self {
            id: DeliveryId(r.id),
            webhook_id: WebhookId(r.webhook_id),
            event_type: r.event_type,
            change_id: r.seq.map(|s| s.to_string()),
            message_id: r.message_id,
            status: r.status,
            attempts: r.attempts,
            status_code: r.last_status_code,
            latency_ms: r.last_latency_ms,
            response: r.last_response,
            last_attempt_at: r.last_attempt_at.map(utc),
            next_attempt_at: r.next_attempt_at.map(utc),
            created_at: utc(r.created_at),
        }
    }
}

/// The body of every delivery (Standard Webhooks 1.0).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEvent {
    /// The change's type, or `webhook.ping` for a test.
    #[serde(rename = "type")]
    #[schema(example = "article.published")]
    pub kind: String,
    /// When the change happened (RFC 3339).
    pub timestamp: DateTime<Utc>,
    /// The change, exactly as the change feed (`GET /changes`) gives it:
    /// `id` is its number in the log; `paths` are the public paths whose
    /// answers changed. A ping carries `{"webhook_id": …}` instead.
    pub data: ChangeItem,
}
