//! Prometheus metrics: requests by route and status, latency by route, and the
//! database pool, rendered in the text exposition format.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    queries: prometheus::IntCounter,
    log_dropped: prometheus::IntCounter,
    scheduler_leader: prometheus::IntGauge,
    replica_up: IntGaugeVec,
    replica_lag: prometheus::GaugeVec,
    reads: IntCounterVec,
}

/// A read replica as `/metrics` shows it.
pub struct ReplicaSample<'a> {
    pub name: &'a str,
    pub up: bool,
    /// `None` while it does not answer.
    pub lag_seconds: Option<f64>,
    pub reads: u64,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("kiosque".into()), None)
            .expect("a static metrics prefix is valid");
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer an HTTP request, by route",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route"],
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        )
        .expect("valid metric");
        let queries = prometheus::IntCounter::new("db_queries_total", "SQL statements run")
            .expect("valid metric");
        let log_dropped = prometheus::IntCounter::new(
            "log_lines_dropped_total",
            "Log lines lost because the log sink refused them (closed pipe, full disk)",
        )
        .expect("valid metric");
        let scheduler_leader = prometheus::IntGauge::new(
            "scheduler_leader",
            "Whether this node holds the scheduler's lease and runs timed work (1) or not (0)",
        )
        .expect("valid metric");
        let replica_up = IntGaugeVec::new(
            Opts::new(
                "db_replica_up",
                "Whether a read replica takes reads (1) or is out: failing or lagging (0)",
            ),
            &["replica"],
        )
        .expect("valid metric");
        let replica_lag = prometheus::GaugeVec::new(
            Opts::new(
                "db_replica_lag_seconds",
                "How long the oldest write a replica has not replayed has waited (-1: not answering)",
            ),
            &["replica"],
        )
        .expect("valid metric");
        let reads = IntCounterVec::new(
            Opts::new(
                "db_replica_reads_total",
                "Reads served by each replica, and by the primary while replicas are configured",
            ),
            &["target"],
        )
        .expect("valid metric");
        for m in [
            Box::new(scheduler_leader.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(replica_up.clone()),
            Box::new(replica_lag.clone()),
            Box::new(reads.clone()),
            Box::new(queries.clone()),
            Box::new(log_dropped.clone()),
            Box::new(requests.clone()),
            Box::new(latency.clone()),
            Box::new(pool.clone()),
        ] {
            registry.register(m).expect("metrics are registered once");
        }
        Self {
            registry,
            requests,
            latency,
            pool,
            queries,
            log_dropped,
            scheduler_leader,
            replica_up,
            replica_lag,
            reads,
        }
    }

    /// The read replicas' state, and the reads the primary served beside them.
    pub fn set_replicas(&self, replicas: &[ReplicaSample<'_>], primary_reads: u64) {
        if replicas.is_empty() {
            return;
        }
        for r in replicas {
            self.replica_up
                .with_label_values(&[r.name])
                .set(i64::from(r.up));
            self.replica_lag
                .with_label_values(&[r.name])
                .set(r.lag_seconds.unwrap_or(-1.0));
            let served = self.reads.with_label_values(&[r.name]);
            served.inc_by(r.reads.saturating_sub(served.get()));
        }
        let primary = self.reads.with_label_values(&["primary"]);
        primary.inc_by(primary_reads.saturating_sub(primary.get()));
    }

    /// Whether this node holds the scheduler's lease.
    pub fn set_scheduler_leader(&self, leading: bool) {
        self.scheduler_leader.set(i64::from(leading));
    }

    /// Adds another part's metrics (webhook deliveries…) to the registry;
    /// a second registration of the same names is ignored.
    pub fn register(&self, collector: Box<dyn prometheus::core::Collector>) {
        let _ = self.registry.register(collector);
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    pub fn render(&self, pool_in_use: u32, pool_idle: u32, queries: u64) -> String {
        self.queries
            .inc_by(queries.saturating_sub(self.queries.get()));
        self.pool
            .with_label_values(&["in_use"])
            .set(pool_in_use as i64);
        self.pool.with_label_values(&["idle"]).set(pool_idle as i64);
        let dropped = crate::logging::dropped_lines();
        self.log_dropped
            .inc_by(dropped.saturating_sub(self.log_dropped.get()));
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
