//! Webhooks (admins, under `/api/v1/webhooks`): endpoints that receive every
//! change of content they subscribe to, signed per Standard Webhooks 1.0,
//! exactly once per endpoint across nodes, in order per resource, retried
//! with backoff, and switched off when gone or failing for too long.
//!
//! - `handlers`, `secret`, `deliveries`: the API (endpoints; secret rotation;
//!   their log, redelivery, ping);
//! - `dispatch`: the worker every node runs (fan-out, claims, sends, results);
//! - `signing`, `payload`, `types`: the wire format and the subscriptions;
//! - `document`: the payloads as OpenAPI 3.1 `webhooks`.
//!
//! Calls go through [`crate::outbound`], which refuses private and metadata
//! addresses at creation and again at each delivery.

pub mod deliveries;
pub mod dispatch;
pub mod document;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod payload;
pub mod queries;
pub mod requests;
pub mod secret;
pub mod signing;
pub mod types;

pub use dispatch::start;
pub use document::describe;

use crate::error::AppResult;
use crate::state::AppState;

/// Deletes finished deliveries older than `KIOSQUE_WEBHOOK_LOG_DAYS`.
pub async fn purge_log(state: &AppState) -> AppResult<usize> {
    let days = i64::from(state.config.webhooks.log_days);
    let cutoff = state.clock.now() - chrono::Duration::days(days);
    state
        .db
        .write(move |c| Ok(queries::purge_finished(c, cutoff)?))
        .await
}
