use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::AuditRow;
use crate::state::utc;

/// Who acted.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActor {
    /// `user`, `api_key`, `anonymous` (a failed sign-in) or `system` (the command line).
    #[serde(rename = "type")]
    #[schema(example = "user")]
    pub kind: String,
    /// The user's or the key's id.
    pub id: Option<String>,
}

/// What the action was done to.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditTarget {
    /// `user`, `api_key`, `comment`, `article`, `job`, `event`, `export`.
    #[serde(rename = "type")]
    #[schema(example = "article")]
    pub kind: String,
    pub id: String,
}

/// One entry of the audit log. Never holds a secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    #[schema(example = "812")]
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    /// `auth.sign_in`, `auth.sign_in_failed`, `user.role_changed`, `user.disabled`,
    /// `user.enabled`, `user.deleted`, `api_key.created`, `api_key.revoked`,
    /// `comment.approved`, `comment.rejected`, `comment.spam`, `comment.pending`,
    /// `comment.edit_approved`, `comment.edit_rejected`, `commenter.banned`,
    /// `commenter.ban_lifted`, `article.published`, `article.unpublished`,
    /// `article.deleted` (and the same for `job` and `event`), `export.created`,
    /// `backup.created`.
    #[schema(example = "article.published")]
    pub action: String,
    pub actor: AuditActor,
    pub target: Option<AuditTarget>,
    /// The client address the action came from (none from the command line).
    #[schema(example = "203.0.113.7")]
    pub ip: Option<String>,
    /// Facts of the action (`{"from": "member", "to": "editor"}`…).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        Self {
            id: r.id.to_string(),
            occurred_at: utc(r.occurred_at),
            action: r.action,
            actor: AuditActor {
                kind: r.actor_type,
                id: r.actor_id.map(|i| i.to_string()),
            },
            target: match (r.target_type, r.target_id) {
                (Some(kind), Some(id)) => Some(AuditTarget { kind, id }),
                _ => None,
            },
            ip: r.ip,
            details: serde_json::from_str(&r.details).unwrap_or_default(),
        }
    }
}

pub const SORTABLE: [&str; 1] = ["occurred_at"];

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorType {
    User,
    ApiKey,
    Anonymous,
    System,
}

impl ActorType {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorType::User => "user",
            ActorType::ApiKey => "api_key",
            ActorType::Anonymous => "anonymous",
            ActorType::System => "system",
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFiltersQuery {
    /// Comma-separated actions (`auth.sign_in_failed,user.role_changed`).
    #[param(example = "user.role_changed")]
    pub action: Option<String>,
    /// The acting user's (or, with `actor_type=api_key`, key's) id.
    #[param(pattern = "^[1-9][0-9]{0,18}$")]
    pub actor: Option<String>,
    /// `user`, `api_key`, `anonymous` or `system`.
    #[param(inline)]
    pub actor_type: Option<ActorType>,
    /// `user`, `api_key`, `comment`, `article`, `job`, `event`, `export`.
    pub target_type: Option<String>,
    /// The target's id (with or without `target_type`).
    pub target_id: Option<String>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub until: Option<DateTime<Utc>>,
}
