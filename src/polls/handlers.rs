//! Polls as editors manage them, and as readers list and read them.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreatePoll, PollFilters, SORTABLE, UpdatePoll};
use super::model::PollRow;
use super::results::{self, Viewer};
use super::{queries, voter, write};
use crate::auth::policy::allowed;
use crate::auth::{Action, Caller, authorize};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::http::path::Id;
use crate::http::{Freshness, IfMatch, Json, ListQuery, Page, respond, respond_page};
use crate::ids::PollId;
use crate::openapi as oa;
use crate::state::AppState;

use super::dto::Poll;

/// Who is reading: their voter key (account, or a valid voter token) and
/// whether they manage polls (and so always see results).
pub fn viewer(req: &HttpRequest, caller: &Caller, state: &AppState) -> Viewer {
    Viewer {
        key: voter::reader_key(req, caller, &state.config.jwt_secret),
        staff: allowed(caller, Action::ManagePolls),
    }
}

/// A reader known by a voter token sees their own choice: not for shared caches.
pub fn freshness(caller: &Caller, viewer: &Viewer) -> Freshness {
    if caller.is_anonymous() && viewer.key.is_none() {
        Freshness::Public
    } else {
        Freshness::Private
    }
}

/// Reads depend on the voter token too, not only on `Authorization`.
pub fn vary_on_voter(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Authorization, Cookie, X-Voter-Token"),
    );
    res
}

fn view_one(
    c: &mut AnyConnection,
    row: PollRow,
    viewer: &Viewer,
    state: &AppState,
) -> AppResult<Poll> {
    let now = state.clock.now();
    let allow_change = state.config.poll_allow_vote_change;
    results::build(c, vec![row], viewer, allow_change, now)?
        .pop()
        .ok_or_else(|| AppError::internal("a poll view went missing"))
}

/// List polls, newest first by default.
///
/// Sortable by `created_at`, `opens_at`, `closes_at`. Filter by `article`
/// (the polls of an article) and `status`. Each poll carries its results as
/// the caller may see them.
#[utoipa::path(
    tag = "polls",
    params(crate::http::PageParams, PollFilters),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of polls", body = Page<Poll>),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/polls")]
pub async fn list_polls(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<PollFilters>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&SORTABLE, "-created_at")?;
    let viewer = viewer(&req, &caller, &state);
    let fresh = freshness(&caller, &viewer);
    let (p, st) = (paged.clone(), state.clone());
    let filters = query.filters;
    let (views, total) = state
        .db
        .run(move |c| {
            let now = st.clock.now();
            let (rows, total) = queries::list(c, &filters, &p, now)?;
            let views = results::build(c, rows, &viewer, st.config.poll_allow_vote_change, now)?;
            Ok((views, total))
        })
        .await?;
    let page = Page::new(&paged, views, total);
    Ok(vary_on_voter(respond_page(&req, fresh, &page, &paged)))
}

/// Read a poll, with its results as the caller may see them.
#[utoipa::path(
    tag = "polls",
    params(
        Id<PollId>,
        ("X-Voter-Token" = Option<String>, Header, description = "An anonymous voter's token (or the `kiosque_voter` cookie): shows their own choice"),
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The poll", body = Poll,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = oa::Unauthorized),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/polls/{id}")]
pub async fn get_poll(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<PollId>,
) -> AppResult<HttpResponse> {
    let id = path.0.0;
    let viewer = viewer(&req, &caller, &state);
    let fresh = freshness(&caller, &viewer);
    let st = state.clone();
    let poll = state
        .db
        .run(move |c| {
            let row = queries::find(c, id)?;
            view_one(c, row, &viewer, &st)
        })
        .await?;
    Ok(vary_on_voter(respond(&req, fresh, &poll)))
}

/// Create a poll (editors, admins, keys with `content:write`).
///
/// A poll is public once created; votes are taken from `opens_at` to `closes_at`.
#[utoipa::path(
    tag = "polls",
    request_body = CreatePoll,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Poll,
         headers(("Location" = String, description = "The new poll's address"))),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/polls")]
