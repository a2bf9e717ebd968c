//! Readers post comments and read threads.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDateTime;

use super::dto::{PostComment, THREAD_SORTABLE, Thread, ThreadFilters};
use super::model::{APPROVED, CommentRow, NewComment, PENDING};
use super::{lifecycle, queries, rules, views};
use crate::articles::{ArticleRow, Lookup, readable};
use crate::auth::limits::client_ip;
use crate::auth::policy::allowed;
use crate::auth::{Action, Caller, authorize};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::path::Key;
use crate::http::{Json, ListQuery, Page, PageParams, respond_page};
use crate::ids::{ArticleId, IdOrSlug};
use crate::openapi as oa;
use crate::state::{AppState, utc};
use crate::text::comment_to_html;

/// The article named in the path, if the caller may read it (404 otherwise);
/// a former slug leads to the article it moved to.
fn article(
    conn: &mut AnyConnection,
    caller: &Caller,
    key: &IdOrSlug,
    now: NaiveDateTime,
) -> AppResult<ArticleRow> {
    match readable(conn, caller, key, now)? {
        Lookup::Found(row) => Ok(*row),
        Lookup::Moved(slug) => match readable(conn, caller, &IdOrSlug::Slug(slug), now)? {
            Lookup::Found(row) => Ok(*row),
            Lookup::Moved(_) => Err(AppError::not_found("no such article")),
        },
    }
}

/// Comments are taken on public articles that allow them.
fn check_open(article: &ArticleRow, now: NaiveDateTime) -> AppResult<()> {
    if !article.is_public(now) {
        return Err(AppError::unprocessable(
            "comments_closed",
            "this article is not published: it takes no comments",
        ));
    }
    if !article.allow_comments {
        return Err(AppError::unprocessable(
            "comments_closed",
            "comments are closed on this article",
        ));
    }
    Ok(())
}

