use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreateSection, SORTABLE, Section, SectionFilters, UpdateSection};
use super::model::SectionChanges;
use super::queries;
use crate::auth::{Action, Caller, authorize};
use crate::db::DbError;
use crate::error::AppResult;
use crate::http::path::Key;
use crate::http::{IfMatch, Json, ListQuery, Page, respond, respond_page};
use crate::ids::SectionId;
use crate::openapi as oa;
use crate::state::AppState;

/// List sections, in navigation order by default.
///
/// Sortable by `position`, `name`, `created_at`.
#[utoipa::path(
    tag = "sections",
    params(crate::http::PageParams, SectionFilters),
    responses(
        (status = 200, description = "A page of sections", body = Page<Section>),
        (status = 400, response = oa::BadRequest),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/sections")]
pub async fn list_sections(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<SectionFilters>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&SORTABLE, "position,name")?;
    let p = paged.clone();
    let after = query.filters.updated_after.map(|t| t.naive_utc());
    let (rows, total) = state
        .db
        .run(move |c| Ok(queries::list(c, after, &p)?))
        .await?;
    let page = Page::new(&paged, rows, total).map(Section::from);
    crate::http::response_cache::tag(&req, ["list:sections".to_string()]);
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}

/// Read a section by id or slug.
#[utoipa::path(
    tag = "sections",
    params(Key<SectionId>),
    responses(
        (status = 200, description = "The section", body = Section,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/sections/{id}")]
pub async fn get_section(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<SectionId>,
) -> AppResult<HttpResponse> {
    let key = path.into_inner();
    let row = state.db.run(move |c| Ok(queries::find(c, &key)?)).await?;
    crate::http::response_cache::tag(&req, [format!("section:{}", row.id)]);
    Ok(respond(&req, caller.freshness(), &Section::from(row)))
}

/// Create a section (editors, admins, keys with `content:write`).
#[utoipa::path(
    tag = "sections",
    request_body = CreateSection,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Section,
         headers(("Location" = String, description = "The new section's address"))),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 409, response = oa::Conflict),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/sections")]
pub async fn create_section(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateSection>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageTaxonomy)?;
    let body = body.0;
    let now = state.clock.now();
    let row = state.db.write(move |c| super::create(c, body, now)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/sections/{}", row.id)))
        .json(Section::from(row)))
}

/// Change a section. Send `If-Match` with the ETag you read to refuse a stale update.
#[utoipa::path(
    tag = "sections",
    params(
        Key<SectionId>,
        crate::http::IfMatch,
    ),
    request_body = UpdateSection,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Section),
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
#[patch("/sections/{id}")]
pub async fn update_section(
    if_match: IfMatch,
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<SectionId>,
    body: Json<UpdateSection>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageTaxonomy)?;
    let key = path.into_inner();
    let body = body.0;
    let now = state.clock.now();
    let row = state
        .db
        .write(move |c| {
            let current = queries::find(c, &key)?;
            if_match.check(&Section::from(current.clone()))?;
            let changes = SectionChanges {
                name: body.name.map(|n| n.trim().to_string()),
                slug: body.slug,
                description: body.description,
                position: body.position,
                updated_at: Some(now),
            };
            let row = queries::update(c, current.id, &changes)?;
            crate::changes::record(c, row.change("updated", Some(&current.slug), now))?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Section::from(row)))
}

/// Delete a section. Refused with 409 while content still belongs to it.
#[utoipa::path(
    tag = "sections",
    params(Key<SectionId>),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 503, response = oa::Unavailable),
    )
)]
#[delete("/sections/{id}")]
pub async fn delete_section(
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<SectionId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageTaxonomy)?;
    let key = path.into_inner();
    let now = state.clock.now();
    state
        .db
        .write(move |c| {
            let current = queries::find(c, &key)?;
            let change = current.change("deleted", None, now);
            match queries::delete(c, &key).map_err(DbError::from) {
                Ok(0) => Err(crate::error::AppError::not_found("no such section")),
                Ok(_) => crate::changes::record(c, change),
                // the same answer on both backends, however each words it
                Err(DbError::ForeignKey(_)) => Err(crate::error::AppError::conflict(
                    "the section still has content; move or delete it first",
                )),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
