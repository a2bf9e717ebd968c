//! The diesel code of comments; commenters' standing (approvals, bans) is in `standing`.

mod standing;

pub use standing::{count_approval, ensure_standing, set_ban, standing, user_exists};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{APPROVED, CommentRow, DELETED, NewComment, NewFlag, PENDING};
use crate::db::schema::{articles, comment_flags, comments, users};
use crate::db::{AnyConnection, MultiBackend};
use crate::http::PageRequest;
use crate::http::pagination::KeyValue;
use crate::ids::IdOrSlug;

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<CommentRow> {
    comments::table.find(id).first(conn)
}

/// Takes the comment's row lock (a write to it) before it is read and
/// changed, so concurrent decisions on one comment run one after the other,
/// each on the state the previous one left. 0: no such comment.
pub fn lock(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set(comments::updated_at.eq(now))
        .execute(conn)
}

pub fn insert(conn: &mut AnyConnection, new: &NewComment) -> QueryResult<CommentRow> {
    diesel::insert_into(comments::table)
        .values(new)
        .returning(comments::all_columns)
        .get_result(conn)
}

/// The text of an author's latest comment (a member, or a guest by e-mail).
pub fn last_text(
    conn: &mut AnyConnection,
    author_id: Option<i64>,
    guest_email: Option<&str>,
) -> QueryResult<Option<String>> {
    let mut q = comments::table
        .filter(comments::status.ne(DELETED))
        .select(comments::body)
        .order((comments::created_at.desc(), comments::id.desc()))
        .into_boxed::<MultiBackend>();
    q = match (author_id, guest_email) {
        (Some(id), _) => q.filter(comments::author_id.eq(id)),
        (None, Some(email)) => q
            .filter(comments::author_id.is_null())
            .filter(comments::guest_email.eq(email.to_string())),
        (None, None) => return Ok(None),
    };
    q.first(conn).optional()
}

/// Adds `delta` to the article's `comment_count`, in SQL.
pub fn move_count(conn: &mut AnyConnection, article_id: i64, delta: i32) -> QueryResult<usize> {
    diesel::update(articles::table.find(article_id))
        .set(articles::comment_count.eq(articles::comment_count + delta))
        .execute(conn)
}

pub fn set_state(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    held_reason: Option<&str>,
    ever_approved: bool,
    now: NaiveDateTime,
) -> QueryResult<CommentRow> {
    diesel::update(comments::table.find(id))
        .set((
            comments::status.eq(status),
            comments::held_reason.eq(held_reason),
            comments::ever_approved.eq(ever_approved),
            comments::updated_at.eq(now),
        ))
        .returning(comments::all_columns)
        .get_result(conn)
}

pub fn set_text(
    conn: &mut AnyConnection,
    id: i64,
    body: &str,
    body_html: &str,
    now: NaiveDateTime,
) -> QueryResult<CommentRow> {
    diesel::update(comments::table.find(id))
        .set((
            comments::body.eq(body),
            comments::body_html.eq(body_html),
            comments::edited_at.eq(Some(now)),
            comments::updated_at.eq(now),
            comments::pending_body.eq(None::<String>),
            comments::pending_since.eq(None::<NaiveDateTime>),
        ))
        .returning(comments::all_columns)
        .get_result(conn)
}

