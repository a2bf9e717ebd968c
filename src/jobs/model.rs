//! The rows of job offers: their own columns (written once, in
//! [`JobFields`]) and the review columns every reviewable table shares.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::jobs;
use crate::review::model::review_model;

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
    /// The company's logo, from the media library.
    pub image_media_id: Option<i64>,
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
