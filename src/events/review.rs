//! How events go through the shared review workflow: what is
//! theirs in its sequence (`review::flow`).

use chrono::NaiveDateTime;

use super::dto::Event;
use super::model::{EventChanges, EventRow};
use crate::error::{AppError, AppResult};
use crate::review::{ContentKind, Reviewable};
use crate::state::AppState;

/// Published events stay readable once past; an event ends after it starts.
impl Reviewable for EventRow {
    const KIND: ContentKind = ContentKind::Event;
    const PATH: &'static str = "events";
    type Shown = Event;
    type Settings = ();

    fn settings(_: &AppState) {}

    fn show(self, now: NaiveDateTime) -> Event {
        Event::from_row(self, now)
    }

    fn check(c: &EventChanges) -> AppResult<()> {
        if c.fields.ends_at <= c.fields.starts_at {
            return Err(AppError::invalid("ends_at", "must be after starts_at"));
        }
        Ok(())
    }
}