/// Where a reply goes: under the comment answered, or under its parent when
/// that comment is already at the deepest level.
fn placement(
    conn: &mut AnyConnection,
    parent: Option<i64>,
    article_id: i64,
    moderator: bool,
) -> AppResult<(Option<i64>, Option<i64>, i32)> {
    let Some(pid) = parent else {
        return Ok((None, None, 0));
    };
    let answered: Option<CommentRow> = match queries::find(conn, pid) {
        Ok(row) => Some(row),
        Err(diesel::result::Error::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let Some(p) = answered.filter(|p| p.article_id == article_id) else {
        return Err(AppError::invalid(
            "parent_id",
            "no such comment under this article",
        ));
    };
    if !p.approved() && !moderator {
        return Err(AppError::invalid(
            "parent_id",
            "only published comments can be answered",
        ));
    }
    let thread = p.thread_id.or(Some(p.id));
    if p.depth >= 3 {
        Ok((p.parent_id, thread, 3))
    } else {
        Ok((Some(p.id), thread, p.depth + 1))
    }
}

/// The guest's name and e-mail, required from anonymous callers.
fn guest_identity(
    caller: &Caller,
    body: &PostComment,
) -> AppResult<(Option<String>, Option<String>)> {
    if !caller.is_anonymous() {
        return Ok((None, None));
    }
    let mut errors = Vec::new();
    if body.guest_name.is_none() {
        errors.push(FieldError::new("guest_name", "guests give a name"));
    }
    if body.guest_email.is_none() {
        errors.push(FieldError::new(
            "guest_email",
            "guests give an e-mail address (never shown)",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    Ok((
        body.guest_name.as_ref().map(|n| n.trim().to_string()),
        body.guest_email.as_ref().map(|e| e.trim().to_lowercase()),
    ))
}

/// Post a comment, or a reply with `parent_id`.
///
/// Members post with their account; guests (when `KIOSQUE_COMMENTS_GUESTS`
/// is on) give `guest_name` and `guest_email`. The new comment is `approved`
/// at once in post-moderation, for trusted members (enough approved comments)
/// and for moderators, and `pending` otherwise — and always `pending` when it
/// contains a blocked word or too many links (`held_reason` says why).
/// Refused: on an article that is not published or closed to comments (422
/// `comments_closed`), for a banned member (403 `banned_from_comments`), the
/// same text as the author's previous comment (409 `duplicate_comment`), and
/// over the rate limit (429, per member and per address).
#[utoipa::path(
    tag = "comments",
    params(Key<ArticleId>),
    request_body = PostComment,
    security((), ("bearer" = [])),
    responses(
        (status = 201, description = "Posted; `status` says whether it is published or waits",
         body = super::dto::Comment,
         headers(("Location" = String, description = "The comment's address"))),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, description = "An API key, or a member banned from commenting (`banned_from_comments`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, response = oa::NotFound),
        (status = 409, description = "The same text as the author's previous comment (`duplicate_comment`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, description = "Invalid fields, or the article takes no comments (`comments_closed`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/articles/{id}/comments")]
pub async fn post_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<ArticleId>,
    body: Json<PostComment>,
) -> AppResult<HttpResponse> {
    let cfg = &state.config;
    authorize(
        &caller,
        Action::PostComment {
            guests_allowed: cfg.comments_guests,
        },
    )?;
    let body = body.0;
    let text = body.body.trim().to_string();
    if text.chars().count() > cfg.comments_max_length {
        return Err(AppError::invalid(
            "body",
            format!("must be at most {} characters", cfg.comments_max_length),
        ));
    }
    let (guest_name, guest_email) = guest_identity(&caller, &body)?;
    let moderator = allowed(&caller, Action::ModerateComments);
    let user_id = caller.user_id().map(|u| u.0);
    let now = state.clock.now();

    let (c2, key) = (caller.clone(), path.into_inner());
    let (article, standing) = state
        .db
        .run(move |c| {
            let article = article(c, &c2, &key, now)?;
            let standing = match user_id {
                Some(id) => queries::standing(c, id)?,
                None => None,
            };
            Ok((article, standing))
        })
        .await?;
    check_open(&article, now)?;
    if let Some(s) = standing.as_ref().filter(|s| s.banned_at(now)) {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "banned_from_comments",
            match s.banned_until {
                Some(until) => format!("you may not comment until {}", utc(until).to_rfc3339()),
                None => "you may no longer comment on this site".to_string(),
            },
        ));
    }
    let ip = client_ip(&req, cfg.trust_proxy);
    if !moderator {
        if let Some(id) = user_id {
            state
                .limit(
                    "comments_member",
                    id.to_string(),
                    cfg.comments_per_hour,
                    cfg.comments_burst,
                )
                .await?;
        }
        state
            .limit(
                "comments_ip",
                ip.to_string(),
                cfg.comments_per_hour,
                cfg.comments_burst,
            )
            .await?;
    }
    let trusted = standing.is_some_and(|s| s.approved_count >= cfg.comments_trusted_after);
    let (status, held) = rules::first_status(&text, cfg, moderator, trusted);
    let body_html = comment_to_html(&text);
    let st = state.clone();
    let comment = state
        .db
        .write(move |c| {
            lifecycle::serialize(c)?;
            let (parent_id, thread_id, depth) =
                placement(c, body.parent_id.map(|p| p.0), article.id, moderator)?;
            if queries::last_text(c, user_id, guest_email.as_deref())?.as_deref()
                == Some(text.as_str())
            {
                return Err(AppError::new(
                    StatusCode::CONFLICT,
                    "duplicate_comment",
                    "this is the same text as your previous comment",
                ));
            }
            let row = queries::insert(
                c,
                &NewComment {
                    article_id: article.id,
                    parent_id,
                    thread_id,
                    in_reply_to_id: body.parent_id.map(|p| p.0),
                    depth,
                    author_id: user_id,
                    guest_name,
                    guest_email,
                    body: text,
                    body_html,
                    status: PENDING.into(),
                    held_reason: held.map(str::to_string),
                    ip,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            let row = if status == APPROVED {
                lifecycle::transition(c, &row, APPROVED, None, now)?
            } else {
                row
            };
            crate::changes::record(c, row.change("created", now))?;
            views::one(c, &row, user_id, moderator, &st.config)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/comments/{}", comment.id)))
        .json(comment))
}

/// Read an article's comments, as threads.
///
/// Pages over top-level comments, oldest first (`sort=-created_at` for
/// newest first). Each carries `replies`: every visible reply of its thread
/// as a flat list, oldest first, with `parent_id` and `depth` (1–3) to nest
/// them. Only approved comments are shown; a comment that is not (deleted,
/// or withdrawn by moderators) but has approved replies appears as a
/// placeholder (`deleted: true`, no author, no body). Authors' names and
/// avatars are embedded; a page costs the same few queries whatever its size.
#[utoipa::path(
    tag = "comments",
    params(Key<ArticleId>, PageParams, ThreadFilters),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of threads", body = Page<Thread>,
         headers(("ETag" = String), ("Link" = String, description = "RFC 8288 next/prev"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/articles/{id}/comments")]
pub async fn list_comments(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<ArticleId>,
    query: ListQuery<ThreadFilters>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&THREAD_SORTABLE, "created_at")?;
    let now = state.clock.now();
    let (p, c2, key) = (paged.clone(), caller.clone(), path.into_inner());
    let page = state
        .db
        .run(move |c| {
            let article = article(c, &c2, &key, now)?;
            let (tops, total) = queries::threads(c, article.id, &p)?;
            Ok(Page::new(&p, views::threads(c, tops)?, total))
        })
        .await?;
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}
