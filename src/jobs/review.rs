//! How job offers go through the shared review workflow: what is
//! theirs in its sequence (`review::flow`).

use chrono::NaiveDateTime;

use super::dto::Job;
use super::model::{JobChanges, JobRow};
use crate::error::{AppError, AppResult};
use crate::review::{ContentKind, ReviewRow, Reviewable};
use crate::state::AppState;

/// Offers leave the public when they expire; the expiry defaults to
/// `KIOSQUE_JOB_DEFAULT_DAYS` after publication.
impl Reviewable for JobRow {
    const KIND: ContentKind = ContentKind::Job;
    const PATH: &'static str = "jobs";
    type Shown = Job;
    /// `KIOSQUE_JOB_DEFAULT_DAYS`.
    type Settings = u32;

    fn settings(state: &AppState) -> u32 {
        state.config.job_default_days
    }

    fn show(self, now: NaiveDateTime) -> Job {
        Job::from_row(self, now)
    }

    /// Published, its time come, and not yet expired.
    fn is_public(&self, now: NaiveDateTime) -> bool {
        self.is_live(now) && !self.is_expired(now)
    }

    /// An expired offer is gone (410) for the public, not unknown.
    fn refusal(&self, now: NaiveDateTime, not_found: AppError) -> AppError {
        if self.is_live(now) && self.is_expired(now) {
            AppError::gone("this job offer has expired")
        } else {
            not_found
        }
    }

    fn settle(c: &mut JobChanges, moved: bool, default_days: u32) -> AppResult<()> {
        let published_at = c.review.published_at;
        if moved && c.review.status == "published" && c.fields.expires_at.is_none() {
            c.fields.expires_at =
                published_at.map(|p| p + chrono::Duration::days(default_days.into()));
        }
        match (published_at, c.fields.expires_at) {
            (Some(p), Some(x)) if x <= p => Err(AppError::invalid(
                "expires_at",
                "must be after the publication time",
            )),
            _ => Ok(()),
        }
    }
}
