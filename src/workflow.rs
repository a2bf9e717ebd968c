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

// ---- review of submissions (shared by job offers, events and, if they wish, articles) ----

use crate::auth::{Action, Caller, authorize};
use crate::error::AppError;
use crate::ids::UserId;

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

/// Checks that `caller` may create an item of `kind` with the status
/// `requested` (default `pending`: a submission), and returns that status.
/// The caller's own id makes them the item's owner.
pub fn authorize_new(
    caller: &Caller,
    kind: ContentKind,
    requested: Option<Status>,
) -> Result<Status, AppError> {
    authorize(caller, Action::CreateContent { kind })?;
    let to = requested.unwrap_or(Status::Pending);
    let owners: Vec<UserId> = caller.user_id().into_iter().collect();
    authorize(
        caller,
        Action::SetStatus {
            kind,
            owners: &owners,
            to,
        },
    )?;
    Ok(to)
}

/// Counts a submission against the member's hourly allowance
/// (`KIOSQUE_SUBMISSIONS_PER_HOUR`); staff and integrators' keys, who may
/// review this kind of content, are not limited.
pub async fn limit_submissions(
    state: &crate::state::AppState,
    caller: &Caller,
    kind: ContentKind,
) -> Result<(), AppError> {
    if crate::auth::policy::allowed(caller, Action::ReviewContent { kind }) {
        return Ok(());
    }
    match caller.user_id() {
        Some(id) => {
            let per_hour = state.config.submissions_per_hour;
            state
                .limit("submissions", id.to_string(), per_hour, per_hour)
                .await
        }
        None => Ok(()),
    }
}

/// Whether `caller` may see an item that is not public: its owners and the
/// staff for its kind may; to anyone else it does not exist (404, never 403).
pub fn hidden_unless_allowed(
    caller: &Caller,
    kind: ContentKind,
    owners: &[UserId],
) -> Result<(), AppError> {
    if crate::auth::policy::allowed(caller, Action::ReadUnpublished { kind, owners }) {
        Ok(())
    } else {
        Err(AppError::not_found(format!("no such {}", kind.one())))
    }
}

/// Whose submissions a list of job offers or events shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// What the public sees (published, their time come; for job offers, not expired).
    Public,
    /// One submitter's, in every status.
    Mine(i64),
    /// Everything (staff).
    Review,
}

/// The scope that a list's `mine` and `status` parameters ask for: `mine=true`
/// needs a signed-in user; `status` alone is for those who review `kind`.
pub fn list_scope(
    caller: &Caller,
    kind: ContentKind,
    mine: Option<bool>,
    status: Option<Status>,
) -> Result<Scope, AppError> {
    if mine == Some(true) {
        Ok(Scope::Mine(own_id(caller)?))
    } else if status.is_some() {
        authorize(caller, Action::ReviewContent { kind })?;
        Ok(Scope::Review)
    } else {
        Ok(Scope::Public)
    }
}

/// The signed-in user's id, for lists filtered with `mine=true`.
fn own_id(caller: &Caller) -> Result<i64, AppError> {
    match caller {
        Caller::User(u) => Ok(u.id.0),
        Caller::Anonymous => Err(AppError::unauthorized(
            "sign in to list your own submissions",
        )),
        Caller::Key(_) => Err(AppError::bad_query(
            "`mine` needs a user's token: an API key submits nothing of its own",
        )),
    }
}

impl ContentKind {
    /// One item, as named in messages.
    pub fn one(self) -> &'static str {
        match self {
            ContentKind::Article => "article",
            ContentKind::Job => "job offer",
            ContentKind::Event => "event",
        }
    }
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
