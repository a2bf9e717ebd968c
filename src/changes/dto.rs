use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::ChangeRow;
use crate::state::utc;

/// What a change is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeResource {
    /// `article`, `comment`, `job`, `event`, `poll`, `section`, `tag`, `user`.
    #[serde(rename = "type")]
    #[schema(example = "article")]
    pub kind: String,
    #[schema(example = "42")]
    pub id: String,
    /// Its slug, for resources that have one.
    #[schema(example = "la-crue-de-la-loire")]
    pub slug: Option<String>,
}

/// One change, as the feed gives it. Holds ids, slugs and statuses, never
/// full bodies or secrets.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeItem {
    /// Its number in the log (increasing).
    #[schema(example = "1207")]
    pub id: String,
    /// `article.created|updated|scheduled|published|unpublished|deleted`,
    /// `comment.created|approved|rejected|deleted`,
    /// `job.created|updated|scheduled|published|unpublished|expired|deleted`,
    /// `event.created|updated|scheduled|published|unpublished|deleted`,
    /// `poll.created|updated|closed|deleted`, `section.created|updated|deleted`,
    /// `tag.created|updated|deleted`, `media.created|updated|deleted`,
    /// `weather.created|updated|failed`, `user.registered|verified`. A
    /// webhook's test delivery is `webhook.ping` (never in the feed). A publication set
    /// for later is `scheduled` when written, and `published` at its time
    /// (recorded by the scheduler then); `job.expired` and `poll.closed` are
    /// recorded when their time passes (or when a poll is closed by hand).
    #[serde(rename = "type")]
    #[schema(example = "article.published")]
    pub kind: String,
    pub resource: ChangeResource,
    /// Public paths whose answers changed: purge exactly these.
    #[schema(example = json!(["/api/v1/articles/la-crue-de-la-loire", "/api/v1/articles", "/api/v1/sections/regions/articles"]))]
    pub paths: Vec<String>,
    /// Small facts of the change (`{"status": "published"}`…).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub occurred_at: DateTime<Utc>,
}

impl From<ChangeRow> for ChangeItem {
    fn from(r: ChangeRow) -> Self {
        Self {
            id: r.seq.to_string(),
            kind: r.kind,
            resource: ChangeResource {
                kind: r.resource_type,
                id: r.resource_id.to_string(),
                slug: r.resource_slug,
            },
            paths: serde_json::from_str(&r.paths).unwrap_or_default(),
            data: serde_json::from_str(&r.data).unwrap_or_default(),
            occurred_at: utc(r.occurred_at),
        }
    }
}

/// Where the feed stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedMeta {
    /// Pass it as `after` to continue; always present, unchanged when no
    /// change came.
    pub next_cursor: String,
    /// Whether more changes wait beyond this page (ask again at once).
    pub has_more: bool,
    pub limit: i64,
}

/// A page of the change feed, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeFeed {
    pub data: Vec<ChangeItem>,
    pub meta: FeedMeta,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Opaque cursor from `meta.next_cursor`; absent: from the oldest change kept.
    pub after: Option<String>,
    /// Comma-separated types; `article.*` takes every type of a resource.
    #[param(example = "article.*,comment.approved")]
    pub types: Option<String>,
    /// Changes per page, 1–100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// Seconds to wait for a change when none is there yet, 0–30 (long polling).
    #[param(minimum = 0, maximum = 30, default = 0)]
    pub wait: Option<u64>,
}
