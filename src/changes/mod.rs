//! The change log: one ordered row per change of content, written by
//! [`record`] on the write's own connection, inside its transaction, so a
//! write and its change commit or roll back together (even on kill -9).
//! Read by the change feed (`GET /api/v1/changes`), later by webhooks and
//! caches.
//!
//! A resource describes its own changes (which public paths an article
//! touches) next to its rows and hands a [`Change`] here: this part never
//! knows a resource. A change holds ids, slugs and statuses, never a secret
//! or a full body. Changes older than `KIOSQUE_CHANGES_RETENTION_DAYS` are
//! purged at start-up and every hour ([`purge_expired`]).

mod cursor;
pub mod deletions;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod stream;
pub mod timed;

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::state::AppState;

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change {
    /// `article.published`, `comment.approved`, `user.registered`…
    pub kind: String,
    /// The resource's type (`article`), id and slug, if it has one.
    pub resource_type: &'static str,
    pub resource_id: i64,
    pub resource_slug: Option<String>,
    /// Public paths (under `/api/v1`) whose answers changed.
    pub paths: Vec<String>,
    /// Cache keys whose answers changed (`article:12`, `list:articles`): the
    /// response cache drops them, here and on the other nodes. The
    /// resource's own key (`<resource_type>:<id>`) is always among them.
    pub keys: Vec<String>,
    /// Small facts: ids, slugs, statuses.
    pub data: Map<String, Value>,
    pub occurred_at: NaiveDateTime,
}

impl Change {
    /// `<resource_type>.<what>` for the resource `id`.
    pub fn new(
        resource_type: &'static str,
        what: &str,
        id: i64,
        occurred_at: NaiveDateTime,
    ) -> Self {
        Self {
            kind: format!("{resource_type}.{what}"),
            resource_type,
            resource_id: id,
            resource_slug: None,
            paths: Vec::new(),
            keys: vec![format!("{resource_type}:{id}")],
            data: Map::new(),
            occurred_at,
        }
    }

    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.resource_slug = Some(slug.into());
        self
    }

    /// Adds public paths (kept once each, in order).
    pub fn paths<I, S>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for p in paths {
            let p = p.into();
            if !self.paths.contains(&p) {
                self.paths.push(p);
            }
        }
        self
    }

    /// Adds cache keys (kept once each, in order).
    pub fn keys<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for k in keys {
            let k = k.into();
            if !self.keys.contains(&k) {
                self.keys.push(k);
            }
        }
        self
    }

    /// A change to an item of a slugged collection that filters the article
    /// list (sections, tags): its address by slug and by id, the collection,
    /// the articles filtered by it, and the same under a former slug.
    pub fn filed_under(
        self,
        collection: &str,
        filter: &str,
        slug: &str,
        former_slug: Option<&str>,
    ) -> Self {
        let id = self.resource_id;
        let mut paths = vec![
            format!("/api/v1/{collection}/{slug}"),
            format!("/api/v1/{collection}/{id}"),
            format!("/api/v1/{collection}"),
            format!("/api/v1/articles?{filter}={slug}"),
        ];
        if let Some(old) = former_slug.filter(|o| *o != slug) {
            paths.push(format!("/api/v1/{collection}/{old}"));
            paths.push(format!("/api/v1/articles?{filter}={old}"));
        }
        // the article lists show the item's name, and filter by it
        self.slug(slug)
            .paths(paths)
            .keys([format!("list:{collection}"), "list:articles".to_string()])
    }

    pub fn datum(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.data.insert(name.to_string(), value.into());
        self
    }
}

/// What a change of a content item's stored status is called (`before` is
/// `None` for a new item): entering `published` is `published`, leaving it
/// `unpublished`, anything else `created` or `updated`.
pub fn status_change(before: Option<&str>, after: &str) -> &'static str {
    let is = after == "published";
    match before {
        None if is => "published",
        None => "created",
        Some(b) => match (b == "published", is) {
            (false, true) => "published",
            (true, false) => "unpublished",
            _ => "updated",
        },
    }
}

/// Writes one change on `conn`, which must be inside the write's
/// transaction. On PostgreSQL the recorders take turns (a transaction-scoped
/// advisory lock) so that changes commit in the order of their numbers and a
/// reader that saw number n never sees a smaller one appear later.
///
/// Call it last, once the write's rows are written (describe a deletion
/// before it, record it after): holding the turn, a transaction then waits
/// for no other lock, so turns never deadlock with row locks.
pub fn record(conn: &mut AnyConnection, change: Change) -> AppResult<()> {
    queries::take_turn(conn)?;
    let keys = change.keys;
    queries::insert(
        conn,
        &model::NewChange {
            kind: change.kind,
            resource_type: change.resource_type.to_string(),
            resource_id: change.resource_id,
            resource_slug: change.resource_slug,
            paths: Value::from(change.paths).to_string(),
            data: Value::Object(change.data).to_string(),
            occurred_at: change.occurred_at,
        },
    )?;
    // other nodes hear of it at commit (nothing is sent on rollback), this
    // node's cache once the write is over
    crate::signal::notify(conn, &keys)?;
    Ok(())
}

/// The oldest time a change is kept from.
pub fn retention_cutoff(state: &AppState) -> NaiveDateTime {
    let days = i64::from(state.config.changes_retention_days);
    state.clock.now() - chrono::Duration::days(days)
}

/// Deletes changes older than the retention (`KIOSQUE_CHANGES_RETENTION_DAYS`).
pub async fn purge_expired(state: &AppState) -> AppResult<usize> {
    let cutoff = retention_cutoff(state);
    state
        .db
        .write(move |c| Ok(queries::purge_before(c, cutoff)?))
        .await
}

#[cfg(test)]
mod tests {
    use super::status_change;

    #[test]
    fn status_moves_are_named() {
        assert_eq!(status_change(None, "published"), "published");
        assert_eq!(status_change(None, "draft"), "created");
        assert_eq!(status_change(Some("draft"), "published"), "published");
        assert_eq!(status_change(Some("published"), "archived"), "unpublished");
        assert_eq!(status_change(Some("published"), "published"), "updated");
        assert_eq!(status_change(Some("draft"), "pending"), "updated");
    }
}
