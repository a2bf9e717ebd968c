//! Sign-up, sign-in and sessions. The signed-in user's own account is in `me`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};

use super::credentials::{hash_password, session_for, session_response, verify_password};
use super::dto::{Login, RefreshRequest, Register, Session, normalize_email};
use super::queries;
use super::signin::Attempt;
use crate::audit::{self, Actor, Entry, Origin};
use crate::auth::Role;
use crate::auth::limits::client_ip;
use crate::auth::session::{self, Rotation};
use crate::error::{AppError, AppResult};
use crate::http::Json;
use crate::openapi as oa;
use crate::state::AppState;

/// The per-address limit of an unauthenticated action (`register`, `login`, `refresh`).
async fn limit_by_ip(req: &HttpRequest, state: &AppState, action: &str) -> AppResult<()> {
    let key = format!("{action}:{}", client_ip(req, state.config.trust_proxy));
    state.limit_auth("auth_ip", key).await
}

/// Become a member. A message asks to confirm the address; sign in with
/// `/auth/login` meanwhile (what an unverified member may do depends on
/// `KIOSQUE_UNVERIFIED_MAY_PARTICIPATE`).
///
/// The answer is the same (202, same body) whether the address is new or
/// already has an account: in that case no account is made, and the owner of
/// the address gets a message saying so (with a way to reset the password).
/// Nothing tells a caller which addresses have an account.
#[utoipa::path(
    tag = "auth",
    request_body = Register,
    responses(
        (status = 202, description = "Accepted: a message is on its way to the address", body = super::requests::Accepted),
        (status = 400, response = oa::BadRequest),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/auth/register")]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<Register>,
) -> AppResult<HttpResponse> {
    limit_by_ip(&req, &state, "register").await?;
    let body = body.0;
    super::email::limit_mail(&req, &state, "register", &body.email).await?;
    let password_hash = hash_password(&state, body.password).await?;
    let now = state.clock.now();
    let config = state.config.mail.clone();
    state
        .db
        .write(move |c| {
            if let Some(existing) = queries::find_by_email(c, &normalize_email(&body.email))? {
                return super::email::queue_account_exists(c, &config, &existing, now);
            }
            let user = super::open_account(
                c,
                super::NewAccount {
                    email: body.email,
                    password_hash,
                    display_name: body.display_name,
                    role: Role::Member,
                    bio: String::new(),
                },
                now,
            )?;
            super::email::queue_verification(c, &config, &user, now)?;
            // the id only: accounts are nobody's public business
            let change = crate::changes::Change::new("user", "registered", user.id, now);
            crate::changes::record(c, change)
        })
        .await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(REGISTERED))
}

/// The one answer of a sign-up, for a new address and a taken one alike.
const REGISTERED: super::requests::Accepted = super::requests::Accepted {
    status: "accepted",
    detail: "a message is on its way to this address: follow its link to confirm it",
};

/// Sign in with e-mail and password.
///
/// A wrong address and a wrong password get the same answer, in comparable time.
#[utoipa::path(
    tag = "auth",
    request_body = Login,
    responses(
        (status = 200, description = "Signed in", body = Session),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    origin: Origin,
    body: Json<Login>,
) -> AppResult<HttpResponse> {
    let body = body.0;
    let email = normalize_email(&body.email);
    limit_by_ip(&req, &state, "login").await?;
    let attempt = Attempt::begin(&state, &email, &origin.0).await?;

    let lookup = email.clone();
    let user = state
        .db
        .run(move |c| Ok(queries::find_by_email(c, &lookup)?))
        .await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    if !verify_password(&state, body.password, hash).await? {
        let invalid = AppError::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "the e-mail address or the password is incorrect",
        )
        .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"kiosque\"");
        let mut entry = Entry::new("auth.sign_in_failed").detail("email", email.as_str());
        if let Some(u) = &user {
            entry = entry.target("user", u.id);
        }
        audit::record_now(&state, &Actor::anonymous(&origin), entry).await?;
        return Err(attempt.failed(&state, invalid).await?);
    }
    attempt.succeeded(&state).await?;
    let user = user.expect("a verified password belongs to a user");
    if user.disabled {
        return Err(AppError::new(
            actix_web::http::StatusCode::FORBIDDEN,
            "account_disabled",
            "this account is disabled",
        ));
    }
    let now = state.clock.now();
    let st = state.clone();
    let session = state
        .db
        .write(move |c| {
            queries::touch_login(c, user.id, now)?;
            let actor = Actor::user(user.id, &origin);
            audit::record(
                c,
                &actor,
                Entry::new("auth.sign_in").target("user", user.id),
                now,
            )?;
            let user = queries::find(c, user.id)?;
            session_for(c, &st, user, None)
        })
        .await?;
    Ok(session_response(HttpResponse::Ok(), &session))
}

/// Exchange a refresh token for a new pair. Each refresh token works once;
/// presenting one again ends the whole session (theft detection).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = Session),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> AppResult<HttpResponse> {
    limit_by_ip(&req, &state, "refresh").await?;
    let token = body.0.refresh_token;
    let now = state.clock.now();
    let st = state.clone();
    // One transaction from the check to the new token: a replay cannot slip
    // between them and leave a live token in a family it has just revoked.
    // Refusals are returned inside `Ok` so that a revocation still commits.
    let outcome = state
        .db
        .write(move |c| {
            let (user_id, family) = match session::rotate(c, &token, now)? {
                Rotation::Valid { user_id, family } => (user_id, family),
                Rotation::Reused => {
                    return Ok(Err(AppError::invalid_token(
                        "this refresh token was already used; the session has been ended for safety",
                    )));
                }
                Rotation::Invalid(why) => return Ok(Err(AppError::invalid_token(why))),
            };
            let user = queries::find(c, user_id)?;
            if user.disabled {
                return Ok(Err(AppError::invalid_token("the account is disabled")));
            }
            session_for(c, &st, user, Some(family)).map(Ok)
        })
        .await?;
    let session = outcome?;
    Ok(session_response(HttpResponse::Ok(), &session))
}

/// Sign out: ends the session the refresh token belongs to.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out (also when the token was unknown)"),
        (status = 400, response = oa::BadRequest),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let token = body.0.refresh_token;
    let now = state.clock.now();
    state
        .db
        .write(move |c| Ok(session::end(c, &token, now)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
