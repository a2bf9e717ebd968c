//! What every handler can reach: settings, the database pool, metrics, the
//! clock, the signing keys and the rate limiters.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::auth::AuthState;
use crate::config::Config;
use crate::db::Db;
use crate::metrics::Metrics;

pub struct AppState {
    pub config: Config,
    pub db: Db,
    pub metrics: Metrics,
    pub clock: Clock,
    pub auth: AuthState,
    /// Bounds the full-text searches running at once.
    pub search: crate::gate::SearchGate,
    /// The one HTTP client for calls out (webhooks).
    pub outbound: crate::outbound::Outbound,
    /// Where media files live.
    pub blobs: std::sync::Arc<dyn crate::storage::BlobStore>,
    /// Image work, off the async workers.
    pub images: crate::imaging::Workshop,
    /// Built feeds and sitemaps, served until the content may have changed.
    pub documents: crate::cache::Documents,
    /// Answers to anonymous public reads, dropped by the keys writes touch.
    pub responses: std::sync::Arc<crate::cache::Responses>,
    /// Lists' totals, counted again only after a write or a timed change.
    pub totals: crate::db::totals::Totals,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        let db = Db::new(
            &config.database,
            config.db_pool_size,
            config.db_connect_timeout,
        )
        .with_replicas(
            &config.replicas,
            config.db_pool_size,
            config.replica_max_lag,
            config.replica_check,
        );
        let auth = AuthState::new(&config);
        let search = crate::gate::SearchGate::new(config.search_concurrency, config.search_wait);
        let outbound = crate::outbound::Outbound::new(&config.outbound);
        let blobs = crate::storage::open(&config.media.storage, &config.media.dir)
            .unwrap_or_else(|e| panic!("{e}"));
        let images = crate::imaging::Workshop::new(config.media.workers, config.media.queue);
        let responses = std::sync::Arc::new(crate::cache::Responses::new(
            config.cache_bytes,
            config.cache_ttl,
        ));
        // writes of this node (after commit) and other nodes' changes (as
        // the listener hears them) drop what they touched
        let dropping = responses.clone();
        db.on_touched(std::sync::Arc::new(
            move |touched: crate::db::Touched<'_>| match touched {
                crate::db::Touched::Keys(keys) => dropping.drop_keys(keys),
                crate::db::Touched::All => dropping.drop_all(),
            },
        ));
        crate::imaging::set_presets(crate::imaging::Preset::from_settings(&config.media));
        Self {
            config,
            db,
            metrics: Metrics::new(),
            clock: Clock::default(),
            auth,
            search,
            outbound,
            blobs,
            images,
            documents: crate::cache::Documents::new(),
            responses,
            totals: Default::default(),
        }
    }
}

impl AppState {
    /// Counts one `bucket` action for `key`: `per_hour` sustained, `burst` at
    /// once; beyond, 429 with `Retry-After`. Counted in this process or in the
    /// database, shared by every process, as `KIOSQUE_RATE_LIMIT_STORE` says.
    pub async fn limit(
        &self,
        bucket: &'static str,
        key: String,
        per_hour: u32,
        burst: u32,
    ) -> crate::error::AppResult<()> {
        match self.config.rate_store {
            crate::config::RateStore::Memory => self.auth.rate.check(bucket, &key, per_hour, burst),
            crate::config::RateStore::Database => {
                let period_us = (3_600_000_000f64 / per_hour.max(1) as f64) as i64;
                let now_us = self.clock.now_utc().timestamp_micros();
                self.db
                    .note(move |c| {
                        crate::auth::limits::take_shared(c, bucket, &key, period_us, burst, now_us)
                    })
                    .await
            }
        }
    }

    /// The sign-in limits (login, register, refresh, password), per address or account.
    pub async fn limit_auth(
        &self,
        bucket: &'static str,
        key: String,
    ) -> crate::error::AppResult<()> {
        let per_hour = self.config.rate_auth_per_minute.saturating_mul(60);
        self.limit(bucket, key, per_hour, self.config.rate_auth_burst)
            .await
    }
}

/// The time as the application sees it. Tests move it forward to reach an
/// expiry or a scheduled publication without waiting.
#[derive(Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    pub fn now_utc(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Now, as stored in the database (UTC, microsecond precision).
    pub fn now(&self) -> NaiveDateTime {
        let t = self.now_utc().naive_utc();
        micros(t)
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.offset_secs
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}

/// `t` at the precision PostgreSQL keeps (microseconds): a value read back
/// equals the value written, on both backends.
fn micros(t: NaiveDateTime) -> NaiveDateTime {
    use chrono::SubsecRound;
    t.trunc_subsecs(6)
}

/// A stored time as it goes on the wire.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

/// The wall-clock time at the precision both databases keep (microseconds),
/// for writes made outside a request (the command line).
pub fn now_micros() -> NaiveDateTime {
    micros(Utc::now().naive_utc())
}

/// A time a client sent, at the precision both databases keep
/// (microseconds): SQLite would keep nanoseconds that PostgreSQL rounds, and
/// the same request would read back differently on the two.
pub fn stored(t: DateTime<Utc>) -> NaiveDateTime {
    micros(t.naive_utc())
}
