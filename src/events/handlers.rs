use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDateTime;

use super::dto::Event;
use super::filters::{EventFilters, SORTABLE};
use super::input::{CreateEvent, UpdateEvent};
use super::model::{EventChanges, EventRow, NewEvent};
use super::queries;
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::http::{IfMatch, Json, ListQuery, Page, Paged, respond, respond_page};
use crate::ids::path_id;
use crate::openapi as oa;
use crate::state::AppState;
use crate::workflow::{
    ContentKind, Status, authorize_new, change_status, hidden_unless_allowed, limit_submissions,
};

const KIND: ContentKind = ContentKind::Event;

pub(super) async fn page_of(
    state: &AppState,
    caller: &Caller,
    query: &ListQuery<EventFilters>,
    paged: &Paged,
) -> AppResult<(Page<EventRow>, NaiveDateTime)> {
    let now = state.clock.now();
    let (f, searching) = query.filters.resolve(caller, now)?;
    let by_relevance = searching && query.page.sort.is_none();
    let p = paged.clone();
    let (rows, total) = state
        .db
        .run(move |c| Ok(queries::list(c, &f, &p, by_relevance, now)?))
        .await?;
    Ok((Page::new(paged, rows, total), now))
}

/// List events: by default published events still to come or going on, soonest first.
///
/// Filters `from`, `to` (a period: events overlapping it), `city`, `category`, `q`
/// (French full text), `free`. `mine=true` lists the caller's own submissions in every
/// status; staff may filter by `status`. Sortable by `starts_at`, `ends_at`, `created_at`, `title`.
#[utoipa::path(
    tag = "events",
    params(crate::http::PageParams, EventFilters),
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
    query: ListQuery<EventFilters>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&SORTABLE, "starts_at")?;
    let (page, now) = page_of(&state, &caller, &query, &paged).await?;
    let page = page.map(|r| Event::from_row(r, now));
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}

/// An event as `caller` may see it: published ones to all, past ones included;
/// others to their submitter and the staff only (404 to anyone else).
fn readable(caller: &Caller, row: &EventRow, now: NaiveDateTime) -> AppResult<()> {
    if row.is_public(now) {
        return Ok(());
    }
    hidden_unless_allowed(caller, KIND, &row.owners())
}

pub(super) async fn load(
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> AppResult<(EventRow, NaiveDateTime)> {
    let id = path_id(raw)?;
    let now = state.clock.now();
    let row = state.db.run(move |c| Ok(queries::find(c, id)?)).await?;
    readable(caller, &row, now)?;
    Ok((row, now))
}

/// Read an event (past events stay readable).
#[utoipa::path(
    tag = "events",
    params(("id" = String, Path, description = "The event's id")),
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
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (row, now) = load(&state, &caller, &path).await?;
    Ok(respond(
        &req,
        caller.freshness(),
        &Event::from_row(row, now),
    ))
}

fn set_status(
    c: &mut EventChanges,
    from: Option<Status>,
    to: Status,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<()> {
    let change = change_status(from, to, c.published_at, reason, now)?;
    c.status = change.status.to_string();
    c.published_at = change.published_at;
    c.rejection_reason = change.rejection_reason;
    Ok(())
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
    origin: crate::audit::Origin, // audit (issue 15)
    body: Json<CreateEvent>,
) -> AppResult<HttpResponse> {
    let to = authorize_new(&caller, KIND, body.status)?;
    limit_submissions(&state, &caller, KIND).await?;
    let now = state.clock.now();
    let mut c = body.0.into_changes(now);
    set_status(&mut c, None, to, None, now)?;
    let new = NewEvent {
        fields: c.into(),
        submitted_by: caller.user_id().map(|u| u.0),
        created_at: now,
    };
    let row = state
        .db
        .write(move |conn| Ok(queries::insert(conn, &new)?))
        .await?;
    crate::audit::content_created(
        &state,
        crate::audit::Actor::of(&caller, &origin),
        ("event", row.id),
        row.status.clone(),
    )
    .await; // audit (issue 15)
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/events/{}", row.id)))
        .json(Event::from_row(row, now)))
}

/// Change an event, or decide on it: editors publish (`status: published`) or
/// reject (`status: rejected` with a `rejection_reason` the submitter reads).
/// A member edits their own event until it is published. Invalid moves are 422.
#[utoipa::path(
    tag = "events",
    params(
        ("id" = String, Path, description = "The event's id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
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
    origin: crate::audit::Origin, // audit (issue 15)
    path: web::Path<String>,
    body: Json<UpdateEvent>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let mut body = body.0;
    let now = state.clock.now();
    let row = state
        .db
        .write(move |conn| {
            let current = queries::find(conn, id)?;
            readable(&caller, &current, now)?;
            if_match.check(&Event::from_row(current.clone(), now))?;
            let owners = current.owners();
            let shown = Status::shown(&current.status, current.published_at, now);
            if body.edits_fields() {
                authorize(
                    &caller,
                    Action::EditContent {
                        kind: KIND,
                        owners: &owners,
                        status: shown,
                    },
                )?;
            }
            let to = body.status.take();
            let reason = body.rejection_reason.take();
            let mut c = EventChanges::from(&current);
            body.apply_to(&mut c);
            if c.ends_at <= c.starts_at {
                return Err(AppError::invalid("ends_at", "must be after starts_at"));
            }
            if to.is_some() || reason.is_some() {
                let to = to.unwrap_or(shown);
                authorize(
                    &caller,
                    Action::SetStatus {
                        kind: KIND,
                        owners: &owners,
                        to,
                    },
                )?;
                set_status(&mut c, Some(shown), to, reason.as_deref(), now)?;
            }
            crate::audit::content_status(
                conn,
                &crate::audit::Actor::of(&caller, &origin),
                ("event", id),
                Some(&current.status),
                &c.status,
                now,
            )?; // audit (issue 15)
            c.updated_at = now;
            Ok(queries::update(conn, id, &c)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Event::from_row(row, now)))
}

/// Delete an event: editors any; a member their own until it is published.
#[utoipa::path(
    tag = "events",
    params(("id" = String, Path, description = "The event's id")),
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
    origin: crate::audit::Origin, // audit (issue 15)
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let current = queries::find(conn, id)?;
            readable(&caller, &current, now)?;
            authorize(
                &caller,
                Action::DeleteContent {
                    kind: KIND,
                    owners: &current.owners(),
                    status: Status::shown(&current.status, current.published_at, now),
                },
            )?;
            crate::audit::content_deleted(
                conn,
                &crate::audit::Actor::of(&caller, &origin),
                ("event", id),
                now,
            )?; // audit (issue 15)
            queries::delete(conn, id)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
