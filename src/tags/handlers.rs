use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreateTag, SORTABLE, Tag, TagFilters, UpdateTag};
use super::model::TagChanges;
use super::queries;
use crate::auth::{Action, Caller, authorize};
use crate::error::AppResult;
use crate::http::path::Key;
use crate::http::{IfMatch, Json, ListQuery, Page, respond, respond_page};
use crate::ids::TagId;
use crate::openapi as oa;
use crate::state::AppState;

/// List tags, by name by default.
///
/// Sortable by `name`, `created_at`. `q` keeps the tags whose name starts with it.
#[utoipa::path(
    tag = "tags",
    params(crate::http::PageParams, TagFilters),
    responses(
        (status = 200, description = "A page of tags", body = Page<Tag>),
        (status = 400, response = oa::BadRequest),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/tags")]
pub async fn list_tags(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<TagFilters>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&SORTABLE, "name")?;
    let p = paged.clone();
    let q = query.filters.q.clone();
    let after = query.filters.updated_after.map(|t| t.naive_utc());
    let (rows, total) = state
        .db
        .run(move |c| Ok(queries::list(c, q.as_deref(), after, &p)?))
        .await?;
    let page = Page::new(&paged, rows, total).map(Tag::from);
    crate::http::response_cache::tag(&req, ["list:tags".to_string()]);
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}

/// Read a tag by id or slug.
#[utoipa::path(
    tag = "tags",
    params(Key<TagId>),
    responses(
        (status = 200, description = "The tag", body = Tag,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/tags/{id}")]
pub async fn get_tag(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<TagId>,
) -> AppResult<HttpResponse> {
    let key = path.into_inner();
    let row = state.db.run(move |c| Ok(queries::find(c, &key)?)).await?;
    crate::http::response_cache::tag(&req, [format!("tag:{}", row.id)]);
    Ok(respond(&req, caller.freshness(), &Tag::from(row)))
}

/// Create a tag (editors, admins, keys with `content:write`).
#[utoipa::path(
    tag = "tags",
    request_body = CreateTag,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Tag,
         headers(("Location" = String, description = "The new tag's address"))),
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
#[post("/tags")]
pub async fn create_tag(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateTag>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageTaxonomy)?;
    let body = body.0;
    let now = state.clock.now();
    let row = state.db.write(move |c| super::create(c, body, now)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/tags/{}", row.id)))
        .json(Tag::from(row)))
}

/// Change a tag. Send `If-Match` with the ETag you read to refuse a stale update.
#[utoipa::path(
    tag = "tags",
    params(
        Key<TagId>,
        crate::http::IfMatch,
    ),
    request_body = UpdateTag,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Tag),
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
#[patch("/tags/{id}")]
pub async fn update_tag(
    if_match: IfMatch,
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<TagId>,
    body: Json<UpdateTag>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageTaxonomy)?;
    let key = path.into_inner();
    let body = body.0;
    let now = state.clock.now();
    let row = state
        .db
        .write(move |c| {
            let current = queries::find(c, &key)?;
            if_match.check(&Tag::from(current.clone()))?;
            let changes = TagChanges {
                name: body.name.map(|n| n.trim().to_string()),
                slug: body.slug,
                updated_at: Some(now),
            };
            let row = queries::update(c, current.id, &changes)?;
            crate::changes::record(c, row.change("updated", Some(&current.slug), now))?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Tag::from(row)))
}

/// Delete a tag; content that carried it simply loses it.
#[utoipa::path(
    tag = "tags",
    params(Key<TagId>),
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
#[delete("/tags/{id}")]
pub async fn delete_tag(
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<TagId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageTaxonomy)?;
    let key = path.into_inner();
    let now = state.clock.now();
    state
        .db
        .write(move |c| {
            let current = queries::find(c, &key)?;
            let change = current.change("deleted", None, now);
            match queries::delete(c, &key) {
                Ok(0) => Err(crate::error::AppError::not_found("no such tag")),
                Ok(_) => crate::changes::record(c, change),
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                    _,
                )) => Err(crate::error::AppError::conflict("the tag is still in use")),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
