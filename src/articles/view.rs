//! An article as the API shows it, and finding one the caller may read.

use chrono::NaiveDateTime;

use super::dto::{ArticleDetail, ArticleSummary, Cover};
use super::model::ArticleRow;
use super::queries::{self, Refs};
use crate::auth::policy::allowed;
use crate::auth::{Action, Caller};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::ids::{ArticleId, IdOrSlug, PollId};
use crate::review::{ContentKind, Status};
use crate::state::utc;

pub fn status_of(row: &ArticleRow, now: NaiveDateTime) -> Status {
    Status::shown(&row.status, row.published_at, now)
}

pub fn is_public(row: &ArticleRow, now: NaiveDateTime) -> bool {
    status_of(row, now) == Status::Published
}

fn summary(row: &ArticleRow, refs: &Refs, now: NaiveDateTime) -> ArticleSummary {
    ArticleSummary {
        id: ArticleId(row.id),
        slug: row.slug.clone(),
        title: row.title.clone(),
        lead: row.lead.clone(),
        section: row.section_id.and_then(|s| refs.sections.get(&s).cloned()),
        tags: refs.tags.get(&row.id).cloned().unwrap_or_default(),
        authors: refs.authors.get(&row.id).cloned().unwrap_or_default(),
        cover: row.cover_url.clone().map(|url| Cover {
            url,
            alt: row.cover_alt.clone().unwrap_or_default(),
            caption: row.cover_caption.clone(),
            credit: row.cover_credit.clone(),
        }),
        video_url: row.video_url.clone(),
        status: status_of(row, now),
        published_at: row.published_at.map(utc),
        updated_at: utc(row.updated_at),
        comment_count: row.comment_count,
        allow_comments: row.allow_comments,
        poll_id: refs.polls.get(&row.id).copied().map(PollId),
    }
}

/// Summaries of a page of articles: three queries for all their references.
pub fn summaries(
    conn: &mut AnyConnection,
    rows: &[ArticleRow],
    now: NaiveDateTime,
) -> AppResult<Vec<ArticleSummary>> {
    let refs = queries::load_refs(conn, rows)?;
    Ok(rows.iter().map(|r| summary(r, &refs, now)).collect())
}

pub fn detail(
    conn: &mut AnyConnection,
    row: &ArticleRow,
    now: NaiveDateTime,
) -> AppResult<ArticleDetail> {
    let refs = queries::load_refs(conn, std::slice::from_ref(row))?;
    Ok(ArticleDetail {
        summary: summary(row, &refs, now),
        body: row.body.clone(),
        body_html: row.body_html.clone(),
        created_at: utc(row.created_at),
        rejection_reason: row.rejection_reason.clone(),
    })
}

/// Finds an article the caller may read: public ones for all, the others for
/// their owners and staff (404 to anyone else, so drafts stay secret).
pub enum Lookup {
    Found(Box<ArticleRow>),
    Moved(String),
}

pub fn readable(
    conn: &mut AnyConnection,
    caller: &Caller,
    key: &IdOrSlug,
    now: NaiveDateTime,
) -> AppResult<Lookup> {
    match queries::find(conn, key)? {
        None => Err(AppError::not_found("no such article")),
        Some(queries::Found::Moved { current_slug }) => Ok(Lookup::Moved(current_slug)),
        Some(queries::Found::Article(row)) => {
            if is_public(&row, now) {
                return Ok(Lookup::Found(row));
            }
            let owners = queries::owners(conn, &row)?;
            if allowed(
                caller,
                Action::ReadUnpublished {
                    kind: ContentKind::Article,
                    owners: &owners,
                },
            ) {
                Ok(Lookup::Found(row))
            } else {
                Err(AppError::not_found("no such article"))
            }
        }
    }
}
