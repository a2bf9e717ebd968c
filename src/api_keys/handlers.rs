use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};

use super::dto::{ApiKey, ApiKeyFilters, CreateApiKey, CreatedApiKey};
use super::model::NewApiKey;
use super::queries;
use crate::audit::{self, Actor, Entry, Origin};
use crate::auth::tokens::new_api_key;
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::http::path::Id;
use crate::http::{Json, ListQuery, Page, respond, respond_page};
use crate::ids::ApiKeyId;
use crate::openapi as oa;
use crate::state::AppState;

/// Create a key. The secret is in this response only.
#[utoipa::path(
    tag = "api-keys",
    request_body = CreateApiKey,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `secret` is shown this once", body = CreatedApiKey,
         headers(("Location" = String, description = "The new key's address"))),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    body: Json<CreateApiKey>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageApiKeys)?;
    let body = body.0;
    let now = state.clock.now();
    if body
        .expires_at
        .is_some_and(|t| crate::state::stored(t) <= now)
    {
        return Err(AppError::invalid("expires_at", "must be in the future"));
    }
    let (secret, prefix, secret_hash) = new_api_key();
    let mut scopes: Vec<&str> = body.scopes.iter().map(|s| s.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    let new = NewApiKey {
        name: body.name.trim().to_string(),
        prefix,
        secret_hash,
        scopes: scopes.join(" "),
        created_by: caller.user_id().map(|u| u.0),
        created_at: now,
        expires_at: body.expires_at.map(crate::state::stored),
    };
    let actor = Actor::of(&caller, &origin);
    let row = state
        .db
        .write(move |c| {
            let row = queries::insert(c, &new)?;
            // the name, prefix and scopes identify the key; the secret is never recorded
            let entry = Entry::new("api_key.created")
                .target("api_key", row.id)
                .detail("name", row.name.as_str())
                .detail("prefix", row.prefix.as_str())
                .detail("scopes", row.scopes.as_str());
            audit::record(c, &actor, entry, now)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/api-keys/{}", row.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedApiKey {
            key: ApiKey::from(row),
            secret,
        }))
}

/// List keys, newest first, without their secrets.
#[utoipa::path(
    tag = "api-keys",
    params(crate::http::PageParams, ApiKeyFilters),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of keys", body = Page<ApiKey>),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<ApiKeyFilters>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageApiKeys)?;
    let paged = query.paged(&["created_at"], "-created_at")?;
    let include_revoked = query.filters.revoked.unwrap_or(false);
    let p = paged.clone();
    let (rows, total) = state
        .db
        .run(move |c| Ok(queries::list(c, include_revoked, &p)?))
        .await?;
    let page = Page::new(&paged, rows, total).map(ApiKey::from);
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}

/// A key that has not been revoked: a revoked key is gone (404), though the
/// list keeps it with `revoked=true`.
fn live(c: &mut crate::db::AnyConnection, id: i64) -> AppResult<super::model::ApiKeyRow> {
    let row = queries::find(c, id)?;
    if row.revoked_at.is_some() {
        return Err(AppError::not_found("this API key was revoked"));
    }
    Ok(row)
}

/// Read a key, without its secret.
#[utoipa::path(
    tag = "api-keys",
    params(Id<ApiKeyId>),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The key", body = ApiKey),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/api-keys/{id}")]
pub async fn get_api_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<ApiKeyId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageApiKeys)?;
    let id = path.0.0;
    let row = state.db.run(move |c| live(c, id)).await?;
    Ok(respond(&req, caller.freshness(), &ApiKey::from(row)))
}

/// Revoke a key: it stops working at once.
#[utoipa::path(
    tag = "api-keys",
    params(Id<ApiKeyId>),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked; the key is then gone (404) but listed with `revoked=true`"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[delete("/api-keys/{id}")]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<ApiKeyId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageApiKeys)?;
    let id = path.0.0;
    let now = state.clock.now();
    let actor = Actor::of(&caller, &origin);
    state
        .db
        .write(move |c| {
            live(c, id)?;
            queries::revoke(c, id, now)?;
            audit::record(
                c,
                &actor,
                Entry::new("api_key.revoked").target("api_key", id),
                now,
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
