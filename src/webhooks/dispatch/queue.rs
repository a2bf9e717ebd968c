//! The queue of deliveries: claiming the due ones, recording how they went.
//!
//! A claim marks a delivery as this node's until `claimed_until` (the call's
//! total timeout and a margin); on PostgreSQL rows are picked with `FOR
//! UPDATE SKIP LOCKED`, so nodes never claim the same one. A node that dies
//! mid-call leaves a claim that expires: another node sends the delivery
//! again, with the same `webhook-id`. A delivery is never claimed while an
//! earlier one of the same resource for the same endpoint is unfinished, so
//! a receiver sees a resource's changes in order.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};

use super::super::model::{DeliveryRow, WebhookRow, disabled, status};
use crate::db::AnyConnection;
use crate::db::schema::{webhook_deliveries, webhooks};

/// Due, unclaimed, first of their resource, for an enabled endpoint.
const DUE: &str = "SELECT d.id FROM webhook_deliveries d \
    WHERE d.status IN ('pending', 'failed') \
      AND d.next_attempt_at <= $1 \
      AND (d.claimed_until IS NULL OR d.claimed_until <= $1) \
      AND d.webhook_id IN (SELECT w.id FROM webhooks w WHERE w.enabled) \
      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e \
          WHERE e.webhook_id = d.webhook_id AND e.resource_key = d.resource_key \
            AND e.status IN ('pending', 'failed') AND e.id < d.id) \
    ORDER BY d.next_attempt_at, d.id \
    LIMIT $2";

#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

fn due_ids(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    limit: i64,
    lock: bool,
) -> QueryResult<Vec<i64>> {
    let rows: Vec<Due> = match conn {
        AnyConnection::Postgres(pg) => {
            let sql = if lock {
                format!("{DUE} FOR UPDATE SKIP LOCKED")
            } else {
                DUE.to_string()
            };
            diesel::sql_query(sql)
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(limit)
                .load(pg)?
        }
        // SQLite numbers its parameters `?1`; its writers take turns anyway
        AnyConnection::Sqlite(lite) => diesel::sql_query(DUE.replace('$', "?"))
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(lite)?,
    };
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Whether any delivery is due: a read, to skip the write when none is.
pub fn any_due(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<bool> {
    Ok(!due_ids(conn, now, 1, false)?.is_empty())
}

/// Inside the caller's write transaction: claims up to `limit` due
/// deliveries until `until`, counting the attempt, and returns them with
/// their endpoint.
pub fn claim(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(DeliveryRow, WebhookRow)>> {
    let ids = due_ids(conn, now, limit, true)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
        .set((
            webhook_deliveries::claimed_until.eq(Some(until)),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        ))
        .execute(conn)?;
    webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::id.eq_any(&ids))
        .order(webhook_deliveries::id.asc())
        .select((webhook_deliveries::all_columns, webhooks::all_columns))
        .load(conn)
}

/// How one attempt went.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub delivery_id: i64,
    pub webhook_id: i64,
    /// The attempt's number (as claimed): the record applies only while the
    /// claim is still this attempt's.
    pub attempt: i32,
    pub at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub latency_ms: i64,
    pub response: String,
    pub delivered: bool,
    /// The endpoint answered 410 Gone.
    pub gone: bool,
}

/// What recording a batch did, for the logs and metrics.
#[derive(Debug, Default)]
pub struct Recorded {
    pub delivered: usize,
    pub retried: usize,
    pub dead: usize,
    /// Endpoints switched off, with the reason.
    pub disabled: Vec<(i64, &'static str)>,
}

/// The rules of retrying and switching off.
pub struct Rules<'a> {
    pub schedule: &'a [Duration],
    pub disable_after: u32,
}

impl Rules<'_> {
    /// When attempt `n` (1-based) failed at `at`: the next attempt's time,
    /// or `None` when it was the last. The wait varies by ±20% (jitter), so
    /// deliveries that failed together do not all come back together.
    pub fn next_after(&self, n: i32, at: NaiveDateTime) -> Option<NaiveDateTime> {
        let wait = *self
            .schedule
            .get(usize::try_from(n).ok()?.checked_sub(1)?)?;
        let factor = 0.8 + rand::random::<f64>() * 0.4;
        let ms = (wait.as_millis() as f64 * factor) as i64;
        Some(at + chrono::Duration::milliseconds(ms))
    }
}

