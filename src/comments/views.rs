//! Rows to what readers, authors and moderators see. Pages of comments load
//! their authors (and, for moderators, their articles) in one query each.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::dto::{ArticleRef, Comment, CommentAuthor, CommentStatus, PendingEdit, Thread};
use super::model::CommentRow;
use super::queries;
use crate::config::Config;
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::ids::{ArticleId, CommentId, UserId};
use crate::state::utc;

type People = HashMap<i64, (String, Option<String>)>;

fn people(conn: &mut AnyConnection, rows: &[&CommentRow]) -> AppResult<People> {
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.author_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(queries::people(conn, &ids)?
        .into_iter()
        .map(|(id, name, avatar)| (id, (name, avatar)))
        .collect())
}

fn author(row: &CommentRow, people: &People) -> CommentAuthor {
    match (row.author_id, &row.guest_name) {
        (Some(id), _) => {
            let (name, avatar) = people.get(&id).cloned().unwrap_or_default();
            CommentAuthor {
                id: Some(UserId(id)),
                display_name: name,
                avatar_url: avatar,
                guest: false,
            }
        }
        (None, Some(name)) => CommentAuthor {
            id: None,
            display_name: name.clone(),
            avatar_url: None,
            guest: true,
        },
        (None, None) => CommentAuthor {
            id: None,
            display_name: "Compte supprimé".into(),
            avatar_url: None,
            guest: false,
        },
    }
}

/// What anyone sees: an approved comment, or a placeholder.
fn public(row: &CommentRow, people: &People) -> Comment {
    let live = row.approved();
    Comment {
        id: CommentId(row.id),
        article_id: ArticleId(row.article_id),
        parent_id: row.parent_id.map(CommentId),
        in_reply_to: row.in_reply_to_id.map(CommentId),
        depth: row.depth,
        deleted: !live,
        author: live.then(|| author(row, people)),
        body_html: live.then(|| row.body_html.clone()),
        created_at: utc(row.created_at),
        edited_at: if live { row.edited_at.map(utc) } else { None },
        status: None,
        body: None,
        held_reason: None,
        editable_until: None,
        guest_email: None,
        flag_count: None,
        article: None,
        pending_edit: None,
    }
}

/// What the author (`own`) or a moderator sees.
fn full(
    row: &CommentRow,
    people: &People,
    own: bool,
    moderator: bool,
    config: &Config,
    article: Option<ArticleRef>,
) -> Comment {
    let deleted = row.deleted();
    let mut c = public(row, people);
    c.deleted = deleted;
    if !deleted {
        c.author = Some(author(row, people));
        c.body_html = Some(row.body_html.clone());
        c.edited_at = row.edited_at.map(utc);
        c.body = Some(row.body.clone());
    }
    c.status = CommentStatus::parse(&row.status);
    c.held_reason = row.held_reason.clone();
    if own && !deleted {
        c.editable_until = Some(utc(edit_deadline(row, config)));
    }
    if (own || moderator)
        && let (Some(body), Some(since)) = (&row.pending_body, row.pending_since)
    {
        c.pending_edit = Some(PendingEdit {
            body: body.clone(),
            body_html: crate::text::comment_to_html(body),
            submitted_at: utc(since),
        });
    }
    if moderator {
        c.guest_email = row.guest_email.clone();
        c.flag_count = Some(row.flag_count);
        c.article = article;
    }
    c
}

pub fn edit_deadline(row: &CommentRow, config: &Config) -> NaiveDateTime {
    row.created_at + chrono::Duration::minutes(config.comments_edit_window_minutes)
}

/// One comment as its author or a moderator sees it.
pub fn one(
    conn: &mut AnyConnection,
    row: &CommentRow,
    viewer: Option<i64>,
    moderator: bool,
    config: &Config,
) -> AppResult<Comment> {
    let mut all = many(conn, std::slice::from_ref(row), viewer, moderator, config)?;
    Ok(all.remove(0))
}

/// Comments as their authors or moderators see them: three queries at most.
pub fn many(
    conn: &mut AnyConnection,
    rows: &[CommentRow],
    viewer: Option<i64>,
    moderator: bool,
    config: &Config,
) -> AppResult<Vec<Comment>> {
    let people = people(conn, &rows.iter().collect::<Vec<_>>())?;
    let articles: HashMap<i64, ArticleRef> = if moderator {
        let mut ids: Vec<i64> = rows.iter().map(|r| r.article_id).collect();
        ids.sort_unstable();
        ids.dedup();
        queries::article_refs(conn, &ids)?
            .into_iter()
            .map(|(id, slug, title)| {
                (
                    id,
                    ArticleRef {
                        id: ArticleId(id),
                        slug,
                        title,
                    },
                )
            })
            .collect()
    } else {
        HashMap::new()
    };
    Ok(rows
        .iter()
        .map(|r| {
            let own = viewer.is_some() && r.author_id == viewer;
            full(
                r,
                &people,
                own,
                moderator,
                config,
                articles.get(&r.article_id).cloned(),
            )
        })
        .collect())
}

/// A page of threads: the replies of every top-level comment, and everyone's
/// names and avatars, in two more queries whatever the page's size. A reply
/// is shown when approved; a comment that is not is shown as a placeholder
/// when an approved reply hangs below it.
pub fn threads(conn: &mut AnyConnection, tops: Vec<CommentRow>) -> AppResult<Vec<Thread>> {
    let ids: Vec<i64> = tops.iter().map(|t| t.id).collect();
    let replies = queries::replies(conn, &ids)?;
    let parent_of: HashMap<i64, Option<i64>> =
        replies.iter().map(|r| (r.id, r.parent_id)).collect();
    let mut shown: HashSet<i64> = HashSet::new();
    for r in replies.iter().filter(|r| r.approved()) {
        let mut at = Some(r.id);
        while let Some(id) = at {
            if !parent_of.contains_key(&id) || !shown.insert(id) {
                break;
            }
            at = parent_of[&id];
        }
    }
    let visible: Vec<&CommentRow> = replies.iter().filter(|r| shown.contains(&r.id)).collect();
    let live: Vec<&CommentRow> = tops
        .iter()
        .chain(visible.iter().copied())
        .filter(|r| r.approved())
        .collect();
    let people = people(conn, &live)?;
    let mut by_thread: HashMap<i64, Vec<Comment>> = HashMap::new();
    for r in visible {
        if let Some(t) = r.thread_id {
            by_thread.entry(t).or_default().push(public(r, &people));
        }
    }
    Ok(tops
        .iter()
        .map(|t| Thread {
            comment: public(t, &people),
            replies: by_thread.remove(&t.id).unwrap_or_default(),
        })
        .collect())
}
