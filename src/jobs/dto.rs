use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{JobChanges, JobRow};
use crate::error::FieldError;
use crate::http::validate::{Errors, Validate, is_plausible_email};
use crate::ids::JobId;
use crate::slug::city_key;
use crate::state::utc;
use crate::workflow::Status;

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == raw)
            }
        }
    };
}

wire_enum!(
    /// The French contract types.
    ContractType {
        Cdi = "cdi",
        Cdd = "cdd",
        Interim = "interim",
        Stage = "stage",
        Alternance = "alternance",
        Freelance = "freelance",
    }
);

wire_enum!(
    WorkingTime {
        FullTime = "full_time",
        PartTime = "part_time",
    }
);

wire_enum!(
    /// What a salary amount is paid for.
    SalaryPeriod {
        Hour = "hour",
        Day = "day",
        Week = "week",
        Month = "month",
        Year = "year",
    }
);

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Company {
    #[schema(example = "Boulangerie Le Goff", min_length = 1, max_length = 120)]
    pub name: String,
    /// An absolute http(s) URL.
    #[schema(
        format = "uri",
        max_length = 2000,
        pattern = "^https?://",
        example = "https://boulangerie-legoff.fr"
    )]
    pub website: Option<String>,
    /// An absolute https URL.
    #[schema(format = "uri", max_length = 2000, pattern = "^https://")]
    pub logo_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobLocation {
    #[schema(example = "Quimper", min_length = 1, max_length = 120)]
    pub city: String,
    /// 3–10 letters, digits, spaces or hyphens.
    #[schema(
        example = "29000",
        pattern = r"^\s*[A-Za-z0-9-][A-Za-z0-9 -]{1,8}[A-Za-z0-9-]\s*$"
    )]
    pub postal_code: String,
    /// Work from home possible.
    #[serde(default)]
    pub remote: bool,
}

/// A salary range; give `min_cents`, `max_cents` or both.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Salary {
    /// In cents of `currency` (`180000` = 1 800.00).
    #[schema(minimum = 0, maximum = 100_000_000_000_i64, example = 180000)]
    pub min_cents: Option<i64>,
    /// Not less than `min_cents`.
    #[schema(minimum = 0, maximum = 100_000_000_000_i64, example = 220000)]
    pub max_cents: Option<i64>,
    /// ISO 4217 code.
    #[serde(default = "euro")]
    #[schema(example = "EUR", default = "EUR", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    pub period: SalaryPeriod,
}

fn euro() -> String {
    "EUR".into()
}

/// How to apply: an https address, an e-mail address, or both.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HowToApply {
    /// An absolute https URL.
    #[schema(format = "uri", max_length = 2000, pattern = "^https://")]
    pub url: Option<String>,
    #[schema(format = Email, example = "recrutement@example.fr")]
    pub email: Option<String>,
}

