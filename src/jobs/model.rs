//! The rows of job offers: their own columns (written once, in
//! [`JobFields`]) and the review columns every reviewable table shares.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::Job;
use crate::db::schema::jobs;
use crate::error::{AppError, AppResult};
use crate::review::model::review_model;
use crate::review::{ContentKind, ReviewRow, Reviewable};
use crate::state::AppState;

/// An offer's own columns, as read, inserted and updated.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = jobs, treat_none_as_null = true)]
pub struct JobFields {
    pub title: String,
    pub company_name: String,
    pub company_website: Option<String>,
    pub company_logo_url: Option<String>,
    pub city: String,
    pub city_key: String,
    pub postal_code: String,
    pub remote: bool,
    pub contract_type: String,
    pub working_time: String,
    pub salary_min_cents: Option<i64>,
    pub salary_max_cents: Option<i64>,
    pub salary_currency: Option<String>,
    pub salary_period: Option<String>,
    pub description: String,
    pub description_html: String,
    pub apply_url: Option<String>,
    pub apply_email: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
}

review_model! {
    table: jobs,
    fields: JobFields,
    row: JobRow,
    new: NewJob,
    changes: JobChanges,
}

impl JobRow {
    pub fn is_expired(&self, now: NaiveDateTime) -> bool {
        self.fields.expires_at.is_some_and(|t| t <= now)
    }
}

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
