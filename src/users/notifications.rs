//! One-click unsubscribe from a notification (RFC 8058). Members also turn
//! notifications on and off in `PATCH /me`.

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::UserChanges;
use super::queries;
use crate::error::{AppError, AppResult};
use crate::http::Query;
use crate::mail::unsubscribe::{Topic, check};
use crate::openapi as oa;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UnsubscribeQuery {
    /// The token of the message's unsubscribe link.
    pub token: String,
}

/// Turn a notification off with the link of one of its messages, in one
/// click: mail clients POST here (`List-Unsubscribe-Post`), the front end's
/// unsubscribe page too. Any body is ignored. No sign-in needed: the signed
/// token names the member and the kind of notification.
#[utoipa::path(
    tag = "me",
    params(UnsubscribeQuery),
    responses(
        (status = 204, description = "That notification is off"),
        (status = 400, response = oa::BadRequest),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/unsubscribe")]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    query: Query<UnsubscribeQuery>,
) -> AppResult<HttpResponse> {
    let Some((id, topic)) = check(&state.config.jwt_secret, &query.0.token) else {
        return Err(AppError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "invalid_link",
            "this unsubscribe link is not valid",
        ));
    };
    let now = state.clock.now();
    let changes = UserChanges {
        notify_replies: (topic == Topic::Replies).then_some(false),
        notify_reviews: (topic == Topic::Reviews).then_some(false),
        notify_digest: (topic == Topic::Digest).then_some(false),
        updated_at: Some(now),
        ..Default::default()
    };
    state
        .db
        .write(move |c| match queries::update(c, id, &changes) {
            // an erased account: nothing left to send to
            Err(diesel::result::Error::NotFound) => Ok(()),
            other => other.map(|_| ()).map_err(AppError::from),
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
