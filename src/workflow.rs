//! The publication workflow that articles, job offers and events share.
//!
//! Stored statuses are `draft`, `pending` (submitted for review), `published`,
//! `archived` and `rejected` (with a reason the submitter can read).
//! `scheduled` is never stored: it is a `published` item whose `published_at`
//! is still in the future, so it becomes public on its own at that time —
//! no cron, no restart.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Pending,
    Scheduled,
    Published,
    Archived,
    Rejected,
}

impl Status {
    /// The value kept in the `status` column (`scheduled` is kept as `published`).
    pub fn stored(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Pending => "pending",
            Status::Scheduled | Status::Published => "published",
            Status::Archived => "archived",
            Status::Rejected => "rejected",
        }
    }

    /// The status as readers of the API see it, at `now`.
    pub fn shown(stored: &str, published_at: Option<NaiveDateTime>, now: NaiveDateTime) -> Status {
        match stored {
            "pending" => Status::Pending,
            "published" if published_at.is_some_and(|t| t > now) => Status::Scheduled,
            "published" => Status::Published,
            "archived" => Status::Archived,
            "rejected" => Status::Rejected,
            _ => Status::Draft,
        }
    }

    pub fn parse(raw: &str) -> Option<Status> {
        match raw {
            "draft" => Some(Status::Draft),
            "pending" => Some(Status::Pending),
            "scheduled" => Some(Status::Scheduled),
            "published" => Some(Status::Published),
            "archived" => Some(Status::Archived),
            "rejected" => Some(Status::Rejected),
            _ => None,
        }
    }

    /// Whether this status makes an item visible (at its `published_at`).
    pub fn goes_public(self) -> bool {
        matches!(self, Status::Published | Status::Scheduled)
    }
}

/// Which kind of content an action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Article,
    Job,
    Event,
}

impl ContentKind {
    pub fn noun(self) -> &'static str {
        match self {
            ContentKind::Article => "articles",
            ContentKind::Job => "job offers",
            ContentKind::Event => "events",
        }
    }
}
