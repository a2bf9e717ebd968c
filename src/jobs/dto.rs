//! What the API answers about job offers, and the objects requests share
//! with it (company, location, salary, how to apply).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::JobRow;
use crate::ids::JobId;
use crate::review::{ReviewRow, Status};
use crate::state::utc;

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        // utoipa does not see a variant's `rename` through the macro's literal,
        // so the document learns the wire names from `rename_all`; the
        // contract test holds both to what the server sends and accepts
        #[serde(rename_all = "snake_case")]
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
    /// ISO 4217 code; `EUR` when left out of a request.
    // no `default` in the schema: generated clients would make the field
    // required in their types, requests included
    #[serde(default = "euro")]
    #[schema(example = "EUR", pattern = "^[A-Z]{3}$")]
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
    /// The description rendered and sanitized; embedded media items
    /// (`![alt](media:12)`) are `<figure>`s with their variants.
    pub description_html: String,
    pub apply: HowToApply,
    /// The company's logo from the media library (`image_media_id`):
    /// variants, `srcset`, placeholder, alt text, caption and credit.
    pub image_media: Option<crate::media::ImageObject>,
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
    pub fn from_row(r: JobRow, now: NaiveDateTime, images: &crate::media::Images) -> Self {
        let (status, expired) = (r.status(now), r.is_expired(now));
        let (f, review) = (r.fields, r.review);
        let salary = f
            .salary_period
            .as_deref()
            .and_then(SalaryPeriod::parse)
            .map(|period| Salary {
                min_cents: f.salary_min_cents,
                max_cents: f.salary_max_cents,
                currency: f.salary_currency.clone().unwrap_or_else(euro),
                period,
            });
        Self {
            id: JobId(r.id),
            expired,
            status,
            title: f.title,
            company: Company {
                name: f.company_name,
                website: f.company_website,
                logo_url: f.company_logo_url,
            },
            location: JobLocation {
                city: f.city,
                postal_code: f.postal_code,
                remote: f.remote,
            },
            contract_type: ContractType::parse(&f.contract_type).unwrap_or(ContractType::Cdi),
            working_time: WorkingTime::parse(&f.working_time).unwrap_or(WorkingTime::FullTime),
            salary,
            description: f.description,
            description_html: crate::media::render_embeds(&f.description_html, images, ""),
            image_media: f.image_media_id.and_then(|id| images.get(&id).cloned()),
            apply: HowToApply {
                url: f.apply_url,
                email: f.apply_email,
            },
            rejection_reason: review.rejection_reason,
            published_at: review.published_at.map(utc),
            expires_at: f.expires_at.map(utc),
            created_at: utc(r.created_at),
            updated_at: utc(review.updated_at),
        }
    }
}
