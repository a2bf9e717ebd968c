//! The publication workflow that articles, job offers and events share.
//!
//! - `crate::status` (its pure part, a unit of its own below `auth`):
//!   statuses, kinds of content and the moves between them;
//! - [`rules`]: who may create, submit, decide on and see an item, and whose
//!   items a list shows;
//! - [`model`] and [`queries`]: the review columns and list conditions every
//!   reviewable table shares;
//! - [`flow`]: the handlers' sequences (load, create, update, delete) for a
//!   [`Reviewable`] resource, written once for job offers and events.

pub mod digest;
pub mod flow;
pub mod model;
pub mod notify;
pub mod queries;
pub mod rules;

use chrono::NaiveDateTime;
use serde::Serialize;

pub use crate::status::{ContentKind, Status, StatusChange, change_status, check_transition};
pub use model::{ReviewChanges, ReviewRow};
pub use rules::{
    ListScope, authorize_new, decide, hidden_unless_allowed, limit_submissions, list_scope,
};

use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use diesel::QueryResult;

/// A resource that goes through review (job offers, events), implemented on
/// its row: what is its own in the shared sequence of [`flow`].
pub trait Reviewable: ReviewRow {
    const KIND: ContentKind;
    /// Its collection under `/api/v1`, for the address of a new item.
    const PATH: &'static str;
    /// What the API answers about it; its ETag is computed on this.
    type Shown: Serialize + Send + 'static;
    /// The settings its rules need, read from the state before a write.
    type Settings: Copy + Send + 'static;

    /// What items use from other resources (their media), loaded at once
    /// for a page, for `show`.
    type Uses: Default + Send + 'static;

    fn settings(state: &AppState) -> Self::Settings;

    /// Whether showing `rows` needs what they use loaded (a query).
    fn needs_uses(_rows: &[Self]) -> bool {
        false
    }

    /// What `rows` use, loaded at once.
    fn uses(_conn: &mut AnyConnection, _rows: &[Self]) -> QueryResult<Self::Uses> {
        Ok(Self::Uses::default())
    }

    fn show(self, now: NaiveDateTime, uses: &Self::Uses) -> Self::Shown;

    /// Checks and records what the item uses from other resources (media),
    /// in the write's transaction, once written: `before` is the item as it
    /// was (`None` for a new one).
    fn link(
        _conn: &mut AnyConnection,
        _caller: &crate::auth::Caller,
        _before: Option<&Self>,
        _after: &Self,
    ) -> AppResult<()> {
        Ok(())
    }

    /// Whether everyone may read it at `now`: by default, once published and
    /// its time come.
    fn is_public(&self, now: NaiveDateTime) -> bool {
        self.is_live(now)
    }

    /// The answer to those who may not see it while it is not public
    /// (`not_found` by default: unpublished items do not exist for them).
    fn refusal(&self, _now: NaiveDateTime, not_found: AppError) -> AppError {
        not_found
    }

    /// The public paths (under `/api/v1`) whose answers change with it: by
    /// default its own address and its collection.
    fn public_paths(&self) -> Vec<String> {
        vec![
            format!("/api/v1/{}/{}", Self::PATH, self.id()),
            format!("/api/v1/{}", Self::PATH),
        ]
    }

    /// Checks the request's fields, merged into the current ones, before any
    /// change of status.
    fn check(_changes: &Self::Changes) -> AppResult<()> {
        Ok(())
    }

    /// Completes and checks a change once its status is worked out; `moved`
    /// says whether the request set the status (always, for a new item).
    fn settle(
        _changes: &mut Self::Changes,
        _moved: bool,
        _settings: Self::Settings,
    ) -> AppResult<()> {
        Ok(())
    }
}

/// A request body that creates a reviewable item.
pub trait NewItem<C>: Send + 'static {
    /// The status asked for (a submission, `pending`, when absent).
    fn requested_status(&self) -> Option<Status>;
    /// The item's fields, as a change of nothing (the status is set apart).
    fn into_changes(self, now: NaiveDateTime) -> C;
}

/// A request body that changes a reviewable item.
pub trait ItemUpdate<C>: Send + 'static {
    /// Whether the request changes anything but the status.
    fn edits_fields(&self) -> bool;
    /// Takes the decision out of the request: its `status` and `rejection_reason`.
    fn take_decision(&mut self) -> (Option<Status>, Option<String>);
    /// Writes the request's fields over `changes`.
    fn apply_to(self, changes: &mut C);
}
