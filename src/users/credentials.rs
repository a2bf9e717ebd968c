//! What signing in shares: sessions issued and answered, passwords hashed
//! and checked off the async workers. Used by sign-up and sign-in
//! (`account`), links sent by mail (`email`) and the member's own account.

use actix_web::http::header;
use actix_web::{HttpResponse, HttpResponseBuilder, web};

use super::dto::{Me, Session};
use super::model::UserRow;
use crate::auth::session;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub(super) fn session_for(
    conn: &mut AnyConnection,
    state: &AppState,
    user: UserRow,
    family: Option<String>,
) -> AppResult<Session> {
    let issued = session::issue(
        conn,
        &state.auth.tokens,
        (user.id, user.role(), user.token_epoch),
        state.clock.now(),
        family,
    )?;
    Ok(Session {
        access_token: issued.access_token,
        token_type: "Bearer".into(),
        expires_in: issued.expires_in,
        refresh_token: issued.refresh_token,
        user: Me::from(user),
    })
}

/// Answers that carry a session hold tokens: never cached.
pub(super) fn session_response(
    mut builder: HttpResponseBuilder,
    session: &Session,
) -> HttpResponse {
    builder
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(session)
}

/// Hashing is slow on purpose: done on a blocking thread, without holding a
/// database connection.
pub(super) async fn hash_password(
    state: &web::Data<AppState>,
    password: String,
) -> AppResult<String> {
    let state = state.clone();
    web::block(move || state.auth.passwords.hash(&password))
        .await
        .map_err(|e| AppError::internal(format!("hashing task failed: {e}")))?
}

pub(super) async fn verify_password(
    state: &web::Data<AppState>,
    password: String,
    hash: Option<String>,
) -> AppResult<bool> {
    let state = state.clone();
    web::block(move || state.auth.passwords.verify(&password, hash.as_deref()))
        .await
        .map_err(|e| AppError::internal(format!("hashing task failed: {e}")))
}
