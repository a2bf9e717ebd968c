//! PostgreSQL streaming replicas that take reads off the primary.
//!
//! Consistency rule: a read goes to a replica only when that replica has
//! replayed every write this node knows of — its own commits (their WAL
//! position is read right after commit) and those other nodes announced
//! (`NOTIFY`, heard through [`crate::db::Db::wake`]; the primary's position is
//! read as soon as one is heard, and until then every read goes to the
//! primary). So a reader never sees, on any node, something older than a
//! write that node has already told anyone about (its cache included), and a
//! caller's reads after their own write on the same node see it. A read that
//! must be fresh across nodes (requests that carry credentials, every
//! request that is not a GET or HEAD: see `http::consistency`) goes to the
//! primary whatever the replicas' state.
//!
//! A checker thread measures each replica every `KIOSQUE_REPLICA_CHECK_MS`
//! (and quickly while one is behind a known write): a replica that does not
//! answer, or has not replayed a write the primary made more than
//! `KIOSQUE_REPLICA_MAX_LAG_MS` ago, is taken out of the reads; it is put
//! back once it answers and has caught up within that bound. A read that
//! fails on a replica because the replica went away is run again on the
//! primary, so a replica's loss costs no request.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::r2d2;
use diesel::sql_types::BigInt;

use super::{AnyConnection, Health, Manager};
use crate::config::DatabaseUrl;

/// One replica: its pool and what the checker last measured.
pub struct Replica {
    /// Its URL, password masked: how `/readyz` and `/metrics` name it.
    pub name: String,
    url: DatabaseUrl,
    pub(super) pool: r2d2::Pool<Manager>,
    pub(super) health: Arc<Health>,
    up: AtomicBool,
    /// The last WAL position it had replayed (bytes since 0/0).
    replayed: AtomicU64,
    /// How long its oldest unreplayed write has waited, in ms (`u64::MAX`: unknown).
    lag_ms: AtomicU64,
    /// Reads it served.
    reads: AtomicU64,
}

/// What `/readyz` and `/metrics` show of a replica.
#[derive(Debug, Clone)]
pub struct ReplicaStatus {
    pub name: String,
    pub up: bool,
    pub lag_ms: Option<u64>,
    pub reads: u64,
}

pub struct Replicas {
    pub(super) list: Vec<Replica>,
    /// The WAL position every replica read must have replayed.
    floor: AtomicU64,
    /// Commits heard of from other nodes, and how many of them `floor` covers.
    heard: AtomicU64,
    resolved: AtomicU64,
    next: AtomicUsize,
    max_lag: Duration,
    check: Duration,
    /// Wakes the checker (after a commit) instead of letting it sleep its period.
    nudge: Mutex<Option<mpsc::SyncSender<()>>>,
    /// Reads the primary served while replicas exist.
    pub(super) primary_reads: AtomicU64,
}

/// A replica read waits at most this long for a connection: past it, the
/// primary serves the read.
const REPLICA_CONNECT_WAIT: Duration = Duration::from_millis(300);
/// While a replica is behind a known write, the checker looks again this soon.
const CATCH_UP_POLL: Duration = Duration::from_millis(5);

impl Replicas {
    pub(super) fn new(
        urls: &[DatabaseUrl],
        size: u32,
        max_lag: Duration,
        check: Duration,
        epoch: Instant,
    ) -> Arc<Self> {
        let list = urls
            .iter()
            .map(|url| {
                let url = with_connect_timeout(url);
                let health = Arc::<Health>::default();
                let pool = r2d2::Pool::builder()
                    .max_size(size)
                    .min_idle(Some(0))
                    .connection_timeout(REPLICA_CONNECT_WAIT)
                    .test_on_check_out(true)
                    .build_unchecked(Manager {
                        url: url.clone(),
                        queries: Arc::default(),
                        epoch,
                        health: health.clone(),
                    });
                Replica {
                    name: url.redacted(),
                    url,
                    pool,
                    health,
                    // out until the first check has measured it
                    up: AtomicBool::new(false),
                    replayed: AtomicU64::new(0),
                    lag_ms: AtomicU64::new(u64::MAX),
                    reads: AtomicU64::new(0),
                }
            })
            .collect();
        Arc::new(Self {
            list,
            floor: AtomicU64::new(0),
            heard: AtomicU64::new(0),
            resolved: AtomicU64::new(0),
            next: AtomicUsize::new(0),
            max_lag,
            check,
            nudge: Mutex::new(None),
            primary_reads: AtomicU64::new(0),
        })
    }

