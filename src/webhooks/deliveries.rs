//! An endpoint's delivery log, a manual redelivery, and a test ping (admins).

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::dto::Delivery;
use super::model::{NewDelivery, status};
use super::requests::DeliveryFilters;
use super::{payload, queries};
use crate::audit::{self, Actor, Entry, Origin};
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::http::path::Id;
use crate::http::{ListQuery, Page, respond_page};
use crate::ids::{DeliveryId, WebhookId};
use crate::openapi as oa;
use crate::state::AppState;

fn disabled() -> AppError {
    AppError::new(
        actix_web::http::StatusCode::CONFLICT,
        "webhook_disabled",
        "the endpoint is disabled; enable it (PATCH enabled=true) first",
    )
}

/// The endpoint's deliveries, newest first: what was sent, how each last
/// attempt went (status code, latency, the first bytes of the answer) and
/// when the next retry is due. Sortable by `created_at`.
#[utoipa::path(
    tag = "webhooks",
    params(Id<WebhookId>, crate::http::PageParams, DeliveryFilters),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of deliveries", body = Page<Delivery>),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<WebhookId>,
    query: ListQuery<DeliveryFilters>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageWebhooks)?;
    let id = path.0.0;
    let paged = query.paged(&["created_at"], "-created_at")?;
    let only = query.filters.status.map(|s| s.as_str());
    let p = paged.clone();
    let (rows, total) = state
        .db
        .run(move |c| {
            queries::find(c, id)?;
            Ok(queries::list_deliveries(c, id, only, &p)?)
        })
        .await?;
    let page = Page::new(&paged, rows, total).map(Delivery::from);
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}

/// Send a delivery again, now, with the same `webhook-id` (receivers that
/// de-duplicate see the same message). One more attempt: if it fails, the
/// retries go on where they stood. 409 while it is being sent, or while
/// the endpoint is disabled.
#[utoipa::path(
    tag = "webhooks",
    params(Id<WebhookId>, Id<DeliveryId>),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued; the log shows how it went", body = Delivery),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    hook: Id<WebhookId>,
    delivery: Id<DeliveryId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageWebhooks)?;
    let (hook_id, id) = (hook.0.0, delivery.0.0);
    let now = state.clock.now();
    let actor = Actor::of(&caller, &origin);
    let row = state
        .db
        .write(move |c| {
            let hook = queries::find(c, hook_id)?;
            let current = queries::find_delivery(c, hook_id, id)?;
            if !hook.enabled {
                return Err(disabled());
            }
            if current.claimed_until.is_some_and(|u| u > now) {
                return Err(AppError::conflict(
                    "this delivery is being sent right now; look at the log in a moment",
                ));
            }
            let row = queries::requeue(c, id, now)?;
            let entry = Entry::new("webhook.redelivered")
                .target("webhook", hook_id)
                .detail("delivery", id.to_string());
            audit::record(c, &actor, entry, now)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(Delivery::from(row)))
}

/// Send a test event (`webhook.ping`) to the endpoint, signed like any
/// delivery, whatever types it subscribes to.
#[utoipa::path(
    tag = "webhooks",
    params(Id<WebhookId>),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued; the log shows how it went", body = Delivery),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<WebhookId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageWebhooks)?;
    let id = path.0.0;
    let now = state.clock.now();
    let actor = Actor::of(&caller, &origin);
    let row = state
        .db
        .write(move |c| {
            if !queries::find(c, id)?.enabled {
                return Err(disabled());
            }
            let message_id = format!("msg_ping_{:016x}", rand::random::<u64>());
            let row = queries::insert_delivery(
                c,
                &NewDelivery {
                    webhook_id: id,
                    seq: None,
                    event_type: payload::PING.into(),
                    resource_key: message_id.clone(),
                    payload: payload::ping(id, now),
                    message_id,
                    status: status::PENDING.into(),
                    next_attempt_at: Some(now),
                    created_at: now,
                },
            )?;
            let entry = Entry::new("webhook.pinged").target("webhook", id);
            audit::record(c, &actor, entry, now)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(Delivery::from(row)))
}
