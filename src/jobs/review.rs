//! How job offers go through the shared review workflow: what is
//! theirs in its sequence (`review::flow`).

use chrono::NaiveDateTime;

use super::dto::Job;
use super::model::{JobChanges, JobRow};
use diesel::QueryResult;

use crate::auth::Caller;
use crate::db::AnyConnection;
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

    type Uses = crate::media::Images;

    fn needs_uses(rows: &[Self]) -> bool {
        rows.iter()
            .any(|r| crate::media::shows_media(r.fields.image_media_id, &r.fields.description_html))
    }

    fn uses(conn: &mut AnyConnection, rows: &[Self]) -> QueryResult<crate::media::Images> {
        crate::media::images_of(
            conn,
            rows.iter().filter_map(|r| r.fields.image_media_id),
            rows.iter().map(|r| r.fields.description_html.as_str()),
        )
    }

    fn show(self, now: NaiveDateTime, images: &crate::media::Images) -> Job {
        Job::from_row(self, now, images)
    }

    /// The logo and the images the description embeds: the caller's own or
    /// public ones (staff: any), with their alt text.
    fn link(
        conn: &mut AnyConnection,
        caller: &Caller,
        before: Option<&Self>,
        after: &Self,
    ) -> AppResult<()> {
        let (old, new) = (before.map(|b| &b.fields), &after.fields);
        crate::media::check_image(
            conn,
            caller,
            "image_media_id",
            old.and_then(|o| o.image_media_id),
            new.image_media_id,
        )?;
        let old_html = old.map(|o| o.description_html.as_str());
        if old_html != Some(new.description_html.as_str()) {
            let content = crate::media::Content::Job(after.id);
            crate::media::set_embeds(
                conn,
                caller,
                content,
                "description",
                old_html,
                &new.description_html,
            )?;
        }
        Ok(())
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
