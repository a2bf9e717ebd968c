use chrono::NaiveDateTime;
use diesel::dsl::min;
use diesel::prelude::*;

use super::model::{ChangeRow, NewChange};
use crate::db::schema::changes;
use crate::db::{AnyConnection, MultiBackend};

/// The key of the PostgreSQL advisory lock recorders take in turn.
const RECORDERS_LOCK: i64 = 0x6b69_6f73_6368_6731;

/// On PostgreSQL, waits for the other recorders' transactions to end (the
/// lock is released at commit or rollback). SQLite writers already take turns.
pub fn take_turn(conn: &mut AnyConnection) -> QueryResult<()> {
    if let AnyConnection::Postgres(c) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({RECORDERS_LOCK})")).execute(c)?;
    }
    Ok(())
}

pub fn insert(conn: &mut AnyConnection, new: &NewChange) -> QueryResult<usize> {
    diesel::insert_into(changes::table)
        .values(new)
        .execute(conn)
}

/// Which types to return: exact names, or prefixes (`article.` from `article.*`).
#[derive(Debug, Clone, Default)]
pub struct TypeFilter {
    pub exact: Vec<String>,
    pub prefixes: Vec<String>,
}

impl TypeFilter {
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.prefixes.is_empty()
    }
}

/// Up to `limit` changes after `after`, in order.
pub fn after(
    conn: &mut AnyConnection,
    after: i64,
    types: &TypeFilter,
    limit: i64,
) -> QueryResult<Vec<ChangeRow>> {
    let mut q = changes::table
        .into_boxed::<MultiBackend>()
        .filter(changes::seq.gt(after));
    if !types.is_empty() {
        let mut cond: Box<
            dyn BoxableExpression<changes::table, MultiBackend, SqlType = diesel::sql_types::Bool>,
        > = Box::new(changes::kind.eq_any(types.exact.clone()));
        for p in &types.prefixes {
            cond = Box::new(cond.or(changes::kind.like(format!("{p}%"))));
        }
        q = q.filter(cond);
    }
    q.order(changes::seq.asc()).limit(limit).load(conn)
}

/// The number of the oldest change kept, if any.
pub fn oldest(conn: &mut AnyConnection) -> QueryResult<Option<i64>> {
    changes::table.select(min(changes::seq)).first(conn)
}

pub fn purge_before(conn: &mut AnyConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(changes::table.filter(changes::occurred_at.lt(cutoff))).execute(conn)
}
