//! A comment's own life: its author edits or deletes it, moderators decide on
//! it, readers flag it.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, patch, post, web};

use super::dto::{Comment, FlagComment, FlagReceipt, UpdateComment};
use super::model::{APPROVED, NewFlag, PENDING};
use super::{lifecycle, queries, rules, views};
use crate::audit::{Actor, Origin};
use crate::auth::limits::client_ip;
use crate::auth::policy::allowed;
use crate::auth::{Action, Caller, authorize};
use crate::config::ModerationMode;
use crate::error::{AppError, AppResult};
use crate::http::Json;
use crate::http::path::Id;
use crate::ids::{CommentId, UserId};
use crate::openapi as oa;
use crate::state::{AppState, utc};
use crate::text::comment_to_html;

/// Change a comment: its author changes `body` within the edit window
/// (`KIOSQUE_COMMENTS_EDIT_WINDOW_MINUTES`; after it 422 `edit_window_closed`),
/// which sets `edited_at` and checks the text again (a blocked word sends it
/// back to the queue); moderators set `status` (`approved`, `rejected`,
/// `spam`, or `pending` to requeue). Nobody rewrites another's text (403).
///
/// Under pre-moderation, an untrusted member's edit of an approved comment
/// waits in the moderation queue (`pending_edit`, seen by the author and
/// moderators) while the approved text stays public: `approved` applies it,
/// `rejected` drops it. In post-moderation, and for trusted members, an edit
/// applies at once.
#[utoipa::path(
    tag = "comments",
    params(Id<CommentId>),
    request_body = UpdateComment,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = Comment),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, description = "Invalid fields, the edit window has closed (`edit_window_closed`), or the comment was deleted (`comment_deleted`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, response = oa::Unavailable),
    )
)]
#[patch("/comments/{id}")]
pub async fn update_comment(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<CommentId>,
    body: Json<UpdateComment>,
) -> AppResult<HttpResponse> {
    let id = path.0.0;
    if body.status.is_some() {
        authorize(&caller, Action::ModerateComments)?;
    }
    let moderator = allowed(&caller, Action::ModerateComments);
    let max = state.config.comments_max_length;
    let text = body.body.as_ref().map(|b| b.trim().to_string());
    if text.as_ref().is_some_and(|t| t.chars().count() > max) {
        return Err(AppError::invalid(
            "body",
            format!("must be at most {max} characters"),
        ));
    }
    let decision = body.status;
    let now = state.clock.now();
    let actor = Actor::of(&caller, &origin);
    let (st, viewer) = (state.clone(), caller.user_id().map(|u| u.0));
    let comment = state
        .db
        .write(move |c| {
            lifecycle::serialize(c)?;
            let mut row = lifecycle::lock_and_read(c, id, now)?;
            let mut edited = false;
            if let Some(text) = text {
                authorize(
                    &caller,
                    Action::EditComment {
                        author: row.author_id.map(UserId),
                    },
                )?;
                if row.deleted() {
                    return Err(AppError::unprocessable(
                        "comment_deleted",
                        "this comment was deleted",
                    ));
                }
                let deadline = views::edit_deadline(&row, &st.config);
                if now > deadline {
                    return Err(AppError::unprocessable(
                        "edit_window_closed",
                        format!(
                            "comments can be edited for {} minutes; this one could be until {}",
                            st.config.comments_edit_window_minutes,
                            utc(deadline).to_rfc3339()
                        ),
                    ));
                }
                if edit_waits_for_review(c, &row, moderator, &st.config)? {
                    // the approved text stays public until a moderator decides
                    row = queries::set_pending_edit(c, id, Some(&text), now)?;
                } else {
                    row = queries::set_text(c, id, &text, &comment_to_html(&text), now)?;
                }
                if let Some(reason) = rules::hold_reason(&text, &st.config)
                    && row.approved()
                    && row.pending_body.is_none()
                    && !moderator
                {
                    row = lifecycle::transition(c, &row, PENDING, Some(reason), now)?;
                }
                edited = true;
            }
            if let Some(decision) = decision {
                let entry = lifecycle::decision_entry(&row, decision.as_str());
                row = lifecycle::decide(c, &row, decision.as_str(), now)?;
                crate::audit::record(c, &actor, entry, now)?;
                crate::changes::record(c, row.change(decision.as_str(), now))?;
            } else if edited {
                crate::changes::record(c, row.change("updated", now))?;
            }
            views::one(c, &row, viewer, moderator, &st.config)
        })
        .await?;
    Ok(HttpResponse::Ok().json(comment))
}

