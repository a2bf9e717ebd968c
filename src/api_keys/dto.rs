use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::ApiKeyRow;
use crate::auth::KeyScope;
use crate::error::FieldError;
use crate::http::validate::{Errors, Validate};
use crate::ids::{ApiKeyId, UserId};
use crate::state::utc;

/// An API key, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: String,
    /// The first characters of the secret, to recognise the key.
    #[schema(example = "kq_3fA9x1")]
    pub prefix: String,
    pub scopes: Vec<KeyScope>,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Updated at most once a minute.
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(k: ApiKeyRow) -> Self {
        Self {
            id: ApiKeyId(k.id),
            name: k.name,
            prefix: k.prefix,
            scopes: k
                .scopes
                .split_whitespace()
                .filter_map(KeyScope::parse)
                .collect(),
            created_by: k.created_by.map(UserId),
            created_at: utc(k.created_at),
            expires_at: k.expires_at.map(utc),
            last_used_at: k.last_used_at.map(utc),
            revoked_at: k.revoked_at.map(utc),
        }
    }
}

/// A newly created key: the only time its secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// Send as `Authorization: Bearer <secret>`. Shown once; store it now.
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    #[schema(example = "Météo France relay", min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(example = json!(["weather:write"]), min_items = 1)]
    pub scopes: Vec<KeyScope>,
    /// When the key stops working; never when absent.
    pub expires_at: Option<DateTime<Utc>>,
}

impl Validate for CreateApiKey {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("name", &self.name, 1, 100);
        if self.scopes.is_empty() {
            e.add("scopes", "must name at least one scope");
        }
        e.finish()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiKeyFilters {
    /// Include revoked keys (default: false).
    pub revoked: Option<bool>,
}