    /// The replica a read may use now, if any (round robin over the eligible).
    pub(super) fn pick(&self) -> Option<&Replica> {
        // `resolved` is stored after `floor`: when every heard commit is
        // resolved, `floor` covers them all
        if self.heard.load(Ordering::Acquire) != self.resolved.load(Ordering::Acquire) {
            return None;
        }
        let floor = self.floor.load(Ordering::Acquire);
        let n = self.list.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.list[(start + i) % n])
            .find(|r| r.up.load(Ordering::Acquire) && r.replayed.load(Ordering::Acquire) >= floor)
    }

    /// This node committed a write that ended before WAL position `lsn`.
    pub(super) fn committed_at(&self, lsn: u64) {
        self.floor.fetch_max(lsn, Ordering::AcqRel);
        self.poke();
    }

    /// Another node committed a write at a position not known yet: reads go
    /// to the primary until the checker has read the primary's position.
    pub(super) fn heard(&self) {
        self.heard.fetch_add(1, Ordering::AcqRel);
        self.poke();
    }

    /// The replica went away under a read: out at once (the checker puts it back).
    pub(super) fn lost(&self, replica: &Replica) {
        if replica.up.swap(false, Ordering::AcqRel) {
            tracing::warn!(replica = %replica.name, "replica lost during a read; reads go elsewhere");
        }
        self.poke();
    }

    fn poke(&self) {
        if let Some(tx) = self
            .nudge
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            let _ = tx.try_send(());
        }
    }

    pub fn status(&self) -> Vec<ReplicaStatus> {
        self.list
            .iter()
            .map(|r| {
                let lag = r.lag_ms.load(Ordering::Acquire);
                ReplicaStatus {
                    name: r.name.clone(),
                    up: r.up.load(Ordering::Acquire),
                    lag_ms: (lag != u64::MAX).then_some(lag),
                    reads: r.reads.load(Ordering::Relaxed),
                }
            })
            .collect()
    }

    pub(super) fn served(&self, replica: Option<&Replica>) {
        match replica {
            Some(r) => r.reads.fetch_add(1, Ordering::Relaxed),
            None => self.primary_reads.fetch_add(1, Ordering::Relaxed),
        };
    }

    /// Starts the checker thread; it stops when the last [`Replicas`] handle goes.
    pub(super) fn start(self: &Arc<Self>, primary: &DatabaseUrl) {
        let (tx, rx) = mpsc::sync_channel(1);
        *self.nudge.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
        let weak = Arc::downgrade(self);
        let primary = with_connect_timeout(primary);
        let urls: Vec<DatabaseUrl> = self.list.iter().map(|r| r.url.clone()).collect();
        let spawned = std::thread::Builder::new()
            .name("kiosque-replicas".into())
            .spawn(move || Checker::new(primary, urls).run(weak, rx));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start the replica checker; reads stay on the primary");
        }
    }
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = BigInt)]
    lsn: i64,
}

/// The primary's WAL position now: every commit made before is below it.
pub(super) fn primary_position(conn: &mut AnyConnection) -> QueryResult<u64> {
    match conn {
        AnyConnection::Postgres(c) => current_position(c),
        AnyConnection::Sqlite(_) => Ok(0),
    }
}

fn current_position(conn: &mut PgConnection) -> QueryResult<u64> {
    diesel::sql_query("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint AS lsn")
        .get_result::<Position>(conn)
        .map(|p| p.lsn as u64)
}

/// What a replica has replayed. A server that is not in recovery (a
/// "replica" that is the primary itself) has everything it wrote.
fn replayed_position(conn: &mut PgConnection) -> QueryResult<u64> {
    diesel::sql_query(
        "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                      ELSE pg_current_wal_insert_lsn() END - '0/0'::pg_lsn)::bigint AS lsn",
    )
    .get_result::<Position>(conn)
    .map(|p| p.lsn as u64)
}

/// Adds `connect_timeout=1` to a PostgreSQL URL that sets none: a replica
/// that does not answer must not hold a read or the checker for long.
fn with_connect_timeout(url: &DatabaseUrl) -> DatabaseUrl {
    if url.target.contains("connect_timeout=") {
        return url.clone();
    }
    let sep = if url.target.contains('?') { '&' } else { '?' };
    DatabaseUrl {
        backend: url.backend,
        target: format!("{}{sep}connect_timeout=1", url.target),
    }
}

