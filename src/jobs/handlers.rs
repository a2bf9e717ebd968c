use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDateTime;

use super::dto::Job;
use super::filters::{JobFilters, SORTABLE};
use super::input::{CreateJob, UpdateJob};
use super::model::{JobChanges, JobRow, NewJob};
use super::queries;
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::http::{IfMatch, Json, ListQuery, Page, respond, respond_page};
use crate::ids::path_id;
use crate::openapi as oa;
use crate::state::AppState;
use crate::workflow::{
    ContentKind, Status, authorize_new, change_status, hidden_unless_allowed, limit_submissions,
};

const KIND: ContentKind = ContentKind::Job;

/// List job offers: published and unexpired ones, newest first.
///
/// Filters `q` (French full text, accents ignored: relevance first), `contract_type`
/// (comma-separated), `city`, `remote`, `published_after`. `mine=true` lists the caller's
/// own submissions in every status (with their `rejection_reason`); staff may filter by `status`.
/// Sortable by `published_at`, `expires_at`, `created_at`, `title`.
#[utoipa::path(
    tag = "jobs",
    params(crate::http::PageParams, JobFilters),
    responses(
        (status = 200, description = "A page of job offers", body = Page<Job>),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/jobs")]
pub async fn list_jobs(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<JobFilters>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&SORTABLE, "-published_at")?;
    let filters = query.filters.resolve(&caller)?;
    let by_relevance = query.page.sort.is_none();
    let now = state.clock.now();
    let p = paged.clone();
    let (rows, total) = state
        .db
        .run(move |c| Ok(queries::list(c, &filters, &p, by_relevance, now)?))
        .await?;
    let page = Page::new(&paged, rows, total).map(|r| Job::from_row(r, now));
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}

/// An offer as `caller` may see it: public ones to all; unpublished ones to
/// their submitter and the staff (404 to others); expired ones answer 410 to the public.
fn readable(caller: &Caller, row: &JobRow, now: NaiveDateTime) -> AppResult<()> {
    if row.is_public(now) {
        return Ok(());
    }
    let live = row.status == "published" && row.published_at.is_some_and(|t| t <= now);
    hidden_unless_allowed(caller, KIND, &row.owners()).map_err(|e| {
        if live && row.is_expired(now) {
            AppError::gone("this job offer has expired")
        } else {
            e
        }
    })
}

async fn load(state: &AppState, caller: &Caller, raw: &str) -> AppResult<(JobRow, NaiveDateTime)> {
    let id = path_id(raw)?;
    let now = state.clock.now();
    let row = state.db.run(move |c| Ok(queries::find(c, id)?)).await?;
    readable(caller, &row, now)?;
    Ok((row, now))
}

/// Read a job offer. Expired offers answer 410 Gone to the public.
#[utoipa::path(
    tag = "jobs",
    params(("id" = String, Path, description = "The offer's id")),
    responses(
        (status = 200, description = "The offer", body = Job,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = oa::Unauthorized),
        (status = 404, response = oa::NotFound),
        (status = 410, description = "The offer has expired (to readers other than its submitter and the staff)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/jobs/{id}")]
pub async fn get_job(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (row, now) = load(&state, &caller, &path).await?;
    Ok(respond(&req, caller.freshness(), &Job::from_row(row, now)))
}

/// The offer as schema.org `JobPosting` JSON-LD, for search engines' job listings.
#[utoipa::path(
    tag = "jobs",
    params(("id" = String, Path, description = "The offer's id")),
    responses(
        (status = 200, description = "A schema.org JobPosting", body = Object,
         content_type = "application/ld+json"),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = oa::Unauthorized),
        (status = 404, response = oa::NotFound),
        (status = 410, description = "The offer has expired (to readers other than its submitter and the staff)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/jobs/{id}/jsonld")]
pub async fn get_job_jsonld(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (row, now) = load(&state, &caller, &path).await?;
    let doc = super::jsonld::job_posting(&Job::from_row(row, now));
    let mut res = respond(&req, caller.freshness(), &doc);
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json"),
    );
    Ok(res)
}

