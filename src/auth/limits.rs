//! Rate limits, keyed by client address or account. One limiter is built per
//! process and shared by all workers.

use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

pub struct Limiter {
    inner: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl Limiter {
    /// `per_minute` sustained, with bursts of `burst`.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        Self::new_per_period(
            Duration::from_secs_f64(60.0 / per_minute.max(1) as f64),
            burst,
        )
    }

    /// One more action allowed every `period`, with bursts of `burst`.
    pub fn new_per_period(period: Duration, burst: u32) -> Self {
        let quota = Quota::with_period(period)
            .expect("a positive period")
            .allow_burst(NonZeroU32::new(burst.max(1)).expect("burst is at least 1"));
        Self {
            inner: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one request for `key`; 429 with `Retry-After` when over the limit.
    pub fn check(&self, key: &str) -> Result<(), AppError> {
        match self.inner.check_key(&key.to_string()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Err(AppError::too_many_requests(wait.as_secs_f64().ceil() as u64))
            }
        }
    }

    /// Drops state for keys that are back to a full allowance.
    pub fn prune(&self) {
        self.inner.retain_recent();
    }
}

/// The client's address: the peer address, or the address a trusted proxy
/// reports when `KIOSQUE_TRUST_PROXY` is on.
pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy && let Some(ip) = forwarded_for(req) {
        return ip;
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Behind one proxy of ours, the address that proxy saw: the *last* entry of
/// `X-Forwarded-For`. Earlier entries come from the client, who can write
/// anything there; only the one our proxy appended can be believed.
fn forwarded_for(req: &HttpRequest) -> Option<String> {
    let mut last = None;
    for value in req.headers().get_all("x-forwarded-for") {
        let value = value.to_str().ok()?;
        if let Some(entry) = value.rsplit(',').map(str::trim).find(|e| !e.is_empty()) {
            last = Some(entry.to_string());
        }
    }
    last
}

/// Rate limits for other actions (posting comments, submissions, votes), one
/// limiter per named bucket, created on first use with the quota given.
#[derive(Default)]
pub struct RateLimits {
    buckets: std::sync::Mutex<std::collections::HashMap<&'static str, std::sync::Arc<Limiter>>>,
}

impl RateLimits {
    /// Counts one action in `bucket` for `key`; `per_hour` sustained, `burst` at once.
    pub fn check(
        &self,
        bucket: &'static str,
        key: &str,
        per_hour: u32,
        burst: u32,
    ) -> Result<(), AppError> {
        let limiter = {
            let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
            buckets
                .entry(bucket)
                .or_insert_with(|| {
                    std::sync::Arc::new(Limiter::new_per_period(
                        Duration::from_secs_f64(3600.0 / per_hour.max(1) as f64),
                        burst,
                    ))
                })
                .clone()
        };
        limiter.check(key)
    }

    pub fn prune(&self) {
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        for limiter in buckets.values() {
            limiter.prune();
        }
    }
}

#[derive(diesel::QueryableByName)]
struct Tat {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    tat: i64,
}

/// Counts one action against a limit kept in the database, so that every
/// Kiosque process on it shares the count (GCRA: one "theoretical arrival
/// time" per bucket and key, moved by one atomic upsert that only succeeds
/// within the burst). Times are microseconds since the Unix epoch.
pub fn take_shared(
    conn: &mut crate::db::AnyConnection,
    bucket: &str,
    key: &str,
    period_us: i64,
    burst: u32,
    now_us: i64,
) -> Result<(), AppError> {
    take_shared_tat(conn, bucket, key, period_us, burst, now_us).map(|_| ())
}

/// [`take_shared`], answering the new theoretical arrival time when allowed
/// (`now + period` exactly when the key had no recent actions).
pub fn take_shared_tat(
    conn: &mut crate::db::AnyConnection,
    bucket: &str,
    key: &str,
    period_us: i64,
    burst: u32,
    now_us: i64,
) -> Result<i64, AppError> {
    use crate::db::AnyConnection;
    use diesel::sql_types::{BigInt, Text};
    use diesel::{OptionalExtension, RunQueryDsl};
    let tolerance = period_us.saturating_mul(burst.max(1) as i64);
    let taken: Option<Tat> = match conn {
        AnyConnection::Postgres(c) => diesel::sql_query(
            "INSERT INTO rate_limits (bucket, key, tat) VALUES ($1, $2, $3 + $4)
             ON CONFLICT (bucket, key) DO UPDATE SET tat = GREATEST(rate_limits.tat, $3) + $4
             WHERE GREATEST(rate_limits.tat, $3) + $4 <= $3 + $5
             RETURNING tat",
        )
        .bind::<Text, _>(bucket)
        .bind::<Text, _>(key)
        .bind::<BigInt, _>(now_us)
        .bind::<BigInt, _>(period_us)
        .bind::<BigInt, _>(tolerance)
        .get_result(c)
        .optional()?,
        AnyConnection::Sqlite(c) => diesel::sql_query(
            "INSERT INTO rate_limits (bucket, key, tat) VALUES (?1, ?2, ?3 + ?4)
             ON CONFLICT (bucket, key) DO UPDATE SET tat = max(rate_limits.tat, ?3) + ?4
             WHERE max(rate_limits.tat, ?3) + ?4 <= ?3 + ?5
             RETURNING tat",
        )
        .bind::<Text, _>(bucket)
        .bind::<Text, _>(key)
        .bind::<BigInt, _>(now_us)
        .bind::<BigInt, _>(period_us)
        .bind::<BigInt, _>(tolerance)
        .get_result(c)
        .optional()?,
    };
    if let Some(Tat { tat }) = taken {
        debug_assert!(tat <= now_us + tolerance);
        return Ok(tat);
    }
    use crate::db::schema::rate_limits::dsl as rl;
    use diesel::{ExpressionMethods, QueryDsl};
    let tat: i64 = rl::rate_limits
        .filter(rl::bucket.eq(bucket))
        .filter(rl::key.eq(key))
        .select(rl::tat)
        .first(conn)?;
    let wait_us = (tat + period_us - (now_us + tolerance)).max(0);
    Err(AppError::too_many_requests(
        (wait_us as f64 / 1e6).ceil() as u64
    ))
}

/// Forgets shared limits whose allowance is full again.
pub fn prune_shared(
    conn: &mut crate::db::AnyConnection,
    now_us: i64,
) -> diesel::QueryResult<usize> {
    use crate::db::schema::rate_limits::dsl as rl;
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    diesel::delete(rl::rate_limits.filter(rl::tat.lt(now_us))).execute(conn)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_address_our_proxy_added_counts() {
        let req = actix_web::test::TestRequest::default()
            .insert_header(("x-forwarded-for", "6.6.6.6, 203.0.113.9"))
            .peer_addr("10.0.0.1:4000".parse().unwrap())
            .to_http_request();
        assert_eq!(super::client_ip(&req, true), "203.0.113.9");
        assert_eq!(super::client_ip(&req, false), "10.0.0.1");
    }
}
