//! Requests that create or change a job offer, and their validation.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{Company, ContractType, HowToApply, JobLocation, Salary, WorkingTime};
use super::model::{JobChanges, JobFields, Review};
use crate::error::FieldError;
use crate::http::validate::{Errors, Validate, is_plausible_email};
use crate::review::{ItemUpdate, NewItem, Status};
use crate::slug::city_key;

/// A new job offer. Members' offers start `pending` and wait for an editor;
/// staff may create them as `draft` or `published` directly.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateJob {
    #[schema(example = "Électricien·ne en CDI", min_length = 1, max_length = 200)]
    pub title: String,
    pub company: Company,
    pub location: JobLocation,
    pub contract_type: ContractType,
    pub working_time: WorkingTime,
    pub salary: Option<Salary>,
    /// Markdown.
    #[schema(min_length = 1, max_length = 20_000)]
    pub description: String,
    pub apply: HowToApply,
    /// Default: `pending`.
    pub status: Option<Status>,
    /// Default: the time of publication.
    pub published_at: Option<DateTime<Utc>>,
    /// Default: `KIOSQUE_JOB_DEFAULT_DAYS` days after publication.
    pub expires_at: Option<DateTime<Utc>>,
    /// The company's logo from the media library: an image with its alt
    /// text, your own upload or a public one (staff: any). Answered as
    /// `image_media`; public once the offer is published.
    pub image_media_id: Option<crate::ids::MediaId>,
}

impl Validate for CreateJob {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("title", &self.title, 1, 200);
        check_company(&mut e, &self.company);
        check_location(&mut e, &self.location);
        if let Some(s) = &self.salary {
            check_salary(&mut e, s);
        }
        e.text("description", &self.description, 1, 20_000);
        check_apply(&mut e, &self.apply);
        check_times(&mut e, self.published_at, self.expires_at);
        e.finish()
    }
}

/// Changes to an offer; absent fields are kept, objects are replaced whole.
/// Review decisions go through `status`: editors publish (`published`),
/// reject (`rejected` with a `rejection_reason`) or extend (a later `expires_at`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateJob {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    pub company: Option<Company>,
    pub location: Option<JobLocation>,
    pub contract_type: Option<ContractType>,
    pub working_time: Option<WorkingTime>,
    /// `null` removes the salary.
    #[serde(default, deserialize_with = "crate::http::json::nullable")]
    #[schema(value_type = Option<Salary>)]
    pub salary: Option<Option<Salary>>,
    #[schema(min_length = 1, max_length = 20_000)]
    pub description: Option<String>,
    pub apply: Option<HowToApply>,
    pub status: Option<Status>,
    /// Required with `status: rejected`, refused otherwise.
    #[schema(min_length = 1, max_length = 2_000)]
    pub rejection_reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The company's logo from the media library (`null` removes it).
    #[serde(default, deserialize_with = "crate::http::json::nullable")]
    #[schema(value_type = Option<String>)]
    pub image_media_id: Option<Option<crate::ids::MediaId>>,
}

impl Validate for UpdateJob {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.opt_text("title", self.title.as_deref(), 1, 200);
        if let Some(c) = &self.company {
            check_company(&mut e, c);
        }
        if let Some(l) = &self.location {
            check_location(&mut e, l);
        }
        if let Some(Some(s)) = &self.salary {
            check_salary(&mut e, s);
        }
        e.opt_text("description", self.description.as_deref(), 1, 20_000);
        if let Some(a) = &self.apply {
            check_apply(&mut e, a);
        }
        e.opt_text(
            "rejection_reason",
            self.rejection_reason.as_deref(),
            1,
            2_000,
        );
        check_times(&mut e, self.published_at, self.expires_at);
        e.finish()
    }
}

impl ItemUpdate<JobChanges> for UpdateJob {
    fn edits_fields(&self) -> bool {
        self.title.is_some()
            || self.company.is_some()
            || self.location.is_some()
            || self.contract_type.is_some()
            || self.working_time.is_some()
            || self.salary.is_some()
            || self.description.is_some()
            || self.apply.is_some()
            || self.published_at.is_some()
            || self.expires_at.is_some()
            || self.image_media_id.is_some()
    }

    fn take_decision(&mut self) -> (Option<Status>, Option<String>) {
        (self.status.take(), self.rejection_reason.take())
    }