/// A job offer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Job {
    pub id: JobId,
    #[schema(example = "Électricien·ne en CDI")]
    pub title: String,
    pub company: Company,
    pub location: JobLocation,
    pub contract_type: ContractType,
    pub working_time: WorkingTime,
    pub salary: Option<Salary>,
    /// Markdown, as written.
    pub description: String,
    /// The description rendered and sanitized.
    pub description_html: String,
    pub apply: HowToApply,
    /// `scheduled` is a published offer whose `published_at` is still to come.
    pub status: Status,
    /// Why an editor rejected the offer (its submitter reads it).
    pub rejection_reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// The offer leaves public lists at this time; its page then answers 410.
    pub expires_at: Option<DateTime<Utc>>,
    pub expired: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Job {
    pub fn from_row(r: JobRow, now: NaiveDateTime) -> Self {
        let salary = r
            .salary_period
            .as_deref()
            .and_then(SalaryPeriod::parse)
            .map(|period| Salary {
                min_cents: r.salary_min_cents,
                max_cents: r.salary_max_cents,
                currency: r.salary_currency.clone().unwrap_or_else(euro),
                period,
            });
        Self {
            id: JobId(r.id),
            expired: r.is_expired(now),
            status: Status::shown(&r.status, r.published_at, now),
            title: r.title,
            company: Company {
                name: r.company_name,
                website: r.company_website,
                logo_url: r.company_logo_url,
            },
            location: JobLocation {
                city: r.city,
                postal_code: r.postal_code,
                remote: r.remote,
            },
            contract_type: ContractType::parse(&r.contract_type).unwrap_or(ContractType::Cdi),
            working_time: WorkingTime::parse(&r.working_time).unwrap_or(WorkingTime::FullTime),
            salary,
            description: r.description,
            description_html: r.description_html,
            apply: HowToApply {
                url: r.apply_url,
                email: r.apply_email,
            },
            rejection_reason: r.rejection_reason,
            published_at: r.published_at.map(utc),
            expires_at: r.expires_at.map(utc),
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

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
    #[serde(default, deserialize_with = "crate::users::dto::nullable")]
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

impl UpdateJob {
    /// Whether the request changes anything but the status.
    pub fn edits_fields(&self) -> bool {
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
    }

    /// Writes the request's fields over `c` (the status is the handler's business).
    pub fn apply_to(self, c: &mut JobChanges) {
        if let Some(t) = self.title {
            c.title = t.trim().to_string();
        }
        if let Some(co) = self.company {
            c.company_name = co.name.trim().to_string();
            c.company_website = co.website;
            c.company_logo_url = co.logo_url;
        }
        if let Some(l) = self.location {
            set_location(c, l);
        }
        if let Some(t) = self.contract_type {
            c.contract_type = t.as_str().into();
        }
        if let Some(w) = self.working_time {
            c.working_time = w.as_str().into();
        }
        if let Some(s) = self.salary {
            set_salary(c, s);
        }
        if let Some(d) = self.description {
            c.description_html = crate::text::markdown_to_html(&d);
            c.description = d;
        }
        if let Some(a) = self.apply {
            c.apply_url = a.url;
            c.apply_email = a.email.map(|m| m.trim().to_lowercase());
        }
        if let Some(p) = self.published_at {
            c.published_at = Some(p.naive_utc());
        }
        if let Some(x) = self.expires_at {
            c.expires_at = Some(x.naive_utc());
        }
    }
}

impl CreateJob {
    /// The offer's fields, as an update of nothing (status and times set by the handler).
    pub fn into_changes(self, now: NaiveDateTime) -> JobChanges {
        let mut c = JobChanges {
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
            status: "pending".into(),
            rejection_reason: None,
            published_at: self.published_at.map(|t| t.naive_utc()),
            expires_at: self.expires_at.map(|t| t.naive_utc()),
            updated_at: now,
        };
        set_location(&mut c, self.location);
        set_salary(&mut c, self.salary);
        c
    }
}

fn set_location(c: &mut JobChanges, l: JobLocation) {
    c.city = l.city.trim().to_string();
    c.city_key = city_key(&l.city);
    c.postal_code = l.postal_code.trim().to_string();
    c.remote = l.remote;
}

fn set_salary(c: &mut JobChanges, s: Option<Salary>) {
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

/// Filters of the job list. Without `mine` or `status`, only published offers
/// whose time has come and that have not expired.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobFilters {
    /// Words to find (French, accents ignored); results by relevance unless `sort` is given.
    pub q: Option<String>,
    /// One or more contract types, comma-separated: `cdi,cdd`.
    #[param(
        example = "cdi,cdd",
        pattern = r"^\s*((cdi|cdd|interim|stage|alternance|freelance)\s*)?(,\s*((cdi|cdd|interim|stage|alternance|freelance)\s*)?)*$"
    )]
    pub contract_type: Option<String>,
    /// A town (case and accents ignored).
    pub city: Option<String>,
    /// Only offers that allow (`true`) or do not allow (`false`) remote work.
    pub remote: Option<bool>,
    /// Only offers published at or after this time (RFC 3339).
    pub published_after: Option<DateTime<Utc>>,
    /// `true`: the caller's own submissions, in every status (signed-in users).
    pub mine: Option<bool>,
    /// Offers in this status (staff; or with `mine=true`).
    #[param(inline)]
    pub status: Option<Status>,
}

pub const SORTABLE: [&str; 4] = ["published_at", "expires_at", "created_at", "title"];

/// Parses `cdi,cdd`: unknown types are a 400.
pub fn contract_types(raw: &str) -> Result<Vec<String>, crate::error::AppError> {
    raw.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            ContractType::parse(t)
                .map(|c| c.as_str().to_string())
                .ok_or_else(|| {
                    crate::error::AppError::bad_query(format!(
                        "unknown contract_type `{t}`; one or more of: {}",
                        ContractType::ALL
                            .iter()
                            .map(|c| c.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })
        })
        .collect()
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