/// Inside the caller's write transaction: records each outcome, moves
/// failure streaks, and switches endpoints off (410 at once, or after
/// `disable_after` failures in a row). The outcomes of endpoints that only
/// succeeded in this batch are written a few hundred per statement; an
/// endpoint with a failure among them has its outcomes written one by one,
/// in delivery order, since its streak depends on that order.
pub fn record(
    conn: &mut AnyConnection,
    outcomes: &mut [Outcome],
    rules: &Rules<'_>,
) -> QueryResult<Recorded> {
    outcomes.sort_by_key(|o| (o.webhook_id, o.delivery_id));
    let mut done = Recorded::default();
    let failing: BTreeSet<i64> = outcomes
        .iter()
        .filter(|o| !o.delivered)
        .map(|o| o.webhook_id)
        .collect();
    let (smooth, rough): (Vec<&Outcome>, Vec<&Outcome>) = outcomes
        .iter()
        .partition(|o| !failing.contains(&o.webhook_id));
    let mut succeeded = BTreeSet::new();
    for chunk in smooth.chunks(ROWS_PER_UPDATE) {
        for row in mark_delivered(conn, chunk)? {
            done.delivered += 1;
            succeeded.insert(row.webhook_id);
        }
    }
    if !succeeded.is_empty() {
        diesel::update(
            webhooks::table
                .filter(webhooks::id.eq_any(&succeeded))
                .filter(webhooks::enabled.eq(true))
                .filter(webhooks::failure_streak.ne(0)),
        )
        .set(webhooks::failure_streak.eq(0))
        .execute(conn)?;
    }
    for o in rough {
        record_one(conn, o, rules, &mut done)?;
    }
    Ok(done)
}

/// Outcomes written per statement: six parameters each.
const ROWS_PER_UPDATE: usize = 200;

/// Marks deliveries delivered, each only while its claim is still this
/// attempt's, in one statement; returns the rows written.
const DELIVERED: &str = "UPDATE webhook_deliveries SET status = 'delivered', \
    next_attempt_at = NULL, claimed_until = NULL, last_attempt_at = v.at, \
    last_status_code = v.code, last_latency_ms = v.ms, last_response = v.answer \
    FROM v WHERE webhook_deliveries.id = v.id AND webhook_deliveries.attempts = v.attempt \
    RETURNING webhook_id";

#[derive(QueryableByName)]
struct Written {
    #[diesel(sql_type = BigInt)]
    webhook_id: i64,
}

/// Binds the outcomes in the order of [`delivered_sql`].
macro_rules! bind_outcomes {
    ($query:expr, $outcomes:expr) => {{
        let mut query = $query;
        for o in $outcomes {
            query = query
                .bind::<BigInt, _>(o.delivery_id)
                .bind::<Integer, _>(o.attempt)
                .bind::<Timestamp, _>(o.at)
                .bind::<Nullable<Integer>, _>(o.status_code)
                .bind::<BigInt, _>(o.latency_ms)
                .bind::<Text, _>(o.response.as_str());
        }
        query
    }};
}

/// `WITH v (…) AS (VALUES ($1, …, $6), …) UPDATE …` for `rows` outcomes.
fn delivered_sql(rows: usize) -> String {
    let mut sql = String::from("WITH v (id, attempt, at, code, ms, answer) AS (VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        let n = r * 6;
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${})",
            n + 1,
            n + 2,
            n + 3,
            n + 4,
            n + 5,
            n + 6
        ));
    }
    sql.push_str(") ");
    sql.push_str(DELIVERED);
    sql
}

