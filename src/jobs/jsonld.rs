//! A job offer as schema.org `JobPosting` JSON-LD, the form search engines
//! read for their job listings. Required there: `title`, `description`,
//! `datePosted`, `hiringOrganization` and `jobLocation` (or, for remote work,
//! `applicantLocationRequirements` with `jobLocationType: TELECOMMUTE`).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

use super::dto::{ContractType, Job, SalaryPeriod, WorkingTime};
use crate::http::{Freshness, respond};

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

/// `doc` as `application/ld+json`, with `respond`'s ETag, caching and 304.
///
/// Sites paste this document into `<script type="application/ld+json">`, where
/// a string holding `</script>` would end the element and let what follows
/// run: so the body is written script-safe (see [`script_safe`]). The ETag is
/// computed on the plain serialisation, which the safe one follows one to one.
pub fn respond_ld(req: &HttpRequest, freshness: Freshness, doc: &Value) -> HttpResponse {
    let mut res = respond(req, freshness, doc);
    if res.status() == StatusCode::OK
        && let Ok(plain) = serde_json::to_string(doc)
    {
        res = res.set_body(script_safe(&plain)).map_into_boxed_body();
    }
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json"),
    );
    res
}

/// Rewrites serialised JSON so that no `<`, `>` or `&` (nor U+2028 and
/// U+2029, line ends to JavaScript) appears raw: each becomes its `\uXXXX`
/// escape. Those characters only ever stand inside strings in JSON, where the
/// escape means the same character, so the document parses back unchanged.
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::script_safe;

    #[test]
    fn script_safe_json_parses_back_to_the_same_strings() {
        let original = serde_json::json!({
            "title": "</script><script>alert(1)</script> & co \u{2028}\u{2029}",
            "path": "a\\<b",
        });
        let safe = script_safe(&original.to_string());
        for raw in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!safe.contains(raw), "{raw:?} left in {safe}");
        }
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, original);
    }
}
