//! Previews: whoever may edit an article asks for a short-lived token that
//! opens it, whatever its status, to a caller without an account (the front
//! end's preview page), read-only. The token is signed (`auth::preview`);
//! nothing is stored.

use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::DateTime;

use super::access::readable;
use super::dto::{ArticleDetail, PreviewToken};
use super::queries;
use crate::auth::preview::refused;
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::http::path::Key;
use crate::http::{Freshness, respond};
use crate::ids::{ArticleId, IdOrSlug};
use crate::openapi as oa;
use crate::review::ContentKind;
use crate::state::AppState;

/// A token that lets anyone holding it read this article as it is now and
/// until the token expires (`KIOSQUE_PREVIEW_TOKEN_TTL_SECS`, one hour by
/// default), draft, submission or scheduled: `GET /articles/{id}?preview=<token>`.
/// For whoever may edit the article. The token opens this article only, for
/// reading only, and is not an access token.
#[utoipa::path(
    tag = "articles",
    params(Key<ArticleId>),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A preview token", body = PreviewToken,
         headers(("Cache-Control" = String, description = "`no-store`: the token is a secret"))),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/articles/{id}/preview")]
pub async fn create_preview(
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<ArticleId>,
) -> AppResult<HttpResponse> {
    if caller.is_anonymous() {
        return Err(AppError::unauthorized("sign in to preview an article"));
    }
    let key = path.into_inner();
    let now = state.clock.now();
    let who = caller.clone();
    let id = state
        .db
        .run(move |c| {
            let row = readable(c, &who, &key, now)?.current()?;
            let owners = queries::owners(c, &row)?;
            authorize(
                &who,
                Action::EditContent {
                    kind: ContentKind::Article,
                    owners: &owners,
                    status: row.status(now),
                },
            )?;
            Ok(row.id)
        })
        .await?;
    let (token, expires) = state.auth.preview.issue(
        id,
        caller.user_id().map(|u| u.0),
        state.clock.now_utc().timestamp(),
    )?;
    let expires_at = DateTime::from_timestamp(expires, 0)
        .ok_or_else(|| AppError::internal("a preview token's expiry out of range"))?;
    Ok(HttpResponse::Ok()
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .json(PreviewToken {
            url: format!("/api/v1/articles/{id}?preview={token}"),
            token,
            expires_at,
        }))
}

/// `GET /articles/{key}?preview=<token>`: the article the token opens,
/// whatever its status, to be kept by no cache.
pub(super) async fn read_preview(
    req: &HttpRequest,
    state: &AppState,
    key: IdOrSlug,
    token: &str,
) -> AppResult<HttpResponse> {
    let article = state
        .auth
        .preview
        .verify(token, state.clock.now_utc().timestamp())?;
    let now = state.clock.now();
    let found = state
        .db
        .run(move |c| match queries::find(c, &key)? {
            None => Err(AppError::not_found("no such article")),
            Some(queries::Found::Moved { current_slug }) => Ok(Err(current_slug)),
            Some(queries::Found::Article(row)) if row.id != article => Err(refused(
                "preview_token_other_article",
                "this preview token opens another article",
            )),
            Some(queries::Found::Article(row)) => Ok(Ok(ArticleDetail::load(c, &row, now)?)),
        })
        .await?;
    let detail = match found {
        Ok(detail) => detail,
        Err(slug) => {
            // a JWT is URL-safe as it is
            return Ok(HttpResponse::MovedPermanently()
                .insert_header((
                    header::LOCATION,
                    format!("/api/v1/articles/{slug}?preview={token}"),
                ))
                .insert_header(CacheControl(vec![CacheDirective::NoStore]))
                .finish());
        }
    };
    let mut res = respond(req, Freshness::Private, &detail);
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}