fn mark_delivered(conn: &mut AnyConnection, outcomes: &[&Outcome]) -> QueryResult<Vec<Written>> {
    let sql = delivered_sql(outcomes.len());
    let outcomes = outcomes.iter().copied();
    match conn {
        AnyConnection::Postgres(pg) => bind_outcomes!(
            diesel::sql_query(sql).into_boxed::<diesel::pg::Pg>(),
            outcomes
        )
        .load(pg),
        AnyConnection::Sqlite(lite) => bind_outcomes!(
            diesel::sql_query(sql.replace('$', "?")).into_boxed::<diesel::sqlite::Sqlite>(),
            outcomes
        )
        .load(lite),
    }
}

/// Records one outcome and moves its endpoint's streak.
fn record_one(
    conn: &mut AnyConnection,
    o: &Outcome,
    rules: &Rules<'_>,
    done: &mut Recorded,
) -> QueryResult<()> {
    let (state, next) = if o.delivered {
        (status::DELIVERED, None)
    } else {
        match rules.next_after(o.attempt, o.at) {
            Some(t) => (status::FAILED, Some(t)),
            None => (status::DEAD, None),
        }
    };
    let mine = webhook_deliveries::table
        .find(o.delivery_id)
        .filter(webhook_deliveries::attempts.eq(o.attempt));
    let written = diesel::update(mine)
        .set((
            webhook_deliveries::status.eq(state),
            webhook_deliveries::next_attempt_at.eq(next),
            webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::last_attempt_at.eq(Some(o.at)),
            webhook_deliveries::last_status_code.eq(o.status_code),
            webhook_deliveries::last_latency_ms.eq(Some(o.latency_ms)),
            webhook_deliveries::last_response.eq(Some(o.response.as_str())),
        ))
        .execute(conn)?;
    if written == 0 {
        // another node took the delivery over after this claim expired
        return Ok(());
    }
    match state {
        status::DELIVERED => done.delivered += 1,
        status::FAILED => done.retried += 1,
        _ => done.dead += 1,
    }
    let hook = webhooks::table
        .find(o.webhook_id)
        .filter(webhooks::enabled.eq(true));
    if o.delivered {
        diesel::update(hook.filter(webhooks::failure_streak.ne(0)))
            .set(webhooks::failure_streak.eq(0))
            .execute(conn)?;
        return Ok(());
    }
    let streak: Option<i32> = diesel::update(hook)
        .set(webhooks::failure_streak.eq(webhooks::failure_streak + 1))
        .returning(webhooks::failure_streak)
        .get_result(conn)
        .optional()?;
    let Some(streak) = streak else { return Ok(()) };
    let reason = if o.gone {
        disabled::GONE
    } else if streak as u32 >= rules.disable_after {
        disabled::FAILING
    } else {
        return Ok(());
    };
    diesel::update(hook)
        .set((
            webhooks::enabled.eq(false),
            webhooks::disabled_reason.eq(Some(reason)),
            webhooks::disabled_at.eq(Some(o.at)),
            webhooks::updated_at.eq(o.at),
        ))
        .execute(conn)?;
    done.disabled.push((o.webhook_id, reason));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_numbers_every_outcome_s_parameters() {
        let sql = delivered_sql(2);
        assert!(
            sql.starts_with("WITH v (id, attempt, at, code, ms, answer) AS (VALUES ($1, $2, $3, $4, $5, $6), ($7, $8, $9, $10, $11, $12)) UPDATE"),
            "{sql}"
        );
    }

    #[test]
    fn retries_follow_the_schedule_with_jitter() {
        let schedule = [Duration::from_secs(10), Duration::from_secs(60)];
        let rules = Rules {
            schedule: &schedule,
            disable_after: 5,
        };
        let at = chrono::DateTime::UNIX_EPOCH.naive_utc();
        for _ in 0..50 {
            let first = (rules.next_after(1, at).unwrap() - at).num_milliseconds();
            assert!((8_000..=12_000).contains(&first), "{first}");
            let second = (rules.next_after(2, at).unwrap() - at).num_milliseconds();
            assert!((48_000..=72_000).contains(&second), "{second}");
        }
        assert_eq!(rules.next_after(3, at), None, "then it is dead");
        assert_eq!(rules.next_after(0, at), None);
    }
}