/// Sets the status, publication time and expiry that follow from `to`.
fn set_status(
    c: &mut JobChanges,
    from: Option<Status>,
    to: Status,
    reason: Option<&str>,
    now: NaiveDateTime,
    default_days: u32,
) -> AppResult<()> {
    let change = change_status(from, to, c.published_at, reason, now)?;
    c.status = change.status.to_string();
    c.published_at = change.published_at;
    c.rejection_reason = change.rejection_reason;
    if c.status == "published" && c.expires_at.is_none() {
        c.expires_at = c
            .published_at
            .map(|p| p + chrono::Duration::days(default_days.into()));
    }
    Ok(())
}

fn check_expiry(c: &JobChanges) -> AppResult<()> {
    match (c.published_at, c.expires_at) {
        (Some(p), Some(x)) if x <= p => Err(AppError::invalid(
            "expires_at",
            "must be after the publication time",
        )),
        _ => Ok(()),
    }
}

/// Post a job offer. A member's offer is a submission: it starts `pending`,
/// stays invisible and waits for an editor (members may not ask for `published`: 403).
/// Members are limited to `KIOSQUE_SUBMISSIONS_PER_HOUR` submissions an hour (429).
#[utoipa::path(
    tag = "jobs",
    request_body = CreateJob,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Job,
         headers(("Location" = String, description = "The new offer's address"))),
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
#[post("/jobs")]
pub async fn create_job(
    state: web::Data<AppState>,
    caller: Caller,
    origin: crate::audit::Origin, // audit (issue 15)
    body: Json<CreateJob>,
) -> AppResult<HttpResponse> {
    let to = authorize_new(&caller, KIND, body.status)?;
    limit_submissions(&state, &caller, KIND).await?;
    let now = state.clock.now();
    let mut c = body.0.into_changes(now);
    set_status(&mut c, None, to, None, now, state.config.job_default_days)?;
    check_expiry(&c)?;
    let new = NewJob::new(c, caller.user_id().map(|u| u.0), now);
    let row = state
        .db
        .write(move |conn| Ok(queries::insert(conn, &new)?))
        .await?;
    crate::audit::content_created(
        &state,
        crate::audit::Actor::of(&caller, &origin),
        ("job", row.id),
        row.status.clone(),
    )
    .await; // audit (issue 15)
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/jobs/{}", row.id)))
        .json(Job::from_row(row, now)))
}

/// Change an offer, or decide on it. Fields follow the workflow's rules
/// (a member edits their own offer until it is published); `status` moves it:
/// editors publish, reject (with `rejection_reason`, which the submitter reads),
/// archive, or extend it with a later `expires_at`. Invalid moves are 422.
#[utoipa::path(
    tag = "jobs",
    params(
        ("id" = String, Path, description = "The offer's id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    request_body = UpdateJob,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Job),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 410, description = "The offer has expired (to readers other than its submitter and the staff)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, response = oa::PreconditionFailed),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[patch("/jobs/{id}")]
pub async fn update_job(
    if_match: IfMatch,
    state: web::Data<AppState>,
    caller: Caller,
    origin: crate::audit::Origin, // audit (issue 15)
    path: web::Path<String>,
    body: Json<UpdateJob>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let mut body = body.0;
    let now = state.clock.now();
    let default_days = state.config.job_default_days;
    let row = state
        .db
        .write(move |conn| {
            let current = queries::find(conn, id)?;
            readable(&caller, &current, now)?;
            if_match.check(&Job::from_row(current.clone(), now))?;
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
            let mut c = JobChanges::from(&current);
            body.apply_to(&mut c);
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
                set_status(
                    &mut c,
                    Some(shown),
                    to,
                    reason.as_deref(),
                    now,
                    default_days,
                )?;
            }
            check_expiry(&c)?;
            crate::audit::content_status(
                conn,
                &crate::audit::Actor::of(&caller, &origin),
                ("job", id),
                Some(&current.status),
                &c.status,
                now,
            )?; // audit (issue 15)
            c.updated_at = now;
            Ok(queries::update(conn, id, &c)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Job::from_row(row, now)))
}

/// Delete an offer: editors any; a member their own until it is published.
#[utoipa::path(
    tag = "jobs",
    params(("id" = String, Path, description = "The offer's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 410, description = "The offer has expired (to readers other than its submitter and the staff)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, response = oa::Unavailable),
    )
)]
#[delete("/jobs/{id}")]
pub async fn delete_job(
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
                ("job", id),
                now,
            )?; // audit (issue 15)
            queries::delete(conn, id)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
