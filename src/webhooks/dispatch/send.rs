//! One attempt: the signed POST of a delivery, and what its answer means.

use std::time::Instant;

use super::super::model::{DeliveryRow, WebhookRow};
use super::super::signing;
use super::queue::Outcome;
use crate::outbound::{Call, Outbound};
use crate::state::Clock;

/// Bytes of an answer kept in the delivery log.
pub const LOG_BYTES: usize = 2_048;

pub async fn attempt(
    outbound: &Outbound,
    clock: &Clock,
    delivery: DeliveryRow,
    hook: WebhookRow,
) -> Outcome {
    let sent_at = clock.now_utc();
    let now = clock.now();
    let timestamp = sent_at.timestamp();
    let body = delivery.payload.into_bytes();
    let signature = signing::header(
        &hook.signing_secrets(now),
        &delivery.message_id,
        timestamp,
        &body,
    );
    let call = Call::post(hook.url, body)
        .header("content-type", "application/json")
        .header("webhook-id", delivery.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .read_at_most(LOG_BYTES);
    let started = Instant::now();
    let answer = outbound.send(call).await;
    let latency_ms = started.elapsed().as_millis() as i64;
    let mut outcome = Outcome {
        delivery_id: delivery.id,
        webhook_id: delivery.webhook_id,
        attempt: delivery.attempts,
        at: now,
        status_code: None,
        latency_ms,
        response: String::new(),
        delivered: false,
        gone: false,
    };
    match answer {
        Ok(reply) => {
            let mut text = String::from_utf8_lossy(&reply.body).into_owned();
            if reply.truncated {
                text.push('…');
            }
            if (300..400).contains(&reply.status) {
                let to = reply.location.as_deref().unwrap_or("nowhere");
                text = format!("redirect to {to} not followed; {text}");
            }
            outcome.status_code = Some(i32::from(reply.status));
            outcome.latency_ms = reply.elapsed.as_millis() as i64;
            outcome.delivered = (200..300).contains(&reply.status);
            outcome.gone = reply.status == 410;
            outcome.response = text;
        }
        Err(failure) => outcome.response = failure.to_string(),
    }
    outcome
}
