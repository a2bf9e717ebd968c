//! The signed-in user's own account: `/me`.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use super::credentials::{hash_password, session_for, session_response, verify_password};
use super::dto::{ChangePassword, Me, Session, UpdateMe};
use super::model::UserChanges;
use super::queries;
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::http::{Json, respond};
use crate::openapi as oa;
use crate::state::AppState;

fn me_id(caller: &Caller) -> AppResult<i64> {
    authorize(caller, Action::ManageOwnAccount)?;
    Ok(caller.user_id().expect("the policy admits only users").0)
}

/// The signed-in user.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your account", body = Me),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/me")]
pub async fn get_me(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> AppResult<HttpResponse> {
    let id = me_id(&caller)?;
    let user = state.db.run(move |c| Ok(queries::find(c, id)?)).await?;
    Ok(respond(&req, caller.freshness(), &Me::from(user)))
}

/// Change your profile. Role, e-mail and account state are not yours to set (422).
#[utoipa::path(
    tag = "me",
    request_body = UpdateMe,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Me),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 409, response = oa::Conflict),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[patch("/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<UpdateMe>,
) -> AppResult<HttpResponse> {
    let id = me_id(&caller)?;
    let body = body.0;
    let changes = UserChanges {
        display_name: body.display_name.map(|n| n.trim().to_string()),
        slug: body.slug,
        bio: body.bio,
        avatar_url: body.avatar_url,
        notify_replies: body.notify_replies,
        notify_reviews: body.notify_reviews,
        notify_digest: body.notify_digest,
        updated_at: Some(state.clock.now()),
        ..Default::default()
    };
    let user = state
        .db
        .write(move |c| {
            let user = queries::update(c, id, &changes)?;
            queries::touch_public(c, id)?;
            Ok(user)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Me::from(user)))
}

/// Change your password. Ends every other session; answers with a fresh one.
#[utoipa::path(
    tag = "me",
    request_body = ChangePassword,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed; a new session", body = Session),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<ChangePassword>,
) -> AppResult<HttpResponse> {
    let id = me_id(&caller)?;
    state
        .limit_auth("auth_account", format!("password:{id}"))
        .await?;
    let body = body.0;
    let user = state.db.run(move |c| Ok(queries::find(c, id)?)).await?;
    if !verify_password(&state, body.current_password, Some(user.password_hash)).await? {
        return Err(AppError::invalid("current_password", "is incorrect"));
    }
    let password_hash = hash_password(&state, body.new_password).await?;
    let now = state.clock.now();
    let st = state.clone();
    let session = state
        .db
        .write(move |c| {
            queries::update(
                c,
                id,
                &UserChanges {
                    password_hash: Some(password_hash),
                    updated_at: Some(now),
                    ..Default::default()
                },
            )?;
            queries::end_all_sessions(c, id, now)?;
            let user = queries::find(c, id)?;
            session_for(c, &st, user, None)
        })
        .await?;
    Ok(session_response(HttpResponse::Ok(), &session))
}
