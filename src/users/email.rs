//! What members do by mail: verify the address, reset a forgotten password,
//! sign in by a link. Every link is single-use, short-lived and stored
//! hashed (`links`); every request that sends mail is rate-limited per
//! address and per client address; none tells whether an address has an account.

use actix_web::{HttpRequest, HttpResponse, post, web};

use super::credentials::{hash_password, session_for, session_response};
use super::dto::normalize_email;
use super::links::{self, Purpose};
use super::model::{UserChanges, UserRow};
use super::queries;
use super::requests::{Accepted, CompleteReset, EmailOnly, LinkToken};
use crate::auth::limits::client_ip;
use crate::auth::{Action, Caller, authorize};
use crate::config::MailConfig;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::http::Json;
use crate::mail::{self, Kind, templates};
use crate::openapi as oa;
use crate::state::AppState;

/// The one answer of every request that may send a link.
pub(super) const SENT: Accepted = Accepted {
    status: "accepted",
    detail: "if this address belongs to an account, a message is on its way",
};

/// Counts a mail-sending request against the allowance of the address and
/// of the client address (`KIOSQUE_MAIL_PER_HOUR`, `KIOSQUE_MAIL_BURST`).
pub(super) async fn limit_mail(
    req: &HttpRequest,
    state: &AppState,
    action: &str,
    email: &str,
) -> AppResult<()> {
    let (per_hour, burst) = (state.config.mail.per_hour, state.config.mail.burst);
    let ip = client_ip(req, state.config.trust_proxy);
    state
        .limit("mail_ip", format!("{action}:{ip}"), per_hour, burst)
        .await?;
    state
        .limit(
            "mail_address",
            format!("{action}:{}", normalize_email(email)),
            per_hour,
            burst,
        )
        .await
}

/// Queues the verification message of `user` (a new link; older ones stop working).
pub(super) fn queue_verification(
    c: &mut AnyConnection,
    config: &MailConfig,
    user: &UserRow,
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    let token = links::issue(c, user.id, Purpose::VerifyEmail, config.verify_ttl, now)?;
    let link = templates::site_link(config, &format!("/verifier-email?token={token}"));
    let message = mail::compose(
        config,
        Kind::VerifyEmail,
        &user.email,
        &[
            ("name", &user.display_name),
            ("link", &link),
            ("valid", &templates::in_words(config.verify_ttl)),
        ],
    );
    mail::queue(c, &message, now)
}

/// Queues a password-reset message for `user`.
fn queue_reset(
    c: &mut AnyConnection,
    config: &MailConfig,
    user: &UserRow,
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    let token = links::issue(c, user.id, Purpose::PasswordReset, config.reset_ttl, now)?;
    let link = templates::site_link(config, &format!("/mot-de-passe?token={token}"));
    let message = mail::compose(
        config,
        Kind::PasswordReset,
        &user.email,
        &[
            ("name", &user.display_name),
            ("link", &link),
            ("valid", &templates::in_words(config.reset_ttl)),
        ],
    );
    mail::queue(c, &message, now)
}

/// Tells the owner of `user` that someone tried to sign up with the address.
pub(super) fn queue_account_exists(
    c: &mut AnyConnection,
    config: &MailConfig,
    user: &UserRow,
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    let link = templates::site_link(config, "/mot-de-passe-oublie");
    let message = mail::compose(
        config,
        Kind::AccountExists,
        &user.email,
        &[("name", &user.display_name), ("link", &link)],
    );
    mail::queue(c, &message, now)
}

