//! The events' endpoints: each extracts its request and hands over to the
//! review workflow's shared sequence (`review::flow`).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDateTime;

use super::dto::Event;
use super::filters::{EventFilters, SORTABLE};
use super::model::EventRow;
use super::queries;
use super::requests::{CreateEvent, UpdateEvent};
use crate::audit::Origin;
use crate::auth::Caller;
use crate::error::AppResult;
use crate::http::path::Id;
use crate::http::shape::{ShapeParams, respond_page_shaped, respond_shaped};
use crate::http::{IfMatch, Json, ListQuery, Page, PageRequest, Query};
use crate::ids::EventId;
use crate::openapi as oa;
use crate::review::flow;
use crate::state::AppState;

pub(super) async fn page_of<S>(
    state: &AppState,
    caller: &Caller,
    query: &ListQuery<EventFilters, S>,
    paged: &PageRequest,
) -> AppResult<(Page<EventRow>, NaiveDateTime)> {
    let now = state.clock.now();
    let (f, searching) = query.filters.resolve(caller, now)?;
    let by_relevance = searching && query.page.sort.is_none();
    let (p, totals) = (paged.clone(), state.totals.clone());
    // read before anything the total depends on (see `db::totals`)
    let generation = state.db.generation();
    let page = state
        .db
        .run(move |c| queries::page(c, &f, &p, by_relevance, now, &totals, generation))
        .await?;
    Ok((page, now))
}

/// List events: by default published events still to come or going on, soonest first.
///
/// Filters `from`, `to` (a period: events overlapping it), `city`, `category`, `q`
/// (French full text), `free`. `mine=true` lists the caller's own submissions in every
/// status; staff may filter by `status`. Sortable by `starts_at`, `ends_at`, `created_at`, `title`.
#[utoipa::path(
    tag = "events",
    params(crate::http::PageParams, EventFilters, ShapeParams),
    responses(
        (status = 200, description = "A page of events", body = Page<Event>),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/events")]
pub async fn list_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<EventFilters, ShapeParams>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&SORTABLE, "starts_at")?;
    let shape = query.extra.resolve::<Event>()?;
    let (page, now) = page_of(&state, &caller, &query, &paged).await?;
    let images = flow::uses(&state, &page.data).await?;
    let page = page.map(|r| Event::from_row(r, now, &images));
    respond_page_shaped(&req, caller.freshness(), &shape, &page, &paged)
}

/// Read an event (past events stay readable).
#[utoipa::path(
    tag = "events",
    params(Id<EventId>, ShapeParams),
    responses(
        (status = 200, description = "The event", body = Event,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = oa::Unauthorized),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/events/{id}")]
pub async fn get_event(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<EventId>,
    shape: Query<ShapeParams>,
) -> AppResult<HttpResponse> {
    let shape = shape.resolve::<Event>()?;
    let (row, now) = flow::load::<EventRow>(&state, &caller, path.0.0).await?;
    respond_shaped(
        &req,
        caller.freshness(),
        &shape,
        &flow::shown(&state, row, now).await?,
    )
}

/// Post an event. A member's event is a submission: it starts `pending`, stays
/// invisible and waits for an editor (members may not ask for `published`: 403).
/// Members are limited to `KIOSQUE_SUBMISSIONS_PER_HOUR` submissions an hour (429).
#[utoipa::path(
    tag = "events",
    request_body = CreateEvent,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Event,
         headers(("Location" = String, description = "The new event's address"))),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/events")]
pub async fn create_event(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    body: Json<CreateEvent>,
) -> AppResult<HttpResponse> {
    flow::create::<EventRow>(&state, &caller, &origin, body.0).await
}

/// Change an event, or decide on it: editors publish (`status: published`) or
/// reject (`status: rejected` with a `rejection_reason` the submitter reads).
/// A member edits their own event until it is published. Invalid moves are 422.
#[utoipa::path(
    tag = "events",
    params(
        Id<EventId>,
        crate::http::IfMatch,
    ),
    request_body = UpdateEvent,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Event),
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
#[patch("/events/{id}")]
pub async fn update_event(
    if_match: IfMatch,
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<EventId>,
    body: Json<UpdateEvent>,
) -> AppResult<HttpResponse> {
    flow::update::<EventRow>(&state, caller, &origin, if_match, path.0.0, body.0).await
}

/// Delete an event: editors any; a member their own until it is published.
#[utoipa::path(
    tag = "events",
    params(Id<EventId>),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[delete("/events/{id}")]
pub async fn delete_event(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<EventId>,
) -> AppResult<HttpResponse> {
    flow::delete::<EventRow>(&state, caller, &origin, path.0.0).await
}
