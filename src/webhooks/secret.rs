//! Rotating an endpoint's signing secret (admins).

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};

use super::dto::{Webhook, WebhookWithSecret};
use super::{queries, signing};
use crate::audit::{self, Actor, Entry, Origin};
use crate::auth::{Action, Caller, authorize};
use crate::error::AppResult;
use crate::http::path::Id;
use crate::ids::WebhookId;
use crate::openapi as oa;
use crate::state::AppState;

/// Rotate the signing secret. The new secret is in this answer only; for
/// `KIOSQUE_WEBHOOK_ROTATION_HOURS` (24 by default) deliveries carry a
/// signature from each secret, so receivers can switch without losing any.
#[utoipa::path(
    tag = "webhooks",
    params(Id<WebhookId>),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The endpoint with its new secret, shown this once", body = WebhookWithSecret),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<WebhookId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageWebhooks)?;
    let id = path.0.0;
    let now = state.clock.now();
    let window = chrono::Duration::from_std(state.config.webhooks.rotation_window)
        .unwrap_or_else(|_| chrono::Duration::hours(24));
    let actor = Actor::of(&caller, &origin);
    let secret = signing::new_secret();
    let new_secret = secret.clone();
    let row = state
        .db
        .write(move |c| {
            let current = queries::find(c, id)?;
            let previous = (!window.is_zero()).then(|| (current.secret.as_str(), now + window));
            let row = queries::set_secret(c, id, &new_secret, previous, now)?;
            audit::record(
                c,
                &actor,
                Entry::new("webhook.secret_rotated").target("webhook", id),
                now,
            )?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(WebhookWithSecret {
            webhook: Webhook::of(row, now),
            secret,
        }))
}
