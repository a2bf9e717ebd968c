//! The event list's query parameters (shared by `/events` and `/events.ics`).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::queries::Filters;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::review::{ContentKind, ListScope, Status, list_scope};
use crate::slug::city_key;

/// Filters of the event list. Without `from`, `to`, `mine` or `status`: upcoming
/// and ongoing published events, soonest first.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventFilters {
    /// Events still going on at or after this time (RFC 3339); default now for the public list.
    pub from: Option<DateTime<Utc>>,
    /// Events starting before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// A town (case and accents ignored).
    pub city: Option<String>,
    /// A slug such as `concert`.
    #[param(
        example = "concert",
        max_length = 120,
        pattern = "^([a-z0-9]+(-[a-z0-9]+)+|[a-z0-9]*[a-z][a-z0-9]*)$"
    )]
    pub category: Option<String>,
    /// Words to find (French stems, accents ignored); by relevance unless
    /// `sort` is given: the 500 newest matches ranked, then older ones.
    pub q: Option<String>,
    /// Only free (`true`) or paying (`false`) events.
    pub free: Option<bool>,
    /// Delta sync: only items changed, or made public, after this time
    /// (RFC 3339): `updated_at` or `published_at` after it. `GET
    /// /deletions?since=` tells what left the public meanwhile.
    pub updated_after: Option<DateTime<Utc>>,
    /// `true`: the caller's own submissions, in every status (signed-in users).
    pub mine: Option<bool>,
    /// Events in any of these statuses, comma-separated (`draft,pending`):
    /// staff, or anyone with `mine=true`.
    #[param(
        pattern = "^[\\s,]*((draft|pending|scheduled|published|archived|rejected)(\\s*,[\\s,]*(draft|pending|scheduled|published|archived|rejected))*[\\s,]*)?$"
    )]
    pub status: Option<String>,
}

pub const SORTABLE: [&str; 4] = ["starts_at", "ends_at", "created_at", "title"];

impl EventFilters {
    /// The query's filters, checked against `caller`, and whether the list is a
    /// search (ranked by relevance unless a sort is asked for).
    pub fn resolve(&self, caller: &Caller, now: NaiveDateTime) -> AppResult<(Filters, bool)> {
        let f = self;
        let status = f
            .status
            .as_deref()
            .map(Status::parse_list)
            .transpose()?
            .flatten();
        let scope = list_scope(caller, ContentKind::Event, f.mine, status.as_deref())?;
        let from = f.from.map(|t| t.naive_utc());
        let to = f.to.map(|t| t.naive_utc());
        if let (Some(a), Some(b)) = (from, to)
            && b <= a
        {
            return Err(AppError::bad_query("`to` must be after `from`"));
        }
        // the public agenda shows what is still to come unless a period is asked for
        let from = match (&scope, from, to) {
            (ListScope::Public, None, None) => Some(now),
            _ => from,
        };
        let category = match &f.category {
            Some(c) if !crate::http::validate::is_valid_slug(c) => {
                return Err(AppError::bad_query(
                    "`category` is a slug such as `concert`",
                ));
            }
            c => c.clone(),
        };
        Ok((
            Filters {
                scope,
                status,
                from,
                to,
                city_key: f.city.as_deref().map(city_key),
                category,
                q: f.q.clone(),
                free: f.free,
                updated_after: f.updated_after.map(|t| t.naive_utc()),
            },
            // an ongoing search is ranked by relevance unless a sort is asked for
            f.q.is_some(),
        ))
    }
}