/// The checker's own connections (out of the pools: a pool full of reads
/// must not delay the measure that decides where reads go).
struct Checker {
    primary_url: DatabaseUrl,
    primary: Option<PgConnection>,
    replicas: Vec<(DatabaseUrl, Option<PgConnection>)>,
    /// The primary's positions measured lately, oldest first, with when.
    samples: VecDeque<(u64, Instant)>,
}

impl Checker {
    fn new(primary_url: DatabaseUrl, urls: Vec<DatabaseUrl>) -> Self {
        Self {
            primary_url,
            primary: None,
            replicas: urls.into_iter().map(|u| (u, None)).collect(),
            samples: VecDeque::new(),
        }
    }

    fn run(mut self, shared: Weak<Replicas>, nudged: mpsc::Receiver<()>) {
        let mut pause = Duration::ZERO;
        loop {
            match nudged.recv_timeout(pause) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            let Some(shared) = shared.upgrade() else {
                return;
            };
            let behind = self.round(&shared);
            pause = if behind { CATCH_UP_POLL } else { shared.check };
        }
    }

    /// One measure of the primary and every replica; true when an up
    /// replica has not replayed a write known to this node yet.
    fn round(&mut self, shared: &Replicas) -> bool {
        let heard = shared.heard.load(Ordering::Acquire);
        let now = Instant::now();
        if let Some(lsn) = self.primary_position() {
            shared.floor.fetch_max(lsn, Ordering::AcqRel);
            shared.resolved.store(heard, Ordering::Release);
            if self.samples.back().is_none_or(|(last, _)| *last < lsn) {
                self.samples.push_back((lsn, now));
            }
        }
        // keep the samples that can still tell a lag under the bound, and one older
        let horizon = shared.max_lag * 4;
        while self.samples.len() > 1 && now.duration_since(self.samples[1].1) > horizon {
            self.samples.pop_front();
        }
        let floor = shared.floor.load(Ordering::Acquire);
        let mut behind = false;
        for (i, replica) in shared.list.iter().enumerate() {
            let measured = self.replayed(i);
            let (up, lag) = match measured {
                Some(replayed) => {
                    replica.replayed.store(replayed, Ordering::Release);
                    // how long the oldest write it lacks has been known
                    let lag = self
                        .samples
                        .iter()
                        .find(|(lsn, _)| *lsn > replayed)
                        .map_or(Duration::ZERO, |(_, at)| now.duration_since(*at));
                    if replayed < floor {
                        behind = true;
                    }
                    (lag <= shared.max_lag, Some(lag.as_millis() as u64))
                }
                None => (false, None),
            };
            replica
                .lag_ms
                .store(lag.unwrap_or(u64::MAX), Ordering::Release);
            let was = replica.up.swap(up, Ordering::AcqRel);
            match (was, up, lag) {
                (false, true, _) => {
                    tracing::info!(replica = %replica.name, "replica takes reads")
                }
                (true, false, None) => {
                    tracing::warn!(replica = %replica.name, "replica does not answer; out of the reads")
                }
                (true, false, Some(ms)) => {
                    tracing::warn!(replica = %replica.name, lag_ms = ms, "replica lags; out of the reads")
                }
                _ => {}
            }
            behind |= up && replica.replayed.load(Ordering::Acquire) < floor;
        }
        behind
    }

    fn primary_position(&mut self) -> Option<u64> {
        let conn = connected(&mut self.primary, &self.primary_url)?;
        match current_position(conn) {
            Ok(lsn) => Some(lsn),
            Err(e) => {
                tracing::debug!(error = %e, "cannot read the primary's WAL position");
                self.primary = None;
                None
            }
        }
    }

    fn replayed(&mut self, i: usize) -> Option<u64> {
        let (url, slot) = &mut self.replicas[i];
        let conn = connected(slot, url)?;
        match replayed_position(conn) {
            Ok(lsn) => Some(lsn),
            Err(e) => {
                tracing::debug!(error = %e, "cannot measure a replica");
                *slot = None;
                None
            }
        }
    }
}

/// The connection in `slot`, opened again when it was lost.
fn connected<'a>(
    slot: &'a mut Option<PgConnection>,
    url: &DatabaseUrl,
) -> Option<&'a mut PgConnection> {
    if slot.is_none() {
        *slot = PgConnection::establish(&url.target).ok();
    }
    slot.as_mut()
}
