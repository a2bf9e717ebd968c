//! The audit log: who did what, when, from where — sign-ins, role changes,
//! keys, moderation, publication, deletions, exports. Admins read it at
//! `GET /api/v1/audit`.
//!
//! An entry is written by [`record`] on the write's own connection, inside
//! its transaction when there is one, so an action and its entry commit or
//! roll back together. Entries never hold secrets: callers pass ids and
//! plain facts, and [`record`] drops any detail whose name suggests one.
//! Entries older than `KIOSQUE_AUDIT_RETENTION_DAYS` are purged at start-up
//! and every hour ([`purge_expired`]).

pub mod dto;
pub mod handlers;
pub mod model;
pub mod queries;

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use crate::auth::Caller;
use crate::auth::limits::client_ip;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The client address of a request, as an extractor (`KIOSQUE_TRUST_PROXY` applies).
#[derive(Debug, Clone)]
pub struct Origin(pub String);

impl FromRequest for Origin {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trust_proxy = req
            .app_data::<web::Data<AppState>>()
            .is_some_and(|s| s.config.trust_proxy);
        ready(Ok(Origin(client_ip(req, trust_proxy))))
    }
}

/// Who acts, and from which address.
#[derive(Debug, Clone)]
pub struct Actor {
    /// `user`, `api_key`, `anonymous` or `system`.
    pub kind: &'static str,
    pub id: Option<i64>,
    pub ip: Option<String>,
}

impl Actor {
    pub fn of(caller: &Caller, origin: &Origin) -> Self {
        let (kind, id) = match caller {
            Caller::User(u) => ("user", Some(u.id.0)),
            Caller::Key(k) => ("api_key", Some(k.id.0)),
            Caller::Anonymous => ("anonymous", None),
        };
        Self {
            kind,
            id,
            ip: Some(origin.0.clone()),
        }
    }

    /// The command line (`kiosque export`…): no account, no address.
    pub fn system() -> Self {
        Self {
            kind: "system",
            id: None,
            ip: None,
        }
    }

    pub fn anonymous(origin: &Origin) -> Self {
        Self {
            kind: "anonymous",
            id: None,
            ip: Some(origin.0.clone()),
        }
    }

    pub fn user(id: i64, origin: &Origin) -> Self {
        Self {
            kind: "user",
            id: Some(id),
            ip: Some(origin.0.clone()),
        }
    }
}

/// One action to record.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: String,
    pub target: Option<(&'static str, String)>,
    pub details: Map<String, Value>,
}

impl Entry {
    pub fn new(action: impl Into<String>) -> Self {
        Self {
            action: action.into(),
            target: None,
            details: Map::new(),
        }
    }

    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.target = Some((kind, id.to_string()));
        self
    }

    pub fn detail(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.details.insert(name.to_string(), value.into());
        self
    }
}

/// Names that could carry a secret are never stored, whatever a caller passes.
fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["password", "secret", "token", "hash", "authorization"]
        .iter()
        .any(|s| n.contains(s))
}

/// Writes one entry on `conn` (inside the caller's transaction, if any).
pub fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    entry: Entry,
    now: NaiveDateTime,
) -> AppResult<()> {
    let details: Map<String, Value> = entry
        .details
        .into_iter()
        .filter(|(k, _)| !is_secret_name(k))
        .collect();
    let (target_type, target_id) = match entry.target {
        Some((t, id)) => (Some(t.to_string()), Some(id)),
        None => (None, None),
    };
    queries::insert(
        conn,
        &model::NewAuditEntry {
            occurred_at: now,
            action: entry.action,
            actor_type: actor.kind.to_string(),
            actor_id: actor.id,
            target_type,
            target_id,
            ip: actor.ip.clone(),
            details: Value::Object(details).to_string(),
        },
    )?;
    Ok(())
}

/// Records an entry in a transaction of its own, for actions that write
/// nothing else (a failed sign-in) or have already committed.
pub async fn record_now(state: &AppState, actor: &Actor, entry: Entry) -> AppResult<()> {
    let (actor, now) = (actor.clone(), state.clock.now());
    state.db.write(move |c| record(c, &actor, entry, now)).await
}

/// A change of a content item's stored status (`kind` is `article`, `job` or
/// `event`; `before` is `None` for a new item): entering `published` records
/// `<kind>.published`, leaving it `<kind>.unpublished`; other moves are not
/// recorded.
pub fn content_status(
    conn: &mut AnyConnection,
    actor: &Actor,
    (kind, id): (&'static str, i64),
    before: Option<&str>,
    after: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let was = before == Some("published");
    let is = after == "published";
    let action = match (was, is) {
        (false, true) => "published",
        (true, false) => "unpublished",
        _ => return Ok(()),
    };
    let mut entry = Entry::new(format!("{kind}.{action}")).target(kind, id);
    if let Some(b) = before {
        entry = entry.detail("from", b);
    }
    record(conn, actor, entry.detail("to", after), now)
}

/// The deletion of a content item (`<kind>.deleted`).
pub fn content_deleted(
    conn: &mut AnyConnection,
    actor: &Actor,
    (kind, id): (&'static str, i64),
    now: NaiveDateTime,
) -> AppResult<()> {
    let entry = Entry::new(format!("{kind}.deleted")).target(kind, id);
    record(conn, actor, entry, now)
}

/// Deletes entries older than the retention (`KIOSQUE_AUDIT_RETENTION_DAYS`).
pub async fn purge_expired(state: &AppState) -> AppResult<usize> {
    let days = i64::from(state.config.audit_retention_days);
    let cutoff = state.clock.now() - chrono::Duration::days(days);
    state
        .db
        .write(move |c| Ok(queries::purge_before(c, cutoff)?))
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_that_may_hold_secrets_are_dropped() {
        for name in [
            "password",
            "new_password",
            "refresh_token",
            "secret",
            "secret_hash",
        ] {
            assert!(super::is_secret_name(name), "{name}");
        }
        for name in ["email", "role", "from", "to", "scopes", "prefix"] {
            assert!(!super::is_secret_name(name), "{name}");
        }
    }
}
