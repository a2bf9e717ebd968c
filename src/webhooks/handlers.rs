//! Endpoints: create, list, read, change, rotate the secret, delete (admins).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{Webhook, WebhookWithSecret};
use super::model::{NewWebhook, WebhookChanges};
use super::requests::{CreateWebhook, UpdateWebhook, WebhookFilters, normalise_types};
use super::{queries, signing};
use crate::audit::{self, Actor, Entry, Origin};
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::http::path::Id;
use crate::http::{IfMatch, Json, ListQuery, Page, respond, respond_page};
use crate::ids::WebhookId;
use crate::openapi as oa;
use crate::outbound::Failure;
use crate::state::AppState;

/// A URL that may not be called, as a clear 422.
pub(super) fn target_problem(f: Failure) -> AppError {
    match f {
        Failure::BadTarget(why) => AppError::invalid("url", why),
        Failure::Refused(r) => AppError::unprocessable(
            "target_refused",
            format!(
                "url: {r}; deliveries never go to private, loopback, link-local or \
                 metadata addresses (KIOSQUE_OUTBOUND_ALLOW lists exceptions)"
            ),
        ),
        other => AppError::unprocessable(
            "target_unresolvable",
            format!("url: {other}; give a host that resolves"),
        ),
    }
}

/// A URL as the audit log keeps it: without its query or fragment, where
/// receivers sometimes put a token.
fn url_for_audit(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or("").to_string()
}

/// Create an endpoint. Its signing secret is in this answer only.
///
/// The URL's host is resolved now and refused (422 `target_refused`) when
/// it stands for a private, loopback, link-local or metadata address; it is
/// checked again at each delivery.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateWebhook,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `secret` is shown this once", body = WebhookWithSecret,
         headers(("Location" = String, description = "The new endpoint's address"))),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    body: Json<CreateWebhook>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageWebhooks)?;
    let body = body.0;
    state
        .outbound
        .check_target(&body.url)
        .await
        .map_err(target_problem)?;
    let now = state.clock.now();
    let secret = signing::new_secret();
    let event_types = normalise_types(Some(body.event_types.unwrap_or_else(|| vec!["*".into()])))
        .unwrap_or_default();
    let (created_by, actor) = (caller.user_id().map(|u| u.0), Actor::of(&caller, &origin));
    let new_secret = secret.clone();
    let row = state
        .db
        .write(move |c| {
            // from the next change on
            let last_seq = queries::log_end(c)?;
            let row = queries::insert(
                c,
                &NewWebhook {
                    url: body.url,
                    description: body.description,
                    event_types,
                    enabled: body.enabled.unwrap_or(true),
                    secret: new_secret,
                    last_seq,
                    created_by,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            let entry = Entry::new("webhook.created")
                .target("webhook", row.id)
                .detail("url", url_for_audit(&row.url))
                .detail("event_types", row.patterns());
            audit::record(c, &actor, entry, now)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/webhooks/{}", row.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(WebhookWithSecret {
            webhook: Webhook::of(row, now),
            secret,
        }))
}

/// List endpoints, newest first, without their secrets.
#[utoipa::path(
    tag = "webhooks",
    params(crate::http::PageParams, WebhookFilters),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of endpoints", body = Page<Webhook>),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<WebhookFilters>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageWebhooks)?;
    let paged = query.paged(&["created_at"], "-created_at")?;
    let p = paged.clone();
    let (rows, total) = state.db.run(move |c| Ok(queries::list(c, &p)?)).await?;
    let now = state.clock.now();
    let page = Page::new(&paged, rows, total).map(|r| Webhook::of(r, now));
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}

/// Read an endpoint, without its secret.
#[utoipa::path(
    tag = "webhooks",
    params(Id<WebhookId>),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The endpoint", body = Webhook,
         headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<WebhookId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageWebhooks)?;
    let id = path.0.0;
    let row = state.db.run(move |c| Ok(queries::find(c, id)?)).await?;
    let now = state.clock.now();
    Ok(respond(&req, caller.freshness(), &Webhook::of(row, now)))
}

/// Change an endpoint. Send `If-Match` with the ETag you read to refuse a
/// stale update. A new URL is checked as at creation.
#[utoipa::path(
    tag = "webhooks",
    params(Id<WebhookId>, crate::http::IfMatch),
    request_body = UpdateWebhook,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Webhook),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 412, response = oa::PreconditionFailed),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    if_match: IfMatch,
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<WebhookId>,
    body: Json<UpdateWebhook>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageWebhooks)?;
    let (id, body) = (path.0.0, body.0);
    if let Some(url) = &body.url {
        state
            .outbound
            .check_target(url)
            .await
            .map_err(target_problem)?;
    }
    let now = state.clock.now();
    let actor = Actor::of(&caller, &origin);
    let row = state
        .db
        .write(move |c| {
            let current = queries::find(c, id)?;
            if_match.check(&Webhook::of(current.clone(), now))?;
            let mut changes = WebhookChanges {
                url: body.url,
                description: body.description,
                event_types: normalise_types(body.event_types),
                enabled: body.enabled,
                updated_at: Some(now),
                ..Default::default()
            };
            if body.enabled == Some(true) && !current.enabled {
                // back from the start: no reason, no streak, from the next change
                changes.disabled_reason = Some(None);
                changes.disabled_at = Some(None);
                changes.failure_streak = Some(0);
                changes.last_seq = Some(queries::log_end(c)?);
            }
            let fields: Vec<&str> = [
                ("url", changes.url.is_some()),
                ("description", changes.description.is_some()),
                ("event_types", changes.event_types.is_some()),
                ("enabled", changes.enabled.is_some()),
            ]
            .into_iter()
            .filter_map(|(f, set)| set.then_some(f))
            .collect();
            let mut entry = Entry::new("webhook.updated")
                .target("webhook", id)
                .detail("fields", fields);
            if let Some(url) = &changes.url {
                entry = entry.detail("url", url_for_audit(url));
            }
            if let Some(on) = changes.enabled {
                entry = entry.detail("enabled", on);
            }
            let row = queries::update(c, id, &changes)?;
            audit::record(c, &actor, entry, now)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Webhook::of(row, now)))
}

/// Delete an endpoint and its delivery log; nothing more is sent to it.
#[utoipa::path(
    tag = "webhooks",
    params(Id<WebhookId>),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<WebhookId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageWebhooks)?;
    let id = path.0.0;
    let now = state.clock.now();
    let actor = Actor::of(&caller, &origin);
    state
        .db
        .write(move |c| {
            if queries::delete(c, id)? == 0 {
                return Err(AppError::not_found("no such webhook"));
            }
            audit::record(
                c,
                &actor,
                Entry::new("webhook.deleted").target("webhook", id),
                now,
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
