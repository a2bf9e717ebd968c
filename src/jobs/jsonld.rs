//! A job offer as schema.org `JobPosting` JSON-LD, the form search engines
//! read for their job listings. Required there: `title`, `description`,
//! `datePosted`, `hiringOrganization` and `jobLocation` (or, for remote work,
//! `applicantLocationRequirements` with `jobLocationType: TELECOMMUTE`).

use serde_json::{Map, Value, json};

use super::dto::{ContractType, Job, SalaryPeriod, WorkingTime};

/// Where the site's offers are: a French local news site.
const COUNTRY: &str = "FR";

pub fn job_posting(job: &Job) -> Value {
    let mut doc = Map::new();
    doc.insert("@context".into(), json!("https://schema.org"));
    doc.insert("@type".into(), json!("JobPosting"));
    doc.insert("title".into(), json!(job.title));
    doc.insert("description".into(), json!(job.description_html));
    doc.insert(
        "identifier".into(),
        json!({"@type": "PropertyValue", "name": job.company.name, "value": job.id.to_string()}),
    );
    if let Some(t) = job.published_at {
        doc.insert("datePosted".into(), json!(t.to_rfc3339()));
    }
    if let Some(t) = job.expires_at {
        doc.insert("validThrough".into(), json!(t.to_rfc3339()));
    }
    doc.insert("employmentType".into(), json!(employment_type(job)));
    let mut org = Map::new();
    org.insert("@type".into(), json!("Organization"));
    org.insert("name".into(), json!(job.company.name));
    if let Some(w) = &job.company.website {
        org.insert("sameAs".into(), json!(w));
    }
    if let Some(l) = &job.company.logo_url {
        org.insert("logo".into(), json!(l));
    }
    doc.insert("hiringOrganization".into(), Value::Object(org));
    doc.insert(
        "jobLocation".into(),
        json!({
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": job.location.city,
                "postalCode": job.location.postal_code,
                "addressCountry": COUNTRY,
            }
        }),
    );
    if job.location.remote {
        doc.insert("jobLocationType".into(), json!("TELECOMMUTE"));
        doc.insert(
            "applicantLocationRequirements".into(),
            json!({"@type": "Country", "name": COUNTRY}),
        );
    }
    if let Some(s) = &job.salary {
        let mut value = Map::new();
        value.insert("@type".into(), json!("QuantitativeValue"));
        match (s.min_cents, s.max_cents) {
            (Some(min), Some(max)) if min == max => {
                value.insert("value".into(), json!(amount(min)));
            }
            (min, max) => {
                if let Some(min) = min {
                    value.insert("minValue".into(), json!(amount(min)));
                }
                if let Some(max) = max {
                    value.insert("maxValue".into(), json!(amount(max)));
                }
            }
        }
        value.insert(
            "unitText".into(),
            json!(match s.period {
                SalaryPeriod::Hour => "HOUR",
                SalaryPeriod::Day => "DAY",
                SalaryPeriod::Week => "WEEK",
                SalaryPeriod::Month => "MONTH",
                SalaryPeriod::Year => "YEAR",
            }),
        );
        doc.insert(
            "baseSalary".into(),
            json!({"@type": "MonetaryAmount", "currency": s.currency, "value": Value::Object(value)}),
        );
    }
    if let Some(url) = &job.apply.url {
        doc.insert("directApply".into(), json!(false));
        doc.insert("url".into(), json!(url));
    }
    Value::Object(doc)
}

/// Google's employment types from the French contract and the working time.
fn employment_type(job: &Job) -> Vec<&'static str> {
    let time = match job.working_time {
        WorkingTime::FullTime => "FULL_TIME",
        WorkingTime::PartTime => "PART_TIME",
    };
    match job.contract_type {
        ContractType::Cdi => vec![time],
        ContractType::Cdd | ContractType::Interim => vec![time, "TEMPORARY"],
        ContractType::Stage => vec!["INTERN"],
        ContractType::Alternance => vec![time, "INTERN"],
        ContractType::Freelance => vec!["CONTRACTOR"],
    }
}

/// Cents to a JSON number of currency units.
fn amount(cents: i64) -> Value {
    if cents % 100 == 0 {
        json!(cents / 100)
    } else {
        json!(cents as f64 / 100.0)
    }
}
