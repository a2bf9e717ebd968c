//! Readers post comments and read threads.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::dto::{PostComment, THREAD_SORTABLE, Thread, ThreadFilters};
use super::{posting, queries, rules, views};
use crate::auth::limits::client_ip;
use crate::auth::policy::allowed;
use crate::auth::{Action, Caller, authorize};
use crate::error::AppResult;
use crate::http::path::Key;
use crate::http::shape::ShapeParams;
use crate::http::{Json, ListQuery, Page, PageParams};
use crate::ids::ArticleId;
use crate::openapi as oa;
use crate::state::AppState;

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
    crate::http::caller::require_verified(&state, &caller).await?;
    let body = body.0;
    let text = posting::checked_text(&body, cfg)?;
    let (guest_name, guest_email) = posting::guest_identity(&caller, &body)?;
    let moderator = allowed(&caller, Action::ModerateComments);
    let user_id = caller.user_id().map(|u| u.0);
    let now = state.clock.now();

    let (c2, key) = (caller.clone(), path.into_inner());
    let (article, standing) = state
        .db
        .run(move |c| {
            let article = posting::article(c, &c2, &key, now)?;
            let standing = match user_id {
                Some(id) => queries::standing(c, id)?,
                None => None,
            };
            Ok((article, standing))
        })
        .await?;
    posting::check_open(&article, now)?;
    posting::refuse_banned(standing.as_ref(), now)?;
    let ip = client_ip(&req, cfg.trust_proxy);
    if !moderator {
        posting::limit(&state, user_id, &ip).await?;
    }
    let trusted = standing.is_some_and(|s| s.approved_count >= cfg.comments_trusted_after);
    let (status, held) = rules::first_status(&text, cfg, moderator, trusted);
    let new = posting::NewPost {
        article_id: article.id,
        parent: body.parent_id.map(|p| p.0),
        author_id: user_id,
        guest_name,
        guest_email,
        text,
        status,
        held,
        ip,
        moderator,
    };
    let st = state.clone();
    let comment = state
        .db
        .write(move |c| {
            let row = posting::insert(c, new, now)?;
            if row.approved() {
                super::notify::reply(c, &st.config.mail, &st.config.jwt_secret, &row, now)?;
            }
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
    params(Key<ArticleId>, PageParams, ThreadFilters, ShapeParams),
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
    query: ListQuery<ThreadFilters, ShapeParams>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&THREAD_SORTABLE, "created_at")?;
    let shape = query.extra.resolve::<Thread>()?;
    let updated_after = query.filters.updated_after.map(|t| t.naive_utc());
    let now = state.clock.now();
    if let Some(key) = &paged.after
        && !queries::thread_key_fits(key)
    {
        return Err(crate::http::pagination::invalid_cursor());
    }
    let (p, c2, key) = (paged.clone(), caller.clone(), path.into_inner());
    let totals = state.totals.clone();
    // read before anything the total depends on (see `db::totals`)
    let generation = state.db.generation();
    let (page, article_id) = state
        .db
        .run(move |c| {
            let article = posting::article(c, &c2, &key, now)?;
            let tops = queries::threads(c, article.id, updated_after, &p)?;
            let total = totals.get_or_count(
                &format!("comments|{}|{updated_after:?}", article.id),
                generation,
                now,
                || queries::thread_count(c, article.id, updated_after).map(|n| (n, None)),
            )?;
            let keys: Vec<_> = tops.iter().map(queries::thread_key).collect();
            let threads: Vec<_> = views::threads(c, tops)?.into_iter().zip(keys).collect();
            Ok((
                Page::keyed(&p, threads, total, |(_, key)| key.clone()).map(|(t, _)| t),
                article.id,
            ))
        })
        .await?;
    if caller.is_anonymous() {
        // the thread, its article (which may stop being public), and the
        // commenters whose names and pictures it shows
        use crate::http::response_cache as cache;
        cache::tag(
            &req,
            [
                format!("thread:article:{article_id}"),
                format!("article:{article_id}"),
            ],
        );
        for thread in &page.data {
            let authors = std::iter::once(&thread.comment)
                .chain(&thread.replies)
                .filter_map(|c| c.author.as_ref().and_then(|a| a.id));
            cache::tag(&req, authors.map(|id| format!("user:{}", id.0)));
        }
    }
    crate::http::shape::respond_page_shaped(&req, caller.freshness(), &shape, &page, &paged)
}