/// Confirm your e-mail address with the link of the message sent at sign-up.
///
/// The link works once: `400 link_used` afterwards, `400 link_expired` after
/// `KIOSQUE_VERIFY_LINK_MINUTES`, `400 invalid_link` for anything else.
#[utoipa::path(
    tag = "auth",
    request_body = LinkToken,
    responses(
        (status = 204, description = "The address is verified"),
        (status = 400, response = oa::BadRequest),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/auth/verify-email")]
pub async fn verify_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<LinkToken>,
) -> AppResult<HttpResponse> {
    let ip = client_ip(&req, state.config.trust_proxy);
    state.limit_auth("auth_ip", format!("link:{ip}")).await?;
    let token = body.0.token;
    let now = state.clock.now();
    state
        .db
        .write(move |c| {
            let id = links::redeem(c, &token, Purpose::VerifyEmail, now)?;
            queries::mark_verified(c, id, now)?;
            let change = crate::changes::Change::new("user", "verified", id, now);
            crate::changes::record(c, change)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send the verification message again (to the signed-in member).
///
/// Rate-limited per address and per client address (429).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "A new link is on its way (the older ones stop working); also when already verified", body = Accepted),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/me/verify-email")]
pub async fn resend_verification(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageOwnAccount)?;
    let id = caller.user_id().expect("the policy admits only users").0;
    let user = state.db.run(move |c| Ok(queries::find(c, id)?)).await?;
    limit_mail(&req, &state, "verify", &user.email).await?;
    if user.email_verified_at.is_none() {
        let now = state.clock.now();
        let config = state.config.mail.clone();
        state
            .db
            .write(move |c| queue_verification(c, &config, &user, now))
            .await?;
    }
    Ok(HttpResponse::Accepted().json(SENT))
}

/// Forgot your password? Sends a single-use link valid for
/// `KIOSQUE_RESET_LINK_MINUTES` (1 hour by default).
///
/// Answers 202 with the same body whether or not the address has an account
/// (and does the same work either way). Rate-limited per address and per
/// client address.
#[utoipa::path(
    tag = "auth",
    request_body = EmailOnly,
    responses(
        (status = 202, description = "If the address has an account, a message is on its way", body = Accepted),
        (status = 400, response = oa::BadRequest),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<EmailOnly>,
) -> AppResult<HttpResponse> {
    let email = normalize_email(&body.0.email);
    limit_mail(&req, &state, "reset", &email).await?;
    let now = state.clock.now();
    let config = state.config.mail.clone();
    // one write transaction either way: the lookup, then the link and its
    // message when there is an account (disabled accounts get none)
    state
        .db
        .write(
            move |c| match queries::find_by_email(c, &email)?.filter(|u| !u.disabled) {
                Some(user) => queue_reset(c, &config, &user, now),
                None => {
                    compose_nothing(&config, Kind::PasswordReset, &email);
                    Ok(())
                }
            },
        )
        .await?;
    Ok(HttpResponse::Accepted().json(SENT))
}

/// Choose a new password with the link of a reset message.
///
/// The strength rules of sign-up apply (422). Every session of the account
/// ends, and every other reset link stops working; sign in with the new
/// password. Completing a reset also proves the address (it is marked verified).
#[utoipa::path(
    tag = "auth",
    request_body = CompleteReset,
    responses(
        (status = 204, description = "The password is changed; every session ended"),
        (status = 400, response = oa::BadRequest),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/auth/password-reset/complete")]
pub async fn complete_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<CompleteReset>,
) -> AppResult<HttpResponse> {
    let ip = client_ip(&req, state.config.trust_proxy);
    state.limit_auth("auth_ip", format!("link:{ip}")).await?;
    let body = body.0;
    let password_hash = hash_password(&state, body.password).await?;
    let now = state.clock.now();
    let token = body.token;
    state
        .db
        .write(move |c| {
            let id = links::redeem(c, &token, Purpose::PasswordReset, now)?;
            links::revoke(c, id, Purpose::PasswordReset, now)?;
            links::revoke(c, id, Purpose::SignIn, now)?;
            queries::update(
                c,
                id,
                &UserChanges {
                    password_hash: Some(password_hash),
                    updated_at: Some(now),
                    ..Default::default()
                },
            )?;
            queries::mark_verified(c, id, now)?;
            queries::end_all_sessions(c, id, now)?;
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ask for a sign-in link (when `KIOSQUE_SIGNIN_LINKS` is on; 404 otherwise).
///
/// Answers 202 with the same body whether or not the address has an
/// account. The link is valid for `KIOSQUE_SIGNIN_LINK_MINUTES`, once.
#[utoipa::path(
    tag = "auth",
    request_body = EmailOnly,
    responses(
        (status = 202, description = "If the address has an account, a message is on its way", body = Accepted),
        (status = 400, response = oa::BadRequest),
        (status = 404, response = oa::NotFound),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/auth/sign-in-link")]
pub async fn request_sign_in_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<EmailOnly>,
) -> AppResult<HttpResponse> {
    if !state.config.mail.signin_links {
        return Err(AppError::not_found("sign-in by link is off on this site"));
    }
    let email = normalize_email(&body.0.email);
    limit_mail(&req, &state, "sign_in", &email).await?;
    let now = state.clock.now();
    let config = state.config.mail.clone();
    state
        .db
        .write(
            move |c| match queries::find_by_email(c, &email)?.filter(|u| !u.disabled) {
                Some(user) => {
                    let token = links::issue(c, user.id, Purpose::SignIn, config.signin_ttl, now)?;
                    let link = templates::site_link(&config, &format!("/connexion?token={token}"));
                    let message = mail::compose(
                        &config,
                        Kind::SignIn,
                        &user.email,
                        &[
                            ("name", &user.display_name),
                            ("link", &link),
                            ("valid", &templates::in_words(config.signin_ttl)),
                        ],
                    );
                    mail::queue(c, &message, now)
                }
                None => {
                    compose_nothing(&config, Kind::SignIn, &email);
                    Ok(())
                }
            },
        )
        .await?;
    Ok(HttpResponse::Accepted().json(SENT))
}

/// Sign in with the link of a sign-in message: a session, as `/auth/login` gives.
///
/// The link also proves the address (it is marked verified).
#[utoipa::path(
    tag = "auth",
    request_body = LinkToken,
    responses(
        (status = 200, description = "Signed in", body = super::dto::Session),
        (status = 400, response = oa::BadRequest),
        (status = 404, response = oa::NotFound),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/auth/sign-in-link/complete")]
pub async fn complete_sign_in_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<LinkToken>,
) -> AppResult<HttpResponse> {
    if !state.config.mail.signin_links {
        return Err(AppError::not_found("sign-in by link is off on this site"));
    }
    let ip = client_ip(&req, state.config.trust_proxy);
    state.limit_auth("auth_ip", format!("link:{ip}")).await?;
    let token = body.0.token;
    let now = state.clock.now();
    let st = state.clone();
    let session = state
        .db
        .write(move |c| {
            let id = links::redeem(c, &token, Purpose::SignIn, now)?;
            let user = queries::find(c, id)?;
            if user.disabled {
                return Err(AppError::forbidden("this account is disabled"));
            }
            queries::mark_verified(c, id, now)?;
            queries::touch_login(c, id, now)?;
            let user = queries::find(c, id)?;
            session_for(c, &st, user, None)
        })
        .await?;
    Ok(session_response(HttpResponse::Ok(), &session))
}

/// For an address with no account: the same work as a real message (a link
/// token drawn, the message composed), nothing kept, so that the answer takes
/// about as long whether the address is known or not.
fn compose_nothing(config: &crate::config::MailConfig, kind: Kind, email: &str) {
    let _ = crate::auth::tokens::new_link_token();
    let _ = mail::compose(config, kind, email, &[]);
}
