use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::jobs;

#[derive(Debug, Clone, Queryable)]
pub struct JobRow {
    pub id: i64,
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
    pub status: String,
    pub rejection_reason: Option<String>,
    pub submitted_by: Option<i64>,
    pub published_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl JobRow {
    pub fn owners(&self) -> Vec<crate::ids::UserId> {
        self.submitted_by
            .map(crate::ids::UserId)
            .into_iter()
            .collect()
    }

    /// Published, its time come, and not yet expired.
    pub fn is_public(&self, now: NaiveDateTime) -> bool {
        self.status == "published"
            && self.published_at.is_some_and(|t| t <= now)
            && !self.is_expired(now)
    }

    pub fn is_expired(&self, now: NaiveDateTime) -> bool {
        self.expires_at.is_some_and(|t| t <= now)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = jobs)]
pub struct NewJob {
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
    pub status: String,
    pub rejection_reason: Option<String>,
    pub submitted_by: Option<i64>,
    pub published_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A whole new version of the editable columns: the handler merges the
/// request into the current row, then writes every field back.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = jobs, treat_none_as_null = true)]
pub struct JobChanges {
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
    pub status: String,
    pub rejection_reason: Option<String>,
    pub published_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

impl NewJob {
    pub fn new(c: JobChanges, submitted_by: Option<i64>, now: NaiveDateTime) -> Self {
        Self {
            title: c.title,
            company_name: c.company_name,
            company_website: c.company_website,
            company_logo_url: c.company_logo_url,
            city: c.city,
            city_key: c.city_key,
            postal_code: c.postal_code,
            remote: c.remote,
            contract_type: c.contract_type,
            working_time: c.working_time,
            salary_min_cents: c.salary_min_cents,
            salary_max_cents: c.salary_max_cents,
            salary_currency: c.salary_currency,
            salary_period: c.salary_period,
            description: c.description,
            description_html: c.description_html,
            apply_url: c.apply_url,
            apply_email: c.apply_email,
            status: c.status,
            rejection_reason: c.rejection_reason,
            submitted_by,
            published_at: c.published_at,
            expires_at: c.expires_at,
            created_at: now,
            updated_at: now,
        }
    }
}

impl From<&JobRow> for JobChanges {
    fn from(r: &JobRow) -> Self {
        Self {
            title: r.title.clone(),
            company_name: r.company_name.clone(),
            company_website: r.company_website.clone(),
            company_logo_url: r.company_logo_url.clone(),
            city: r.city.clone(),
            city_key: r.city_key.clone(),
            postal_code: r.postal_code.clone(),
            remote: r.remote,
            contract_type: r.contract_type.clone(),
            working_time: r.working_time.clone(),
            salary_min_cents: r.salary_min_cents,
            salary_max_cents: r.salary_max_cents,
            salary_currency: r.salary_currency.clone(),
            salary_period: r.salary_period.clone(),
            description: r.description.clone(),
            description_html: r.description_html.clone(),
            apply_url: r.apply_url.clone(),
            apply_email: r.apply_email.clone(),
            status: r.status.clone(),
            rejection_reason: r.rejection_reason.clone(),
            published_at: r.published_at,
            expires_at: r.expires_at,
            updated_at: r.updated_at,
        }
    }
}
