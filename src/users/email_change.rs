//! Change of e-mail address: confirmed at the new address, with a notice to
//! the old one.

use actix_web::{HttpRequest, HttpResponse, post, web};

use super::credentials::verify_password;
use super::dto::normalize_email;
use super::email::{SENT, limit_mail};
use super::links::{self, Purpose};
use super::queries;
use super::requests::{Accepted, ChangeEmail, LinkToken};
use crate::auth::limits::client_ip;
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::http::Json;
use crate::mail::{self, Kind, templates};
use crate::openapi as oa;
use crate::state::AppState;

/// Ask to change your e-mail address, with your password.
///
/// A link goes to the new address (valid as long as a verification link);
/// the old address is told. Nothing changes until the link is opened. The
/// answer is the same when the new address already has an account (then no
/// link is sent).
#[utoipa::path(
    tag = "me",
    request_body = ChangeEmail,
    security(("bearer" = [])),
    responses(
        (status = 202, description = "A link is on its way to the new address", body = Accepted),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/me/email")]
pub async fn request_email_change(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<ChangeEmail>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageOwnAccount)?;
    let id = caller.user_id().expect("the policy admits only users").0;
    let body = body.0;
    let new_email = normalize_email(&body.new_email);
    limit_mail(&req, &state, "email_change", &new_email).await?;
    let user = state.db.run(move |c| Ok(queries::find(c, id)?)).await?;
    limit_mail(&req, &state, "email_change", &user.email).await?;
    if !verify_password(&state, body.password, Some(user.password_hash.clone())).await? {
        return Err(AppError::invalid("password", "is incorrect"));
    }
    let now = state.clock.now();
    let config = state.config.mail.clone();
    state
        .db
        .write(move |c| {
            if new_email == user.email || queries::find_by_email(c, &new_email)?.is_some() {
                return Ok(());
            }
            let token = links::issue_for(
                c,
                user.id,
                Purpose::EmailChange,
                config.verify_ttl,
                now,
                Some(&new_email),
            )?;
            let link = templates::site_link(&config, &format!("/nouvelle-adresse?token={token}"));
            let confirm = mail::compose(
                &config,
                Kind::EmailChange,
                &new_email,
                &[
                    ("name", &user.display_name),
                    ("link", &link),
                    ("valid", &templates::in_words(config.verify_ttl)),
                ],
            );
            mail::queue(c, &confirm, now)?;
            let reset = templates::site_link(&config, "/mot-de-passe-oublie");
            let notice = mail::compose(
                &config,
                Kind::EmailChangeNotice,
                &user.email,
                &[
                    ("name", &user.display_name),
                    ("new_email", &new_email),
                    ("link", &reset),
                ],
            );
            mail::queue(c, &notice, now)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(SENT))
}

/// Confirm a new e-mail address with the link sent to it. The address also
/// counts as verified. 409 when it was taken by another account meanwhile.
#[utoipa::path(
    tag = "auth",
    request_body = LinkToken,
    responses(
        (status = 204, description = "The account's address is the new one"),
        (status = 400, response = oa::BadRequest),
        (status = 409, response = oa::Conflict),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/auth/email-change/complete")]
pub async fn complete_email_change(
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
            let (id, new_email) = links::redeem_for(c, &token, Purpose::EmailChange, now)?;
            let new_email = new_email
                .ok_or_else(|| AppError::internal("an address change without its address"))?;
            if queries::find_by_email(c, &new_email)?.is_some() {
                return Err(AppError::conflict(
                    "this address now belongs to another account",
                ));
            }
            queries::set_email(c, id, &new_email, now)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
