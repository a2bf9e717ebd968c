//! The article list's query parameters, and whose articles they ask for.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::queries::ArticleScope;
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::review::{ContentKind, Status};

/// Filters of the article list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleFilters {
    /// Section id or slug.
    pub section: Option<String>,
    /// Tag id or slug.
    pub tag: Option<String>,
    /// Author id or profile slug.
    pub author: Option<String>,
    /// Full-text search over title, lead and body (French stems, accents
    /// folded; every word must match), ranked by relevance unless `sort` is
    /// given: the 500 newest matches by relevance, then older matches newest
    /// first. `meta.total` counts every match.
    pub q: Option<String>,
    /// Published at or after this time (RFC 3339).
    pub published_after: Option<DateTime<Utc>>,
    /// Published before this time (RFC 3339).
    pub published_before: Option<DateTime<Utc>>,
    /// Delta sync: only articles changed, or made public, after this time
    /// (RFC 3339): `updated_at` or `published_at` after it. With
    /// `sort=updated_at` and the cursor, a client walks every change since
    /// its last sync; `GET /deletions?since=` tells what left the public.
    pub updated_after: Option<DateTime<Utc>>,
    /// Staff: statuses to list, comma-separated (`draft,pending`). Default: published.
    // no `example`: the browsable docs would pre-fill it, and an anonymous
    // "Try it out" would meet a 401
    #[param(
        pattern = "^[\\s,]*((draft|pending|scheduled|published|archived|rejected)(\\s*,[\\s,]*(draft|pending|scheduled|published|archived|rejected))*[\\s,]*)?$"
    )]
    pub status: Option<String>,
    /// Only articles you created or author, in any status (your submissions).
    pub mine: Option<bool>,
}

pub const SORTABLE: [&str; 3] = ["published_at", "updated_at", "title"];

impl ArticleFilters {
    /// Whose articles, in which statuses, the list asks for: `mine` is the
    /// signed-in user's own; `status` alone is for the newsroom.
    pub fn scope(&self, caller: &Caller) -> AppResult<ArticleScope> {
        let statuses = self.status.as_deref().map(parse_statuses).transpose()?;
        Ok(if self.mine == Some(true) {
            authorize(caller, Action::ManageOwnAccount)?;
            ArticleScope::Mine(caller.user_id().map(|u| u.0).unwrap_or_default(), statuses)
        } else if let Some(statuses) = statuses {
            authorize(
                caller,
                Action::ReviewContent {
                    kind: ContentKind::Article,
                },
            )?;
            ArticleScope::Statuses(statuses)
        } else {
            ArticleScope::Public
        })
    }
}

fn parse_statuses(raw: &str) -> AppResult<Vec<Status>> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            Status::parse(s).ok_or_else(|| {
                AppError::bad_query(format!(
                    "unknown status `{s}`; use draft, pending, scheduled, published, archived, rejected"
                ))
            })
        })
        .collect()
}
