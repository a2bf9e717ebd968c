//! What every handler can reach: settings, the database pool, metrics, the
//! clock, the signing keys and the rate limiters.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::auth::AuthState;
use crate::config::Config;
use crate::db::Db;
use crate::http::fallback::RouteTable;
use crate::http::metrics::Metrics;

pub struct AppState {
    pub config: Config,
    pub db: Db,
    pub metrics: Metrics,
    pub routes: RouteTable,
    /// The OpenAPI document, serialised once.
    pub openapi_json: Arc<String>,
    pub clock: Clock,
    pub auth: AuthState,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        let db = Db::new(
            &config.database,
            config.db_pool_size,
            config.db_connect_timeout,
        );
        let doc = crate::routes::openapi();
        let routes = RouteTable::from_openapi(&doc);
        let openapi_json = Arc::new(
            doc.to_pretty_json()
                .expect("the OpenAPI document serialises"),
        );
        let auth = AuthState::new(&config);
        Self {
            config,
            db,
            metrics: Metrics::new(),
            routes,
            openapi_json,
            clock: Clock::default(),
            auth,
        }
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
        t.with_nanosecond_micros()
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.offset_secs
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}

trait MicrosPrecision {
    fn with_nanosecond_micros(self) -> Self;
}

impl MicrosPrecision for NaiveDateTime {
    // PostgreSQL keeps microseconds; truncating here makes a value read back
    // equal to the value written, on both backends.
    fn with_nanosecond_micros(self) -> Self {
        use chrono::Timelike;
        let micros = self.nanosecond() / 1_000;
        self.with_nanosecond(micros * 1_000).unwrap_or(self)
    }
}

/// A stored time as it goes on the wire.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}
