//! The pure part of the publication workflow that articles, job offers and
//! events share: statuses, kinds of content and the moves between statuses.
//! It knows nothing of callers, HTTP or the database, so the policy
//! (`auth::policy`) can depend on it without depending on the rest of `review`.
//!
//! Stored statuses are `draft`, `pending` (submitted for review), `published`,
//! `archived` and `rejected` (with a reason the submitter can read).
//! `scheduled` is never stored: it is a `published` item whose `published_at`
//! is still in the future, so it becomes public on its own at that time —
//! no cron, no restart.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;

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

    /// A `status=` filter: one or more statuses, comma-separated
    /// (`draft,pending`); blanks are skipped, so `status=` alone is no filter
    /// (`None`). An unknown status is a 400 naming the allowed ones.
    pub fn parse_list(raw: &str) -> Result<Option<Vec<Status>>, AppError> {
        let statuses = raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                Status::parse(s).ok_or_else(|| {
                    AppError::bad_query(format!(
                        "unknown status `{s}`; one or more of: draft, pending, scheduled, published, archived, rejected"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(statuses).filter(|s| !s.is_empty()))
    }

    /// Whether an item stored as `stored` is public at `now`: published and
    /// its publication time come.
    pub fn is_live(stored: &str, published_at: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
        stored == "published" && published_at.is_some_and(|t| t <= now)
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

    /// One item, as named in messages.
    pub fn one(self) -> &'static str {
        match self {
            ContentKind::Article => "article",
            ContentKind::Job => "job offer",
            ContentKind::Event => "event",
        }
    }
}

/// The moves the workflow allows between stored statuses. Rejection is a
/// decision on a submission (from `pending` only); a rejected item goes back
/// to `pending` when its submitter resubmits it, or to `draft`.
pub fn check_transition(from: Status, to: Status) -> Result<(), AppError> {
    use Status::*;
    let (from, to) = (Status::parse(from.stored()), Status::parse(to.stored()));
    let ok = match (from, to) {
        (Some(f), Some(t)) if f == t => true,
        (Some(Draft), Some(Pending | Published)) => true,
        (Some(Pending), Some(Draft | Published | Rejected)) => true,
        (Some(Published), Some(Draft | Archived)) => true,
        (Some(Archived), Some(Draft | Published)) => true,
        (Some(Rejected), Some(Draft | Pending)) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::unprocessable(
            "invalid_transition",
            format!(
                "an item cannot go from `{}` to `{}`",
                from.map(Status::stored).unwrap_or("?"),
                to.map(Status::stored).unwrap_or("?")
            ),
        ))
    }
}

/// What a change of status writes.
#[derive(Debug, Clone)]
pub struct StatusChange {
    /// The stored status.
    pub status: &'static str,
    pub published_at: Option<NaiveDateTime>,
    pub rejection_reason: Option<String>,
}

/// Works out a requested status. `from` is the current status (`None` for a
/// new item), `published_at` the item's publication time after the request's
/// own changes, `reason` the `rejection_reason` sent with it.
/// Publishing without a time publishes now; `scheduled` needs a future time;
/// `rejected` needs a reason, which is only accepted with it.
pub fn change_status(
    from: Option<Status>,
    to: Status,
    published_at: Option<NaiveDateTime>,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> Result<StatusChange, AppError> {
    match from {
        Some(from) => check_transition(from, to)?,
        None if matches!(
            to,
            Status::Draft | Status::Pending | Status::Published | Status::Scheduled
        ) => {}
        None => {
            return Err(AppError::invalid(
                "status",
                "a new item starts as draft, pending, published or scheduled",
            ));
        }
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let rejection_reason = match (to, reason) {
        (Status::Rejected, Some(r)) => Some(r.to_string()),
        (Status::Rejected, None) => {
            return Err(AppError::invalid(
                "rejection_reason",
                "say why the submission is rejected: the submitter reads it",
            ));
        }
        (_, Some(_)) => {
            return Err(AppError::invalid(
                "rejection_reason",
                "is only accepted with `status: rejected`",
            ));
        }
        (_, None) => None,
    };
    let published_at = if to.goes_public() {
        let at = published_at.unwrap_or(now);
        if to == Status::Scheduled && at <= now {
            return Err(AppError::invalid(
                "published_at",
                "a scheduled item needs a publication time in the future",
            ));
        }
        Some(at)
    } else {
        published_at
    };
    Ok(StatusChange {
        status: to.stored(),
        published_at,
        rejection_reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_follow_the_review_flow() {
        use Status::*;
        assert!(check_transition(Pending, Published).is_ok());
        assert!(check_transition(Pending, Rejected).is_ok());
        assert!(check_transition(Rejected, Pending).is_ok(), "resubmission");
        assert!(
            check_transition(Scheduled, Published).is_ok(),
            "same stored"
        );
        assert!(check_transition(Published, Rejected).is_err());
        assert!(check_transition(Draft, Rejected).is_err());
        assert!(check_transition(Rejected, Published).is_err());
        assert!(check_transition(Draft, Archived).is_err());
    }

    #[test]
    fn rejection_needs_a_reason_and_publication_a_time() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        let later = now + chrono::Duration::days(1);
        assert!(change_status(Some(Status::Pending), Status::Rejected, None, None, now).is_err());
        let r = change_status(
            Some(Status::Pending),
            Status::Rejected,
            None,
            Some(" doublon "),
            now,
        )
        .unwrap();
        assert_eq!(
            (r.status, r.rejection_reason.as_deref()),
            ("rejected", Some("doublon"))
        );
        assert!(change_status(None, Status::Pending, None, Some("x"), now).is_err());
        let p = change_status(Some(Status::Pending), Status::Published, None, None, now).unwrap();
        assert_eq!(p.published_at, Some(now));
        assert!(change_status(None, Status::Scheduled, Some(now), None, now).is_err());
        let s = change_status(None, Status::Scheduled, Some(later), None, now).unwrap();
        assert_eq!((s.status, s.published_at), ("published", Some(later)));
        assert!(change_status(None, Status::Rejected, None, Some("x"), now).is_err());
    }
}
