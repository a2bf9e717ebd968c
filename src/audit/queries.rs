use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{AuditRow, NewAuditEntry};
use crate::db::schema::audit_log;
use crate::db::{AnyConnection, MultiBackend};
use crate::http::PageRequest;

pub fn insert(conn: &mut AnyConnection, new: &NewAuditEntry) -> QueryResult<usize> {
    diesel::insert_into(audit_log::table)
        .values(new)
        .execute(conn)
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilters {
    pub actions: Vec<String>,
    pub actor_type: Option<String>,
    pub actor_id: Option<i64>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub since: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

fn filtered(f: &AuditFilters) -> audit_log::BoxedQuery<'static, MultiBackend> {
    let mut q = audit_log::table.into_boxed::<MultiBackend>();
    if !f.actions.is_empty() {
        q = q.filter(audit_log::action.eq_any(f.actions.clone()));
    }
    if let Some(t) = &f.actor_type {
        q = q.filter(audit_log::actor_type.eq(t.clone()));
    }
    if let Some(id) = f.actor_id {
        q = q.filter(audit_log::actor_id.eq(id));
    }
    if let Some(t) = &f.target_type {
        q = q.filter(audit_log::target_type.eq(t.clone()));
    }
    if let Some(id) = &f.target_id {
        q = q.filter(audit_log::target_id.eq(id.clone()));
    }
    if let Some(t) = f.since {
        q = q.filter(audit_log::occurred_at.ge(t));
    }
    if let Some(t) = f.until {
        q = q.filter(audit_log::occurred_at.lt(t));
    }
    q
}

/// A page of entries, newest first unless `sort=occurred_at`.
pub fn list(
    conn: &mut AnyConnection,
    f: &AuditFilters,
    paged: &PageRequest,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    let total = filtered(f).count().get_result(conn)?;
    let oldest_first = paged.sort.first().is_some_and(|s| !s.descending);
    let q = if oldest_first {
        filtered(f).order((audit_log::occurred_at.asc(), audit_log::id.asc()))
    } else {
        filtered(f).order((audit_log::occurred_at.desc(), audit_log::id.desc()))
    };
    let rows = q.limit(paged.fetch()).offset(paged.offset).load(conn)?;
    Ok((rows, total))
}

pub fn purge_before(conn: &mut AnyConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(audit_log::table.filter(audit_log::occurred_at.lt(cutoff))).execute(conn)
}
