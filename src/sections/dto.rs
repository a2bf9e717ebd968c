use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::SectionRow;
use crate::error::FieldError;
use crate::http::validate::{Errors, Validate};
use crate::ids::SectionId;
use crate::state::utc;

/// A section of the site.
#[derive(Debug, Serialize, ToSchema)]
pub struct Section {
    pub id: SectionId,
    #[schema(example = "economie")]
    pub slug: String,
    #[schema(example = "Economie")]
    pub name: String,
    pub description: String,
    /// Order in the site's navigation, smallest first.
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<SectionRow> for Section {
    fn from(r: SectionRow) -> Self {
        Self {
            id: SectionId(r.id),
            slug: r.slug,
            name: r.name,
            description: r.description,
            position: r.position,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSection {
    #[schema(example = "Economie", min_length = 1, max_length = 80)]
    pub name: String,
    /// Generated from the name when absent.
    #[schema(
        example = "economie",
        min_length = 1,
        max_length = 120,
        pattern = "^([a-z0-9]+(-[a-z0-9]+)+|[a-z0-9]*[a-z][a-z0-9]*)$"
    )]
    pub slug: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    #[serde(default)]
    pub position: i32,
}

impl Validate for CreateSection {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("name", &self.name, 1, 80);
        if let Some(slug) = &self.slug {
            e.slug("slug", slug);
        }
        e.text("description", &self.description, 0, 2_000);
        e.finish()
    }
}

/// A partial update: absent fields are left as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSection {
    #[schema(min_length = 1, max_length = 80)]
    pub name: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^([a-z0-9]+(-[a-z0-9]+)+|[a-z0-9]*[a-z][a-z0-9]*)$"
    )]
    pub slug: Option<String>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    pub position: Option<i32>,
}

impl Validate for UpdateSection {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.opt_text("name", self.name.as_deref(), 1, 80);
        if let Some(slug) = &self.slug {
            e.slug("slug", slug);
        }
        e.opt_text("description", self.description.as_deref(), 0, 2_000);
        e.finish()
    }
}

/// Sections take no filters but the delta sync's: the list is short.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SectionFilters {
    /// Delta sync: only sections changed after this time (RFC 3339, `updated_at`
    /// after it). `GET /deletions?since=&type=section` tells which were deleted.
    pub updated_after: Option<DateTime<Utc>>,
}

pub const SORTABLE: [&str; 3] = ["position", "name", "created_at"];
