//! The [`Caller`] extractor: reads the bearer token (a user's JWT or an API
//! key) and resolves it against the database. A bad token is refused
//! outright, never served as anonymous.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use diesel::prelude::*;
use futures_util::future::LocalBoxFuture;

use crate::auth::tokens::{API_KEY_PREFIX, hash_secret};
use crate::auth::{Caller, KeyPrincipal, KeyScope, Role, SessionUser};
use crate::db::schema::{api_keys, users};
use crate::error::AppError;
use crate::ids::{ApiKeyId, UserId};
use crate::state::AppState;

#[derive(Queryable)]
struct KeyCheck {
    id: i64,
    scopes: String,
    expires_at: Option<chrono::NaiveDateTime>,
    revoked_at: Option<chrono::NaiveDateTime>,
    last_used_at: Option<chrono::NaiveDateTime>,
}

/// The bearer token of a request: `Ok(None)` when there is no Authorization header.
fn bearer(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| AppError::invalid_token("the Authorization header is not valid text"))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AppError::invalid_token(
            "the Authorization header must be `Bearer <token>`",
        ));
    }
    let token = token.trim();
    if token.is_empty() || token.len() > 4_096 {
        return Err(AppError::invalid_token(
            "the bearer token is empty or too long",
        ));
    }
    Ok(Some(token.to_string()))
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // One resolution per request, even when several extractors ask.
        if let Some(caller) = req.extensions().get::<Caller>() {
            let caller = caller.clone();
            return Box::pin(async move { Ok(caller) });
        }
        let req = req.clone();
        Box::pin(async move {
            let caller = resolve(&req).await?;
            req.extensions_mut().insert(caller.clone());
            Ok(caller)
        })
    }
}

async fn resolve(req: &HttpRequest) -> Result<Caller, AppError> {
    let Some(token) = bearer(req)? else {
        return Ok(Caller::Anonymous);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::internal("application state missing"))?;
    if token.starts_with(API_KEY_PREFIX) {
        let hash = hash_secret(&token);
        let now = state.clock.now();
        let key = state
            .db
            .run_primary(move |conn| {
                let found: Option<KeyCheck> = api_keys::table
                    .filter(api_keys::secret_hash.eq(&hash))
                    .select((
                        api_keys::id,
                        api_keys::scopes,
                        api_keys::expires_at,
                        api_keys::revoked_at,
                        api_keys::last_used_at,
                    ))
                    .first(conn)
                    .optional()?;
                if let Some(key) = found
                    .as_ref()
                    .filter(|k| k.revoked_at.is_none() && k.expires_at.is_none_or(|t| t > now))
                {
                    // Record use at most once a minute: no write on every request.
                    if key
                        .last_used_at
                        .is_none_or(|t| now - t > chrono::Duration::seconds(60))
                    {
                        // bookkeeping, never worth failing or delaying a read
                        // for: skipped while another writer holds the lock
                        let id = key.id;
                        let _ = crate::db::write_now(conn, |c| {
                            diesel::update(api_keys::table.find(id))
                                .set(api_keys::last_used_at.eq(now))
                                .execute(c)
                        });
                    }
                }
                Ok(found)
            })
            .await?;
        let Some(KeyCheck {
            id,
            scopes,
            expires_at,
            revoked_at,
            ..
        }) = key
        else {
            return Err(AppError::invalid_token("unknown API key"));
        };
        if revoked_at.is_some() {
            return Err(AppError::invalid_token("this API key has been revoked"));
        }
        if expires_at.is_some_and(|t| t <= now) {
            return Err(AppError::invalid_token("this API key has expired"));
        }
        return Ok(Caller::Key(KeyPrincipal {
            id: ApiKeyId(id),
            scopes: scopes
                .split_whitespace()
                .filter_map(KeyScope::parse)
                .collect(),
        }));
    }

    let claims = state
        .auth
        .tokens
        .verify(&token, state.clock.now_utc().timestamp())?;
    let user_id: i64 = claims
        .sub
        .parse()
        .map_err(|_| AppError::invalid_token("the token's subject is not a user"))?;
    let row: Option<(String, bool, i32)> = state
        .db
        .run_primary(move |conn| {
            Ok(users::table
                .find(user_id)
                .select((users::role, users::disabled, users::token_epoch))
                .first(conn)
                .optional()?)
        })
        .await?;
    match row {
        None => Err(AppError::invalid_token(
            "the token's account no longer exists",
        )),
        Some((_, true, _)) => Err(AppError::invalid_token("the account is disabled")),
        Some((_, _, epoch)) if epoch != claims.epo => Err(AppError::invalid_token(
            "the token was revoked (password changed or sessions ended); sign in again",
        )),
        Some((role, _, _)) => Ok(Caller::User(SessionUser {
            id: UserId(user_id),
            // the role is read fresh: a demotion takes effect at once
            role: Role::parse(&role).unwrap_or(Role::Member),
        })),
    }
}

/// Refuses (403 `email_unverified`) a member whose address is not verified
/// yet, unless `KIOSQUE_UNVERIFIED_MAY_PARTICIPATE` lets them: called before
/// commenting, voting and submitting. Staff, keys and guests pass.
pub async fn require_verified(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    if state.config.mail.unverified_may_participate {
        return Ok(());
    }
    let Some(user) = caller.user().filter(|u| u.role == Role::Member) else {
        return Ok(());
    };
    let id = user.id.0;
    let verified: Option<Option<chrono::NaiveDateTime>> = state
        .db
        .run_primary(move |conn| {
            Ok(users::table
                .find(id)
                .select(users::email_verified_at)
                .first(conn)
                .optional()?)
        })
        .await?;
    match verified {
        Some(Some(_)) => Ok(()),
        _ => Err(AppError::new(
            actix_web::http::StatusCode::FORBIDDEN,
            "email_unverified",
            "confirm your e-mail address first (follow the link of the message sent at sign-up; POST /me/verify-email sends it again)",
        )),
    }
}
