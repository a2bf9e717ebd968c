//! The workflow's rules that involve the caller: who may create, submit,
//! decide on and see an item, and whose items a list shows. Every decision
//! goes through the one policy (`auth::policy`).

use chrono::NaiveDateTime;

use crate::auth::{Action, Caller, authorize};
use crate::error::AppError;
use crate::ids::UserId;
use crate::status::{ContentKind, Status, StatusChange, change_status};

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
    crate::http::caller::require_verified(state, caller).await?;
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
pub enum ListScope {
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
    status: Option<&[Status]>,
) -> Result<ListScope, AppError> {
    if mine == Some(true) {
        Ok(ListScope::Mine(own_id(caller)?))
    } else if status.is_some() {
        authorize(caller, Action::ReviewContent { kind })?;
        Ok(ListScope::Review)
    } else {
        Ok(ListScope::Public)
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

/// Moves an item owned by `owners` from `from` (`None`: a new item) to `to`,
/// if `caller` may: see [`change_status`] for what the move writes.
#[allow(clippy::too_many_arguments)]
pub fn decide(
    caller: &Caller,
    kind: ContentKind,
    owners: &[UserId],
    from: Option<Status>,
    to: Status,
    published_at: Option<NaiveDateTime>,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> Result<StatusChange, AppError> {
    authorize(caller, Action::SetStatus { kind, owners, to })?;
    change_status(from, to, published_at, reason, now)
}