pub async fn create_poll(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreatePoll>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManagePolls)?;
    let body = body.0;
    let now = state.clock.now();
    let opens_at = body.opens_at.map(crate::state::stored).unwrap_or(now);
    let closes_at = crate::state::stored(body.closes_at);
    if closes_at <= opens_at {
        return Err(AppError::invalid("closes_at", "must be after opens_at"));
    }
    let viewer = viewer(&req, &caller, &state);
    let st = state.clone();
    let created_by = caller.user_id().map(|u| u.0);
    let poll = state
        .db
        .write(move |c| {
            let row = write::create(c, body, opens_at, closes_at, created_by, now)?;
            crate::changes::record(c, row.change("created", now))?;
            view_one(c, row, &viewer, &st)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/polls/{}", poll.id)))
        .json(poll))
}

/// Change a poll. Question, description, times, voting and visibility rules
/// and the article may change at any time; `options`, `multiple` and
/// `max_choices` are frozen once the first vote is in (409). Send `If-Match`
/// with the ETag you read to refuse a stale update (a vote in between changes it).
#[utoipa::path(
    tag = "polls",
    params(
        Id<PollId>,
        crate::http::IfMatch,
    ),
    request_body = UpdatePoll,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Poll),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 412, response = oa::PreconditionFailed),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[patch("/polls/{id}")]
pub async fn update_poll(
    req: HttpRequest,
    if_match: IfMatch,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<PollId>,
    body: Json<UpdatePoll>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManagePolls)?;
    let id = path.0.0;
    let body = body.0;
    let now = state.clock.now();
    let viewer = viewer(&req, &caller, &state);
    let st = state.clone();
    let poll = state
        .db
        .write(move |c| {
            let current = queries::find(c, id)?;
            if_match.check(&view_one(c, current.clone(), &viewer, &st)?)?;
            let before = current.article_id;
            let row = write::update(c, current, body, now)?;
            // the article it leaves shows it no more
            let left = before.filter(|a| Some(*a) != row.article_id);
            crate::changes::record(
                c,
                row.change("updated", now)
                    .keys(left.map(|a| format!("article:{a}"))),
            )?;
            view_one(c, row, &viewer, &st)
        })
        .await?;
    Ok(HttpResponse::Ok().json(poll))
}

/// Close a poll now. Closing a poll that is already closed changes nothing;
/// a poll that has not opened yet cannot be closed (409: change its times or delete it).
#[utoipa::path(
    tag = "polls",
    params(Id<PollId>),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Closed", body = Poll),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/polls/{id}/close")]
pub async fn close_poll(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<PollId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManagePolls)?;
    let id = path.0.0;
    let now = state.clock.now();
    let viewer = viewer(&req, &caller, &state);
    let st = state.clone();
    let poll = state
        .db
        .write(move |c| {
            let current = queries::find(c, id)?;
            let was = current.closes_at;
            let row = write::close(c, current, now)?;
            if row.closes_at != was {
                crate::changes::timed::tell(c, "poll", row.id, "closed", row.closes_at, now)?;
                crate::changes::record(c, row.change("closed", now))?;
            }
            view_one(c, row, &viewer, &st)
        })
        .await?;
    Ok(HttpResponse::Ok().json(poll))
}

/// Delete a poll, its options and its votes.
#[utoipa::path(
    tag = "polls",
    params(Id<PollId>),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[delete("/polls/{id}")]
pub async fn delete_poll(
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<PollId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManagePolls)?;
    let id = path.0.0;
    let now = state.clock.now();
    state
        .db
        .write(move |c| {
            let current = queries::find(c, id)?;
            let change = current.change("deleted", now);
            match queries::delete(c, id)? {
                0 => Err(AppError::not_found("no such poll")),
                _ => {
                    crate::changes::timed::forget(c, "poll", id)?;
                    crate::changes::record(c, change)
                }
            }
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
