//! The job list's query parameters.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::ContractType;
use super::queries::Filters;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::review::{ContentKind, Status, list_scope};
use crate::slug::city_key;

/// Filters of the job list. Without `mine` or `status`, only published offers
/// whose time has come and that have not expired.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobFilters {
    /// Words to find (French stems, accents ignored); results by relevance unless
    /// `sort` is given: the 500 newest matches ranked, then older ones.
    pub q: Option<String>,
    /// One or more contract types, comma-separated: `cdi,cdd`.
    #[param(
        example = "cdi,cdd",
        pattern = r"^\s*((cdi|cdd|interim|stage|alternance|freelance)\s*)?(,\s*((cdi|cdd|interim|stage|alternance|freelance)\s*)?)*$"
    )]
    pub contract_type: Option<String>,
    /// A town (case and accents ignored).
    pub city: Option<String>,
    /// Only offers that allow (`true`) or do not allow (`false`) remote work.
    pub remote: Option<bool>,
    /// Only offers published at or after this time (RFC 3339).
    pub published_after: Option<DateTime<Utc>>,
    /// Delta sync: only items changed, or made public, after this time
    /// (RFC 3339): `updated_at` or `published_at` after it. `GET
    /// /deletions?since=` tells what left the public meanwhile.
    pub updated_after: Option<DateTime<Utc>>,
    /// `true`: the caller's own submissions, in every status (signed-in users).
    pub mine: Option<bool>,
    /// Offers in any of these statuses, comma-separated (`draft,pending`):
    /// staff, or anyone with `mine=true`.
    #[param(
        pattern = "^[\\s,]*((draft|pending|scheduled|published|archived|rejected)(\\s*,[\\s,]*(draft|pending|scheduled|published|archived|rejected))*[\\s,]*)?$"
    )]
    pub status: Option<String>,
}

pub const SORTABLE: [&str; 4] = ["published_at", "expires_at", "created_at", "title"];

impl JobFilters {
    /// The query's filters, checked against `caller`.
    pub fn resolve(&self, caller: &Caller) -> AppResult<Filters> {
        let status = self
            .status
            .as_deref()
            .map(Status::parse_list)
            .transpose()?
            .flatten();
        Ok(Filters {
            scope: list_scope(caller, ContentKind::Job, self.mine, status.as_deref())?,
            status,
            q: self.q.clone(),
            contract_types: match &self.contract_type {
                Some(raw) => contract_types(raw)?,
                None => Vec::new(),
            },
            city_key: self.city.as_deref().map(city_key),
            remote: self.remote,
            published_after: self.published_after.map(|t| t.naive_utc()),
            updated_after: self.updated_after.map(|t| t.naive_utc()),
        })
    }
}

/// Parses `cdi,cdd`: unknown types are a 400.
pub fn contract_types(raw: &str) -> AppResult<Vec<String>> {
    raw.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            ContractType::parse(t)
                .map(|c| c.as_str().to_string())
                .ok_or_else(|| {
                    AppError::bad_query(format!(
                        "unknown contract_type `{t}`; one or more of: {}",
                        ContractType::ALL
                            .iter()
                            .map(|c| c.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })
        })
        .collect()
}
