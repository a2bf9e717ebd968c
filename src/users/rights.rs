//! The reader's rights (RGPD): download everything about oneself, and be
//! erased (by oneself with the password, or by an admin on request).

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};

use super::credentials::verify_password;
use super::dto::{EraseMe, Export};
use super::handlers::keep_an_admin;
use super::queries;
use crate::audit::{self, Actor, Entry, Origin};
use crate::auth::{Action, Caller, Role, authorize};
use crate::error::{AppError, AppResult};
use crate::http::Json;
use crate::http::path::Id;
use crate::ids::UserId;
use crate::openapi as oa;
use crate::state::AppState;

/// Download everything Kiosque holds about you (RGPD): profile, notification
/// choices, comments, votes, submissions and sessions, as JSON.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Everything about you", body = Export),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/me/export")]
pub async fn export_me(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageOwnAccount)?;
    let id = caller.user_id().expect("the policy admits only users").0;
    let export = state
        .db
        .run(move |c| {
            let user = queries::find(c, id)?;
            super::erase::export(c, user)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"mes-donnees.json\"",
        ))
        .json(export))
}

/// Erase your account (RGPD), confirmed with your password.
///
/// Personal data is gone: the account, its sessions and links, the
/// addresses comments were written from, the audit log's details about
/// you. Comments stay under "Compte supprimé" or are removed
/// (`KIOSQUE_ERASE_COMMENTS`); votes stay counted, attached to nobody.
/// The last active admin cannot leave (409).
#[utoipa::path(
    tag = "me",
    request_body = EraseMe,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Erased"),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 409, response = oa::Conflict),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[delete("/me")]
pub async fn erase_me(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<EraseMe>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageOwnAccount)?;
    let id = caller.user_id().expect("the policy admits only users").0;
    state
        .limit_auth("auth_account", format!("password:{id}"))
        .await?;
    let user = state.db.run(move |c| Ok(queries::find(c, id)?)).await?;
    if !verify_password(&state, body.0.password, Some(user.password_hash)).await? {
        return Err(AppError::invalid("password", "is incorrect"));
    }
    erase_account(&state, id, Actor::system()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Erase an account on its owner's request (RGPD; admins only): as
/// `DELETE /me` does. `DELETE /users/{id}` only deletes the account.
#[utoipa::path(
    tag = "users",
    params(("id" = UserId, Path, description = "The account")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Erased"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/users/{id}/erase")]
pub async fn erase_user(
    _req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<UserId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageUsers)?;
    erase_account(&state, path.0.0, Actor::of(&caller, &origin)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn erase_account(state: &AppState, id: i64, actor: Actor) -> AppResult<()> {
    let now = state.clock.now();
    let mode = state.config.mail.erase_comments;
    state
        .db
        .write(move |c| {
            let user = queries::find(c, id)?;
            keep_an_admin(c, user.role() == Role::Admin && !user.disabled, false)?;
            super::erase::erase(c, &user, mode, now)?;
            super::queries::touch_public(c, id)?;
            // that an account was erased, never whose
            audit::record(c, &actor, Entry::new("user.erased"), now)?;
            Ok(())
        })
        .await
}