    fn apply_to(self, c: &mut JobChanges) {
        let f = &mut c.fields;
        if let Some(t) = self.title {
            f.title = t.trim().to_string();
        }
        if let Some(co) = self.company {
            f.company_name = co.name.trim().to_string();
            f.company_website = co.website;
            f.company_logo_url = co.logo_url;
        }
        if let Some(l) = self.location {
            set_location(f, l);
        }
        if let Some(t) = self.contract_type {
            f.contract_type = t.as_str().into();
        }
        if let Some(w) = self.working_time {
            f.working_time = w.as_str().into();
        }
        if let Some(s) = self.salary {
            set_salary(f, s);
        }
        if let Some(d) = self.description {
            f.description_html = crate::text::markdown_to_html(&d);
            f.description = d;
        }
        if let Some(a) = self.apply {
            f.apply_url = a.url;
            f.apply_email = a.email.map(|m| m.trim().to_lowercase());
        }
        if let Some(x) = self.expires_at {
            f.expires_at = Some(crate::state::stored(x));
        }
        if let Some(m) = self.image_media_id {
            f.image_media_id = m.map(|m| m.0);
        }
        if let Some(p) = self.published_at {
            c.review.published_at = Some(crate::state::stored(p));
        }
    }
}

impl NewItem<JobChanges> for CreateJob {
    fn requested_status(&self) -> Option<Status> {
        self.status
    }

    fn into_changes(self, now: NaiveDateTime) -> JobChanges {
        let mut fields = JobFields {
            title: self.title.trim().to_string(),
            company_name: self.company.name.trim().to_string(),
            company_website: self.company.website,
            company_logo_url: self.company.logo_url,
            city: String::new(),
            city_key: String::new(),
            postal_code: String::new(),
            remote: false,
            contract_type: self.contract_type.as_str().into(),
            working_time: self.working_time.as_str().into(),
            salary_min_cents: None,
            salary_max_cents: None,
            salary_currency: None,
            salary_period: None,
            description_html: crate::text::markdown_to_html(&self.description),
            description: self.description,
            apply_url: self.apply.url,
            apply_email: self.apply.email.map(|m| m.trim().to_lowercase()),
            expires_at: self.expires_at.map(crate::state::stored),
            image_media_id: self.image_media_id.map(|m| m.0),
        };
        set_location(&mut fields, self.location);
        set_salary(&mut fields, self.salary);
        JobChanges {
            fields,
            review: Review {
                status: "pending".into(),
                rejection_reason: None,
                published_at: self.published_at.map(crate::state::stored),
                updated_at: now,
            },
        }
    }
}

fn set_location(c: &mut JobFields, l: JobLocation) {
    c.city = l.city.trim().to_string();
    c.city_key = city_key(&l.city);
    c.postal_code = l.postal_code.trim().to_string();
    c.remote = l.remote;
}

fn set_salary(c: &mut JobFields, s: Option<Salary>) {
    c.salary_min_cents = s.as_ref().and_then(|s| s.min_cents);
    c.salary_max_cents = s.as_ref().and_then(|s| s.max_cents);
    c.salary_currency = s.as_ref().map(|s| s.currency.clone());
    c.salary_period = s.as_ref().map(|s| s.period.as_str().to_string());
}

fn check_company(e: &mut Errors, c: &Company) {
    e.text("company.name", &c.name, 1, 120);
    if let Some(u) = &c.website {
        e.url("company.website", u, true);
    }
    if let Some(u) = &c.logo_url {
        e.url("company.logo_url", u, false);
    }
}

fn check_location(e: &mut Errors, l: &JobLocation) {
    e.text("location.city", &l.city, 1, 120);
    e.postal_code("location.postal_code", &l.postal_code);
}

fn check_salary(e: &mut Errors, s: &Salary) {
    const MAX: i64 = 100_000_000_000;
    if s.min_cents.is_none() && s.max_cents.is_none() {
        e.add(
            "salary",
            "give min_cents, max_cents or both (or no salary at all)",
        );
    }
    for (field, v) in [
        ("salary.min_cents", s.min_cents),
        ("salary.max_cents", s.max_cents),
    ] {
        if v.is_some_and(|v| !(0..=MAX).contains(&v)) {
            e.add(field, format!("must be between 0 and {MAX}"));
        }
    }
    if let (Some(min), Some(max)) = (s.min_cents, s.max_cents)
        && min > max
    {
        e.add("salary.max_cents", "must not be less than min_cents");
    }
    e.currency("salary.currency", &s.currency);
}

fn check_apply(e: &mut Errors, a: &HowToApply) {
    if a.url.is_none() && a.email.is_none() {
        e.add(
            "apply",
            "give an https address or an e-mail address to apply to",
        );
    }
    if let Some(u) = &a.url {
        e.url("apply.url", u, false);
    }
    if let Some(m) = &a.email
        && !is_plausible_email(m.trim())
    {
        e.add("apply.email", "must be an e-mail address");
    }
}

fn check_times(
    e: &mut Errors,
    published_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
) {
    if let (Some(p), Some(x)) = (published_at, expires_at)
        && x <= p
    {
        e.add("expires_at", "must be after published_at");
    }
}
