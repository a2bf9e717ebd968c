//! The job offers' endpoints: each extracts its request and hands over to
//! the review workflow's shared sequence (`review::flow`).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::Job;
use super::filters::{JobFilters, SORTABLE};
use super::model::JobRow;
use super::queries;
use super::requests::{CreateJob, UpdateJob};
use crate::audit::Origin;
use crate::auth::Caller;
use crate::error::AppResult;
use crate::http::path::Id;
use crate::http::shape::{ShapeParams, respond_page_shaped, respond_shaped};
use crate::http::{Freshness, IfMatch, Json, ListQuery, Page, Query};
use crate::ids::JobId;
use crate::openapi as oa;
use crate::review::flow;
use crate::state::AppState;

/// List job offers: published and unexpired ones, newest first.
///
/// Filters `q` (French full text, accents ignored: relevance first), `contract_type`
/// (comma-separated), `city`, `remote`, `published_after`. `mine=true` lists the caller's
/// own submissions in every status (with their `rejection_reason`); staff may filter by `status`.
/// Sortable by `published_at`, `expires_at`, `created_at`, `title`.
#[utoipa::path(
    tag = "jobs",
    params(crate::http::PageParams, JobFilters, ShapeParams),
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
    query: ListQuery<JobFilters, ShapeParams>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&SORTABLE, "-published_at")?;
    let shape = query.extra.resolve::<Job>()?;
    let filters = query.filters.resolve(&caller)?;
    let by_relevance = query.page.sort.is_none();
    let now = state.clock.now();
    let (p, totals) = (paged.clone(), state.totals.clone());
    // read before anything the total depends on (see `db::totals`)
    let generation = state.db.generation();
    let page = state
        .db
        .run(move |c| queries::page(c, &filters, &p, by_relevance, now, &totals, generation))
        .await?;
    let images = flow::uses(&state, &page.data).await?;
    let page = page.map(|r| Job::from_row(r, now, &images));
    if caller.freshness() == Freshness::Public {
        use crate::http::response_cache as cache;
        cache::tag(&req, ["list:jobs".to_string()]);
        cache::tag(&req, page.data.iter().map(|j| format!("job:{}", j.id.0)));
        cache::tag(
            &req,
            page.data
                .iter()
                .filter_map(|j| j.image_media.as_ref())
                .map(|m| format!("media:{}", m.media_id.0)),
        );
        if state.responses.is_on() {
            let next = state
                .db
                .run(move |c| Ok(super::timed::next_change(c, now)?))
                .await?;
            cache::until(&req, next);
        }
    }
    respond_page_shaped(&req, caller.freshness(), &shape, &page, &paged)
}

/// Read a job offer. Expired offers answer 410 Gone to the public.
#[utoipa::path(
    tag = "jobs",
    params(Id<JobId>, ShapeParams),
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
    path: Id<JobId>,
    shape: Query<ShapeParams>,
) -> AppResult<HttpResponse> {
    let shape = shape.resolve::<Job>()?;
    let (row, now) = flow::load::<JobRow>(&state, &caller, path.0.0).await?;
    if caller.freshness() == Freshness::Public {
        // a public offer answers 410 once it expires
        crate::http::response_cache::tag(&req, [format!("job:{}", row.id)]);
        if let Some(media) = row.fields.image_media_id {
            crate::http::response_cache::tag(&req, [format!("media:{media}")]);
        }
        crate::http::response_cache::until(&req, row.fields.expires_at.filter(|x| *x > now));
    }
    respond_shaped(
        &req,
        caller.freshness(),
        &shape,
        &flow::shown(&state, row, now).await?,
    )
}

/// The offer as schema.org `JobPosting` JSON-LD, for search engines' job listings.
#[utoipa::path(
    tag = "jobs",
    params(Id<JobId>),
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
    path: Id<JobId>,
) -> AppResult<HttpResponse> {
    let (row, now) = flow::load::<JobRow>(&state, &caller, path.0.0).await?;
    let doc = super::jsonld::job_posting(&flow::shown(&state, row, now).await?);
    Ok(crate::http::jsonld::respond_ld(
        &req,
        caller.freshness(),
        &doc,
    ))
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
    origin: Origin,
    body: Json<CreateJob>,
) -> AppResult<HttpResponse> {
    flow::create::<JobRow>(&state, &caller, &origin, body.0).await
}

/// Change an offer, or decide on it. Fields follow the workflow's rules
/// (a member edits their own offer until it is published); `status` moves it:
/// editors publish, reject (with `rejection_reason`, which the submitter reads),
/// archive, or extend it with a later `expires_at`. Invalid moves are 422.
#[utoipa::path(
    tag = "jobs",
    params(
        Id<JobId>,
        crate::http::IfMatch,
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
    origin: Origin,
    path: Id<JobId>,
    body: Json<UpdateJob>,
) -> AppResult<HttpResponse> {
    flow::update::<JobRow>(&state, caller, &origin, if_match, path.0.0, body.0).await
}

/// Delete an offer: editors any; a member their own until it is published.
#[utoipa::path(
    tag = "jobs",
    params(Id<JobId>),
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
    origin: Origin,
    path: Id<JobId>,
) -> AppResult<HttpResponse> {
    flow::delete::<JobRow>(&state, caller, &origin, path.0.0).await
}
