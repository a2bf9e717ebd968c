//! What admins send: new endpoints, changes to them, and the log's filters.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::types;
use crate::error::FieldError;
use crate::http::validate::{Errors, Validate};

const MAX_TYPES: usize = 50;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Where deliveries are POSTed: an `http` or `https` URL whose host does
    /// not resolve to a private, loopback, link-local or metadata address
    /// (422 `target_refused`), unless `KIOSQUE_OUTBOUND_ALLOW` allows it.
    #[schema(
        example = "https://front.example.org/api/revalidate",
        max_length = 2000
    )]
    pub url: String,
    #[serde(default)]
    #[schema(example = "Next.js revalidation", max_length = 500)]
    pub description: String,
    /// Patterns of event types: `article.published`, `article.*`, `*`
    /// (the default).
    #[schema(example = json!(["article.*", "section.*"]), min_items = 1, max_items = 50)]
    pub event_types: Option<Vec<String>>,
    /// Default true.
    pub enabled: Option<bool>,
}

impl Validate for CreateWebhook {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.url("url", &self.url, true);
        e.text("description", &self.description, 0, 500);
        if let Some(t) = &self.event_types {
            check_types(&mut e, t);
        }
        e.finish()
    }
}

/// A partial update: absent fields are left as they are. Enabling an
/// endpoint again clears why it was disabled and its failure streak; it
/// then receives the changes from that moment on (the change feed has the
/// ones in between).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    #[schema(max_length = 2000)]
    pub url: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    #[schema(min_items = 1, max_items = 50)]
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

impl Validate for UpdateWebhook {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        if let Some(url) = &self.url {
            e.url("url", url, true);
        }
        e.opt_text("description", self.description.as_deref(), 0, 500);
        if let Some(t) = &self.event_types {
            check_types(&mut e, t);
        }
        e.finish()
    }
}

fn check_types(e: &mut Errors, patterns: &[String]) {
    if patterns.is_empty() {
        e.add("event_types", "must name at least one type (`*` for all)");
    }
    if patterns.len() > MAX_TYPES {
        e.add("event_types", format!("at most {MAX_TYPES} patterns"));
    }
    for (i, p) in patterns.iter().enumerate() {
        if let Some(why) = types::invalid(p) {
            e.add(&format!("event_types[{i}]"), why);
        }
    }
}

/// The patterns as stored: each once, in the order given.
pub fn normalise_types(patterns: Option<Vec<String>>) -> Option<String> {
    patterns.map(|mut v| {
        let mut seen = std::collections::HashSet::new();
        v.retain(|p| seen.insert(p.clone()));
        serde_json::Value::from(v).to_string()
    })
}

/// A delivery's status, as the log's filter takes it.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Pending,
    Failed,
    Delivered,
    Dead,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => super::model::status::PENDING,
            DeliveryStatus::Failed => super::model::status::FAILED,
            DeliveryStatus::Delivered => super::model::status::DELIVERED,
            DeliveryStatus::Dead => super::model::status::DEAD,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilters {
    /// Only deliveries in this status.
    #[param(inline)]
    pub status: Option<DeliveryStatus>,
}

/// Webhooks take no filters: an admin's short list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookFilters {}
