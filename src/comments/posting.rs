//! The rules of posting a comment, in the order a post meets them: its text,
//! the guest's identity, the article, the commenter's ban, the rate limits,
//! then the insert (a reply's place in its thread, no duplicate of one's
//! previous comment, the first state).

use actix_web::http::StatusCode;
use chrono::NaiveDateTime;

use super::dto::PostComment;
use super::lifecycle;
use super::model::StandingRow;
use super::model::{APPROVED, CommentRow, NewComment, PENDING};
use super::queries;
use crate::articles::{ArticleRow, Lookup, readable};
use crate::auth::Caller;
use crate::config::Config;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::IdOrSlug;
use crate::state::{AppState, utc};
use crate::text::comment_to_html;

/// The text, trimmed, within `KIOSQUE_COMMENTS_MAX_LENGTH`.
pub fn checked_text(body: &PostComment, cfg: &Config) -> AppResult<String> {
    let text = body.body.trim().to_string();
    if text.chars().count() > cfg.comments_max_length {
        return Err(AppError::invalid(
            "body",
            format!("must be at most {} characters", cfg.comments_max_length),
        ));
    }
    Ok(text)
}

/// The article named in the path, if the caller may read it (404 otherwise);
/// a former slug leads to the article it moved to.
pub fn article(
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
pub fn check_open(article: &ArticleRow, now: NaiveDateTime) -> AppResult<()> {
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
pub fn placement(
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
pub fn guest_identity(
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

/// A banned commenter is refused, saying until when.
pub fn refuse_banned(standing: Option<&StandingRow>, now: NaiveDateTime) -> AppResult<()> {
    match standing.filter(|s| s.banned_at(now)) {
        None => Ok(()),
        Some(s) => Err(AppError::new(
            StatusCode::FORBIDDEN,
            "banned_from_comments",
            match s.banned_until {
                Some(until) => format!("you may not comment until {}", utc(until).to_rfc3339()),
                None => "you may no longer comment on this site".to_string(),
            },
        )),
    }
}

/// The hourly allowance of comments, per member and per address.
pub async fn limit(state: &AppState, user_id: Option<i64>, ip: &str) -> AppResult<()> {
    let cfg = &state.config;
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
        .await
}

/// A post that passed the checks made before the write.
pub struct NewPost {
    pub article_id: i64,
    pub parent: Option<i64>,
    pub author_id: Option<i64>,
    pub guest_name: Option<String>,
    pub guest_email: Option<String>,
    pub text: String,
    /// The first state `rules::first_status` decided, and why it is held.
    pub status: &'static str,
    pub held: Option<&'static str>,
    pub ip: String,
    pub moderator: bool,
}

/// Writes the comment, in the caller's write transaction: its place in the
/// thread, no repeat of the author's previous text (409), then its first
/// state, and records `comment.created` in the change log.
pub fn insert(c: &mut AnyConnection, post: NewPost, now: NaiveDateTime) -> AppResult<CommentRow> {
    lifecycle::serialize(c)?;
    let (parent_id, thread_id, depth) = placement(c, post.parent, post.article_id, post.moderator)?;
    if queries::last_text(c, post.author_id, post.guest_email.as_deref())?.as_deref()
        == Some(post.text.as_str())
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
            article_id: post.article_id,
            parent_id,
            thread_id,
            in_reply_to_id: post.parent,
            depth,
            author_id: post.author_id,
            guest_name: post.guest_name,
            guest_email: post.guest_email,
            body_html: comment_to_html(&post.text),
            body: post.text,
            status: PENDING.into(),
            held_reason: post.held.map(str::to_string),
            ip: post.ip,
            created_at: now,
            updated_at: now,
        },
    )?;
    let row = if post.status == APPROVED {
        lifecycle::transition(c, &row, APPROVED, None, now)?
    } else {
        row
    };
    crate::changes::record(c, row.change("created", now))?;
    Ok(row)
}
