//! Moderators: the queue, decisions one by one or in bulk, and bans.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};

use super::dto::{
    BanRequest, BulkDecision, BulkResult, Comment, CommentBan, CommentStatus, QUEUE_SORTABLE,
    QueueFilters,
};
use super::model::StandingRow;
use super::queries::{self, QueueQuery};
use super::{lifecycle, views};
use crate::audit::{self, Actor, Entry, Origin};
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::path::Id;
use crate::http::{Freshness, Json, ListQuery, Page, PageParams, respond_page};
use crate::ids::{IdOrSlug, UserId};
use crate::openapi as oa;
use crate::state::{AppState, utc};

fn parse_statuses(raw: Option<&str>) -> AppResult<Vec<&'static str>> {
    let Some(raw) = raw else {
        return Ok(vec![CommentStatus::Pending.as_str()]);
    };
    let statuses = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            CommentStatus::parse(s)
                .map(CommentStatus::as_str)
                .ok_or_else(|| {
                    AppError::bad_query(format!(
                        "unknown status `{s}`; use pending, approved, rejected, spam, deleted"
                    ))
                })
        })
        .collect::<AppResult<Vec<_>>>()?;
    if statuses.is_empty() {
        return Err(AppError::bad_query("status names no state"));
    }
    Ok(statuses)
}

/// The moderation queue (editors, admins, keys with `comments:moderate`).
///
/// Comments in the states of `status` (`pending` by default), oldest first,
/// with their article, author, the guest's e-mail, flags and why they wait
/// (`held_reason`). Filter by `article` (id or slug) and `author` (user id).
#[utoipa::path(
    tag = "comments",
    params(PageParams, QueueFilters),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of comments", body = Page<Comment>,
         headers(("Link" = String, description = "RFC 8288 next/prev"))),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/comments")]
pub async fn list_queue(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<QueueFilters>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ModerateComments)?;
    let paged = query.paged(&QUEUE_SORTABLE, "created_at")?;
    let f = &query.filters;
    let statuses = parse_statuses(f.status.as_deref())?;
    let author_id = f.author.map(|u| u.0);
    let article = f.article.as_deref().map(IdOrSlug::parse);
    let (p, st, viewer) = (paged.clone(), state.clone(), caller.user_id().map(|u| u.0));
    let page = state
        .db
        .run(move |c| {
            let article_id = match article {
                None => None,
                Some(key) => match queries::article_id(c, &key)? {
                    Some(id) => Some(id),
                    // a filter naming nothing matches nothing
                    None => return Ok(Page::new(&p, Vec::new(), 0)),
                },
            };
            let q = QueueQuery {
                statuses,
                article_id,
                author_id,
            };
            let (rows, total) = queries::queue(c, &q, &p)?;
            let items = views::many(c, &rows, viewer, true, &st.config)?;
            Ok(Page::new(&p, items, total))
        })
        .await?;
    Ok(respond_page(&req, Freshness::Private, &page, &paged))
}

/// Decide on many comments at once: all are put in `status` in one
/// transaction, or none when an id is unknown (422 naming them). Placeholders
/// of deleted comments cannot be decided on.
#[utoipa::path(
    tag = "comments",
    request_body = BulkDecision,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Decided", body = BulkResult),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/comments/moderation")]
pub async fn decide_many(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    body: Json<BulkDecision>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ModerateComments)?;
    let mut ids: Vec<i64> = body.ids.iter().map(|i| i.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let to = body.status.as_str();
    let now = state.clock.now();
    let actor = Actor::of(&caller, &origin);
    let (st, viewer) = (state.clone(), caller.user_id().map(|u| u.0));
    let data = state
        .db
        .write(move |c| {
            lifecycle::serialize(c)?;
            let found = queries::find_many(c, &ids)?;
            let errors: Vec<FieldError> = ids
                .iter()
                .filter(|id| !found.iter().any(|r| r.id == **id && !r.deleted()))
                .map(|id| FieldError::new("ids", format!("no comment {id} to decide on")))
                .collect();
            if !errors.is_empty() {
                return Err(AppError::validation(errors));
            }
            let mut rows: Vec<super::model::CommentRow> = Vec::with_capacity(ids.len());
            // in id order: concurrent bulk decisions take the locks in the same order
            for id in ids {
                let row = lifecycle::lock_and_read(c, id, now)?;
                let entry = lifecycle::decision_entry(&row, to).detail("bulk", true);
                let decided = lifecycle::decide(c, &row, to, now)?;
                if decided.approved() && !row.ever_approved {
                    super::notify::reply(c, &st.config.mail, &st.config.jwt_secret, &decided, now)?;
                }
                rows.push(decided);
                audit::record(c, &actor, entry, now)?;
            }
            // last, once every comment is locked and written
            for row in &rows {
                crate::changes::record(c, row.change(to, now))?;
            }
            views::many(c, &rows, viewer, true, &st.config)
        })
        .await?;
    Ok(HttpResponse::Ok().json(BulkResult { data }))
}

fn ban_view(row: &StandingRow) -> CommentBan {
    CommentBan {
        user_id: UserId(row.user_id),
        banned: row.banned,
        until: row.banned_until.map(utc),
        reason: row.ban_reason.clone(),
        approved_count: row.approved_count,
    }
}

/// Ban a member from commenting (editors, admins), until `until` or for good.
/// Setting a ban again replaces it. Their comments stay as they are.
#[utoipa::path(
    tag = "comments",
    params(Id<UserId>),
    request_body = BanRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Banned", body = CommentBan),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[put("/users/{id}/comment-ban")]
pub async fn ban_commenter(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<UserId>,
    body: Json<BanRequest>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::BanCommenter)?;
    let id = path.0.0;
    let now = state.clock.now();
    let until = body.until.map(crate::state::stored);
    if until.is_some_and(|t| t <= now) {
        return Err(AppError::invalid("until", "must be in the future"));
    }
    let reason = body.0.reason.map(|r| r.trim().to_string());
    let by = caller.user_id().map(|u| u.0);
    let actor = Actor::of(&caller, &origin);
    let row = state
        .db
        .write(move |c| {
            lifecycle::serialize(c)?;
            if !queries::user_exists(c, id)? {
                return Err(AppError::not_found("no such user"));
            }
            let entry = Entry::new("commenter.banned")
                .target("user", id)
                .detail("until", until.map(|t| utc(t).to_rfc3339()))
                .detail("reason", reason.clone());
            audit::record(c, &actor, entry, now)?;
            Ok(queries::set_ban(c, id, Some((until, reason, by)), now)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ban_view(&row)))
}

/// Lift a member's comment ban (editors, admins).
#[utoipa::path(
    tag = "comments",
    params(Id<UserId>),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The member may comment again"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[delete("/users/{id}/comment-ban")]
pub async fn lift_ban(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<UserId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::BanCommenter)?;
    let id = path.0.0;
    let now = state.clock.now();
    state
        .db
        .write(move |c| {
            lifecycle::serialize(c)?;
            if !queries::user_exists(c, id)? {
                return Err(AppError::not_found("no such user"));
            }
            queries::set_ban(c, id, None, now)?;
            let entry = Entry::new("commenter.ban_lifted").target("user", id);
            audit::record(c, &Actor::of(&caller, &origin), entry, now)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
