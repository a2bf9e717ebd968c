//! From the change log to deliveries, exactly once per endpoint: each
//! endpoint keeps the number of the last change it was given (`last_seq`),
//! advanced in the transaction that inserts its deliveries. On PostgreSQL the
//! endpoint's row is locked (`FOR NO KEY UPDATE SKIP LOCKED`), so two nodes
//! never fan out the same changes; changes commit in the order of their
//! numbers (see `changes::record`), so none appears behind a cursor.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use super::super::model::{NewDelivery, WebhookRow, status};
use super::super::{payload, queries, types};
use crate::changes::queries::{TypeFilter, after};
use crate::db::AnyConnection;
use crate::db::schema::webhooks;

/// Changes read per endpoint and transaction.
pub const BATCH: i64 = 500;

/// Enabled endpoints that have not been given the newest change yet.
pub fn behind(conn: &mut AnyConnection) -> QueryResult<Vec<i64>> {
    let end = queries::log_end(conn)?;
    webhooks::table
        .filter(webhooks::enabled.eq(true))
        .filter(webhooks::last_seq.lt(end))
        .select(webhooks::id)
        .order(webhooks::id.asc())
        .load(conn)
}

/// What one round of fan-out did for one endpoint.
#[derive(Debug, Default, Clone, Copy)]
pub struct Fanned {
    pub deliveries: usize,
    /// More changes wait beyond the batch.
    pub more: bool,
}

/// Inside the caller's write transaction: gives endpoint `id` the next
/// changes of the log that match its types. Nothing when another node holds
/// the endpoint, or it was disabled meanwhile.
pub fn fan_out(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<Fanned> {
    let hook: Option<WebhookRow> = match conn {
        AnyConnection::Postgres(pg) => webhooks::table
            .find(id)
            .for_no_key_update()
            .skip_locked()
            .first(pg)
            .optional()?,
        AnyConnection::Sqlite(_) => webhooks::table.find(id).first(conn).optional()?,
    };
    let Some(hook) = hook.filter(|h| h.enabled) else {
        return Ok(Fanned::default());
    };
    let changes = after(conn, hook.last_seq, &TypeFilter::default(), BATCH)?;
    let Some(last) = changes.last().map(|c| c.seq) else {
        return Ok(Fanned::default());
    };
    let more = changes.len() as i64 == BATCH;
    let patterns = hook.patterns();
    let new: Vec<NewDelivery> = changes
        .into_iter()
        .filter(|c| types::matches(&patterns, &c.kind))
        .map(|c| NewDelivery {
            webhook_id: id,
            seq: Some(c.seq),
            event_type: c.kind.clone(),
            resource_key: payload::resource_key(&c),
            message_id: payload::message_id(c.seq, id),
            payload: payload::of_change(c),
            status: status::PENDING.into(),
            next_attempt_at: Some(now),
            created_at: now,
        })
        .collect();
    insert_all(conn, &new)?;
    diesel::update(webhooks::table.find(id))
        .set(webhooks::last_seq.eq(last))
        .execute(conn)?;
    Ok(Fanned {
        deliveries: new.len(),
        more,
    })
}

/// Rows per INSERT statement: nine parameters each, well within both
/// backends' bounds on a statement's parameters.
const ROWS_PER_INSERT: usize = 200;

/// Binds the rows of a multi-row INSERT, in the order of [`insert_sql`].
macro_rules! bind_rows {
    ($query:expr, $rows:expr) => {{
        let mut query = $query;
        for d in $rows {
            query = query
                .bind::<BigInt, _>(d.webhook_id)
                .bind::<Nullable<BigInt>, _>(d.seq)
                .bind::<Text, _>(&d.event_type)
                .bind::<Text, _>(&d.resource_key)
                .bind::<Text, _>(&d.message_id)
                .bind::<Text, _>(&d.payload)
                .bind::<Text, _>(&d.status)
                .bind::<Nullable<Timestamp>, _>(d.next_attempt_at)
                .bind::<Timestamp, _>(d.created_at);
        }
        query
    }};
}

/// `INSERT … VALUES ($1, …, $9), ($10, …)` for `rows` rows.
fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO webhook_deliveries (webhook_id, seq, event_type, resource_key, \
         message_id, payload, status, next_attempt_at, created_at) VALUES ",
    );
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        let n = r * 9;
        sql.push('(');
        for c in 1..=9 {
            if c > 1 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", n + c));
        }
        sql.push(')');
    }
    sql
}

/// Inserts the deliveries a few hundred rows per statement.
fn insert_all(conn: &mut AnyConnection, rows: &[NewDelivery]) -> QueryResult<()> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = insert_sql(chunk.len());
        match conn {
            AnyConnection::Postgres(pg) => {
                bind_rows!(diesel::sql_query(sql).into_boxed::<diesel::pg::Pg>(), chunk)
                    .execute(pg)?
            }
            // SQLite numbers its parameters `?1`
            AnyConnection::Sqlite(lite) => bind_rows!(
                diesel::sql_query(sql.replace('$', "?")).into_boxed::<diesel::sqlite::Sqlite>(),
                chunk
            )
            .execute(lite)?,
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_insert_numbers_every_row_s_parameters() {
        let sql = super::insert_sql(2);
        assert!(sql.ends_with("VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9), ($10, $11, $12, $13, $14, $15, $16, $17, $18)"), "{sql}");
    }
}