/// Keeps `body` as the author's edit waiting for a moderator (`None`: drops it).
pub fn set_pending_edit(
    conn: &mut AnyConnection,
    id: i64,
    body: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<CommentRow> {
    diesel::update(comments::table.find(id))
        .set((
            comments::pending_body.eq(body),
            comments::pending_since.eq(body.map(|_| now)),
            comments::updated_at.eq(now),
        ))
        .returning(comments::all_columns)
        .get_result(conn)
}

/// Turns a comment into a placeholder: no text, no guest details.
pub fn blank(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set((
            comments::body.eq(""),
            comments::body_html.eq(""),
            comments::guest_name.eq(None::<String>),
            comments::guest_email.eq(None::<String>),
            comments::pending_body.eq(None::<String>),
            comments::pending_since.eq(None::<NaiveDateTime>),
            comments::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn has_replies(conn: &mut AnyConnection, id: i64) -> QueryResult<bool> {
    Ok(comments::table
        .filter(comments::parent_id.eq(id))
        .select(comments::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(comments::table.find(id)).execute(conn)
}

pub fn add_flag(conn: &mut AnyConnection, flag: &NewFlag) -> QueryResult<usize> {
    diesel::insert_into(comment_flags::table)
        .values(flag)
        .execute(conn)
}

pub fn count_flag(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set(comments::flag_count.eq(comments::flag_count + 1))
        .execute(conn)
}

// ---- threads ----

/// An article's top-level comments that have something to show: approved
/// ones, and others (as placeholders) with approved replies; with
/// `updated_after`, only threads one of whose comments changed after it.
fn shown_threads(
    article_id: i64,
    updated_after: Option<NaiveDateTime>,
) -> comments::BoxedQuery<'static, MultiBackend> {
    let replies = diesel::alias!(comments as replies);
    let threads_with_replies = replies
        .filter(replies.field(comments::article_id).eq(article_id))
        .filter(replies.field(comments::status).eq(APPROVED))
        .select(replies.field(comments::thread_id));
    let query = comments::table
        .filter(comments::article_id.eq(article_id))
        .filter(comments::parent_id.is_null())
        .filter(
            comments::status
                .eq(APPROVED)
                .or(comments::id.nullable().eq_any(threads_with_replies)),
        )
        .into_boxed::<MultiBackend>();
    match updated_after {
        None => query,
        Some(after) => {
            let changed = diesel::alias!(comments as changed);
            let changed_threads = changed
                .filter(changed.field(comments::article_id).eq(article_id))
                .filter(changed.field(comments::updated_at).gt(after))
                .select(changed.field(comments::thread_id));
            query.filter(
                comments::updated_at
                    .gt(after)
                    .or(comments::id.nullable().eq_any(changed_threads)),
            )
        }
    }
}

/// How many threads an article shows.
pub fn thread_count(
    conn: &mut AnyConnection,
    article_id: i64,
    updated_after: Option<NaiveDateTime>,
) -> QueryResult<i64> {
    shown_threads(article_id, updated_after)
        .count()
        .get_result(conn)
}

/// The sort key of a thread (its first comment), as a keyset cursor carries it.
pub fn thread_key(row: &CommentRow) -> Vec<KeyValue> {
    vec![KeyValue::time(row.created_at), KeyValue::Int(row.id)]
}

/// Whether a cursor's key has the shape of [`thread_key`].
pub fn thread_key_fits(key: &[KeyValue]) -> bool {
    matches!(key, [t, KeyValue::Int(_)] if t.as_time().is_some())
}

/// A page of an article's threads (see [`shown_threads`]), oldest first
/// unless the sort says otherwise; after a keyset cursor's thread if given.
pub fn threads(
    conn: &mut AnyConnection,
    article_id: i64,
    updated_after: Option<NaiveDateTime>,
    paged: &PageRequest,
) -> QueryResult<Vec<CommentRow>> {
    let newest_first = paged.sort.first().is_some_and(|s| s.descending);
    let mut query = if newest_first {
        shown_threads(article_id, updated_after)
            .order((comments::created_at.desc(), comments::id.desc()))
    } else {
        shown_threads(article_id, updated_after)
            .order((comments::created_at.asc(), comments::id.asc()))
    };
    let mut offset = paged.offset;
    if let Some(key) = &paged.after
        && let [t, KeyValue::Int(id)] = key.as_slice()
        && let Some(t) = t.as_time()
    {
        let id = *id;
        query = if newest_first {
            query.filter(
                comments::created_at
                    .lt(t)
                    .or(comments::created_at.eq(t).and(comments::id.lt(id))),
            )
        } else {
            query.filter(
                comments::created_at
                    .gt(t)
                    .or(comments::created_at.eq(t).and(comments::id.gt(id))),
            )
        };
        offset = 0;
    }
    query.limit(paged.fetch()).offset(offset).load(conn)
}

/// Every reply of these threads, oldest first (all states: the caller keeps
/// what is visible, and placeholders on the way to it).
pub fn replies(conn: &mut AnyConnection, thread_ids: &[i64]) -> QueryResult<Vec<CommentRow>> {
    if thread_ids.is_empty() {
        return Ok(Vec::new());
    }
    comments::table
        .filter(comments::thread_id.eq_any(thread_ids))
        .order((comments::created_at.asc(), comments::id.asc()))
        .load(conn)
}

/// `(id, display name, avatar)` of these users, in one query.
pub fn people(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> QueryResult<Vec<(i64, String, Option<String>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name, users::avatar_url))
        .load(conn)
}

// ---- moderation queue ----

pub struct QueueQuery {
    pub statuses: Vec<&'static str>,
    pub article_id: Option<i64>,
    pub author_id: Option<i64>,
}

pub fn queue(
    conn: &mut AnyConnection,
    q: &QueueQuery,
    paged: &PageRequest,
) -> QueryResult<(Vec<CommentRow>, i64)> {
    let base = || {
        // the queue of `pending` also holds edits waiting for a moderator
        let mut query = if q.statuses.contains(&PENDING) {
            comments::table
                .filter(
                    comments::status
                        .eq_any(q.statuses.clone())
                        .or(comments::pending_since.is_not_null()),
                )
                .into_boxed::<MultiBackend>()
        } else {
            comments::table
                .filter(comments::status.eq_any(q.statuses.clone()))
                .into_boxed::<MultiBackend>()
        };
        if let Some(a) = q.article_id {
            query = query.filter(comments::article_id.eq(a));
        }
        if let Some(a) = q.author_id {
            query = query.filter(comments::author_id.eq(a));
        }
        query
    };
    let total = base().count().get_result(conn)?;
    let newest_first = paged.sort.first().is_some_and(|s| s.descending);
    let query = if newest_first {
        base().order((comments::created_at.desc(), comments::id.desc()))
    } else {
        base().order((comments::created_at.asc(), comments::id.asc()))
    };
    let rows = query.limit(paged.fetch()).offset(paged.offset).load(conn)?;
    Ok((rows, total))
}

/// `(id, slug, title)` of these articles.
pub fn article_refs(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> QueryResult<Vec<(i64, String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    articles::table
        .filter(articles::id.eq_any(ids))
        .select((articles::id, articles::slug, articles::title))
        .load(conn)
}

/// An article's id from its id or current slug.
pub fn article_id(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<Option<i64>> {
    match key {
        IdOrSlug::Id(id) => articles::table
            .find(*id)
            .select(articles::id)
            .first(conn)
            .optional(),
        IdOrSlug::Slug(slug) => articles::table
            .filter(articles::slug.eq(slug))
            .select(articles::id)
            .first(conn)
            .optional(),
    }
}

pub fn find_many(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<CommentRow>> {
    comments::table
        .filter(comments::id.eq_any(ids))
        .order(comments::id.asc())
        .load(conn)
}

pub fn clear_flags(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set(comments::flag_count.eq(0))
        .execute(conn)
}