/// Under pre-moderation, an untrusted member's edit of an approved comment
/// waits for a moderator; elsewhere an edit applies at once.
fn edit_waits_for_review(
    c: &mut crate::db::AnyConnection,
    row: &super::model::CommentRow,
    moderator: bool,
    config: &crate::config::Config,
) -> AppResult<bool> {
    if moderator || !row.approved() || config.comments_moderation != ModerationMode::Pre {
        return Ok(false);
    }
    let trusted = match row.author_id {
        Some(author) => queries::standing(c, author)?
            .is_some_and(|s| s.approved_count >= config.comments_trusted_after),
        None => false,
    };
    Ok(!trusted)
}

/// Delete a comment: its author at any time, or a moderator. A comment with
/// replies stays as a placeholder (`deleted: true`) so the thread keeps its
/// shape; one without is removed.
#[utoipa::path(
    tag = "comments",
    params(Id<CommentId>),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[delete("/comments/{id}")]
pub async fn delete_comment(
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<CommentId>,
) -> AppResult<HttpResponse> {
    let id = path.0.0;
    let now = state.clock.now();
    state
        .db
        .write(move |c| {
            lifecycle::serialize(c)?;
            let row = lifecycle::lock_and_read(c, id, now)?;
            authorize(
                &caller,
                Action::DeleteComment {
                    author: row.author_id.map(UserId),
                },
            )?;
            lifecycle::remove(c, &row, now)?;
            crate::changes::record(c, row.change("deleted", now))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Flag a published comment for moderators, with a reason. One flag per
/// reader per comment (409 `already_flagged`): members by account, guests
/// (when guests may comment) by address. With `KIOSQUE_COMMENTS_FLAGS_TO_QUEUE`
/// flags the comment goes back to the moderation queue.
#[utoipa::path(
    tag = "comments",
    params(Id<CommentId>),
    request_body = FlagComment,
    security((), ("bearer" = [])),
    responses(
        (status = 201, description = "Flag recorded", body = FlagReceipt),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, description = "No such published comment",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "This reader already flagged the comment (`already_flagged`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/comments/{id}/flags")]
pub async fn flag_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<CommentId>,
    body: Json<FlagComment>,
) -> AppResult<HttpResponse> {
    let cfg = &state.config;
    authorize(
        &caller,
        Action::FlagComment {
            guests_allowed: cfg.comments_guests,
        },
    )?;
    let id = path.0.0;
    let user_id = caller.user_id().map(|u| u.0);
    let flagger_key = match user_id {
        Some(u) => format!("user:{u}"),
        None => {
            let ip = client_ip(&req, cfg.trust_proxy);
            state
                .limit(
                    "comment_flags_ip",
                    ip.to_string(),
                    cfg.comments_per_hour,
                    cfg.comments_burst,
                )
                .await?;
            format!("ip:{ip}")
        }
    };
    let reason = body.0.reason.trim().to_string();
    let threshold = cfg.comments_flags_to_queue;
    let now = state.clock.now();
    let queued = state
        .db
        .write(move |c| {
            lifecycle::serialize(c)?;
            let row = lifecycle::lock_and_read(c, id, now)?;
            if !row.approved() {
                return Err(AppError::not_found("no such published comment"));
            }
            let flag = NewFlag {
                comment_id: id,
                flagger_key,
                user_id,
                reason,
                created_at: now,
            };
            queries::add_flag(c, &flag).map_err(|e| match e {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                ) => AppError::new(
                    StatusCode::CONFLICT,
                    "already_flagged",
                    "you have already flagged this comment",
                ),
                e => e.into(),
            })?;
            queries::count_flag(c, id)?;
            let row = queries::find(c, id)?;
            if row.status == APPROVED && row.flag_count >= threshold {
                let held = lifecycle::transition(c, &row, PENDING, Some("flags"), now)?;
                crate::changes::record(c, held.change("pending", now))?;
                return Ok(true);
            }
            Ok(false)
        })
        .await?;
    Ok(HttpResponse::Created().json(FlagReceipt {
        comment_id: CommentId(id),
        queued,
    }))
}
