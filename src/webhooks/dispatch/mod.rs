//! The delivery worker, one per node: it fans changes out to deliveries,
//! claims the due ones, sends them (a bounded number at once) and records
//! how they went. Claims make it safe on every node at once.
//!
//! Each round is one write transaction at most: the outcomes of finished
//! sends recorded, new changes fanned out, due deliveries claimed.
//!
//! It wakes when this process commits a write (`Db::commits`, which a
//! cross-node listener may also signal), when a send finishes, and every
//! half second regardless, for retries that fall due and other nodes'
//! changes; after a wake-up it waits a few milliseconds, to gather what
//! else comes. Its queries run on a small pool of their own, so deliveries
//! never take a request's connection.

pub mod fanout;
pub mod queue;
pub mod send;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::web;
use futures_util::future::select;

use crate::db::Db;
use crate::error::AppResult;
use crate::state::AppState;
use queue::{Outcome, Rules};

/// The longest a worker sleeps without looking at the queue.
const POLL: Duration = Duration::from_millis(500);
/// After a wake-up, the worker waits this long for more changes and
/// finished sends, so that one transaction handles them together.
const GATHER: Duration = Duration::from_millis(3);
/// A claim outlives the call's total timeout by this much.
const CLAIM_MARGIN: Duration = Duration::from_secs(5);
/// Connections of the worker's own pool.
const POOL_SIZE: u32 = 2;
/// A failing database is reported at most this often.
const QUIET: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Shared {
    /// Outcomes of finished sends, waiting to be recorded.
    done: Mutex<Vec<Outcome>>,
    in_flight: AtomicUsize,
    /// Signalled when a send finishes.
    kick: tokio::sync::Notify,
}

struct Worker {
    state: web::Data<AppState>,
    db: Db,
    shared: Arc<Shared>,
    meters: Meters,
}

/// Starts this node's worker on the current (actix) runtime, unless
/// `KIOSQUE_WEBHOOK_CONCURRENCY` is 0.
pub fn start(state: web::Data<AppState>) {
    if state.config.webhooks.concurrency == 0 {
        return;
    }
    let worker = Worker {
        db: state.db.companion(&state.config.database, POOL_SIZE),
        meters: Meters::new(&state.metrics),
        state,
        shared: Arc::default(),
    };
    actix_web::rt::spawn(worker.run());
}

impl Worker {
    async fn run(self) {
        let mut reported: Option<Instant> = None;
        loop {
            // armed before looking, so that a commit in between still wakes us
            let commits = self.state.db.commits().notified();
            let mut commits = std::pin::pin!(commits);
            commits.as_mut().enable();
            match self.round().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => {
                    if reported.is_none_or(|t| t.elapsed() >= QUIET) {
                        tracing::warn!(error = %e, "webhook deliveries wait for the database");
                        reported = Some(Instant::now());
                    }
                }
            }
            let kicked = std::pin::pin!(self.shared.kick.notified());
            let sleep = std::pin::pin!(actix_web::rt::time::sleep(POLL));
            let _ = select(commits, select(kicked, sleep)).await;
            // a burst of commits or of finished sends is handled in one round
            actix_web::rt::time::sleep(GATHER).await;
        }
    }

    /// One pass: record, fan out and claim, all in one write transaction,
    /// then send. When no send finished, a read comes first, so that the
    /// write (SQLite's single write lock) is taken only when there is work.
    /// True when work is left that should not wait for a wake-up.
    ///
    /// If the transaction fails the outcomes are lost, and the claims
    /// expire: the deliveries go out again, with the same `webhook-id`.
    async fn round(&self) -> AppResult<bool> {
        let mut done =
            std::mem::take(&mut *self.shared.done.lock().unwrap_or_else(|p| p.into_inner()));
        for o in &done {
            self.meters.seconds.observe(o.latency_ms as f64 / 1_000.0);
        }
        let now = self.state.clock.now();
        let settings = &self.state.config;
        let in_flight = self.shared.in_flight.load(Ordering::Acquire);
        let free = settings.webhooks.concurrency.saturating_sub(in_flight) as i64;
        if done.is_empty() {
            let idle = self
                .db
                .run(move |c| {
                    Ok(fanout::behind(c)?.is_empty() && (free == 0 || !queue::any_due(c, now)?))
                })
                .await?;
            if idle {
                return Ok(false);
            }
        }
        let hold = settings.outbound.timeout + CLAIM_MARGIN;
        let until = now + chrono::Duration::from_std(hold).unwrap_or(chrono::Duration::MAX);
        let w = &settings.webhooks;
        let (schedule, disable_after) = (w.retry_schedule.clone(), w.disable_after);
        let (recorded, more, claimed) = self
            .db
            .write(move |c| {
                let rules = Rules {
                    schedule: &schedule,
                    disable_after,
                };
                let recorded = queue::record(c, &mut done, &rules)?;
                let mut more = false;
                for id in fanout::behind(c)? {
                    more |= fanout::fan_out(c, id, now)?.more;
                }
                let claimed = if free > 0 {
                    queue::claim(c, now, until, free)?
                } else {
                    Vec::new()
                };
                Ok((recorded, more, claimed))
            })
            .await?;
        self.count(recorded);
        for (delivery, hook) in claimed {
            self.shared.in_flight.fetch_add(1, Ordering::AcqRel);
            let (state, shared) = (self.state.clone(), self.shared.clone());
            actix_web::rt::spawn(async move {
                let outcome = send::attempt(&state.outbound, &state.clock, delivery, hook).await;
                shared
                    .done
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(outcome);
                shared.in_flight.fetch_sub(1, Ordering::AcqRel);
                shared.kick.notify_one();
            });
        }
        Ok(more)
    }

    /// The metrics and logs of recorded outcomes.
    fn count(&self, recorded: queue::Recorded) {
        for (outcome, n) in [
            ("delivered", recorded.delivered),
            ("retry", recorded.retried),
            ("dead", recorded.dead),
        ] {
            self.meters
                .outcomes
                .with_label_values(&[outcome])
                .inc_by(n as u64);
        }
        for (id, reason) in recorded.disabled {
            tracing::warn!(webhook = id, reason, "a webhook endpoint was disabled");
        }
    }
}

/// The worker's metrics.
struct Meters {
    outcomes: prometheus::IntCounterVec,
    seconds: prometheus::Histogram,
}

impl Meters {
    fn new(metrics: &crate::metrics::Metrics) -> Self {
        let outcomes = prometheus::IntCounterVec::new(
            prometheus::Opts::new(
                "webhook_attempts_total",
                "Webhook delivery attempts by outcome (delivered, retry, dead)",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let seconds = prometheus::Histogram::with_opts(
            prometheus::HistogramOpts::new(
                "webhook_attempt_seconds",
                "Time a webhook endpoint took to answer a delivery",
            )
            .buckets(vec![0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]),
        )
        .expect("valid metric");
        metrics.register(Box::new(outcomes.clone()));
        metrics.register(Box::new(seconds.clone()));
        Self { outcomes, seconds }
    }
}
