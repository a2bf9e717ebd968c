use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::TagRow;
use crate::error::FieldError;
use crate::http::validate::{Errors, Validate};
use crate::ids::TagId;
use crate::state::utc;

#[derive(Debug, Serialize, ToSchema)]
pub struct Tag {
    pub id: TagId,
    #[schema(example = "municipales-2026")]
    pub slug: String,
    #[schema(example = "Municipales 2026")]
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<TagRow> for Tag {
    fn from(r: TagRow) -> Self {
        Self {
            id: TagId(r.id),
            slug: r.slug,
            name: r.name,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTag {
    #[schema(example = "Transition énergétique", min_length = 1, max_length = 80)]
    pub name: String,
    /// Generated from the name when absent.
    #[schema(
        example = "transition-energetique",
        min_length = 1,
        max_length = 120,
        pattern = "^([a-z0-9]+(-[a-z0-9]+)+|[a-z0-9]*[a-z][a-z0-9]*)$"
    )]
    pub slug: Option<String>,
}

impl Validate for CreateTag {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("name", &self.name, 1, 80);
        if let Some(slug) = &self.slug {
            e.slug("slug", slug);
        }
        e.finish()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTag {
    #[schema(min_length = 1, max_length = 80)]
    pub name: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^([a-z0-9]+(-[a-z0-9]+)+|[a-z0-9]*[a-z][a-z0-9]*)$"
    )]
    pub slug: Option<String>,
}

impl Validate for UpdateTag {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.opt_text("name", self.name.as_deref(), 1, 80);
        if let Some(slug) = &self.slug {
            e.slug("slug", slug);
        }
        e.finish()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagFilters {
    /// Tags whose name starts with this text (for autocompletion), case-insensitive.
    pub q: Option<String>,
    /// Delta sync: only tags changed after this time (RFC 3339, `updated_at`
    /// after it). `GET /deletions?since=&type=tag` tells which were deleted.
    pub updated_after: Option<DateTime<Utc>>,
}

pub const SORTABLE: [&str; 2] = ["name", "created_at"];
