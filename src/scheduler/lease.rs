//! The scheduler's lease: which node of the cluster runs timed work.
//!
//! On PostgreSQL a keeper thread holds a session-level advisory lock
//! (`pg_try_advisory_lock`) on a connection of its own, out of the pool,
//! and checks that connection at each tick. The lock lives as long as the
//! connection: if the process dies or the connection breaks, PostgreSQL
//! releases it and the next node to try takes it. A node that loses its
//! connection stops leading at once and tries again at its next tick.
//! On SQLite the single process leads. Changes of the lease are logged.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::config::{Backend, DatabaseUrl};

/// The advisory lock's key ("kioslead"), distinct from every other lock Kiosque takes.
const LEASE_LOCK: i64 = 0x6b69_6f73_6c65_6164;

/// The lease as this node holds it; dropping it ends the keeper (and, on
/// PostgreSQL, closes its connection: the lock goes to another node).
pub struct Keeper {
    leading: Arc<AtomicBool>,
    _stop: Option<mpsc::Sender<()>>,
}

impl Keeper {
    /// Whether this node leads, kept current by the keeper.
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.leading.clone()
    }
}

/// Starts keeping the lease, checked every `tick`.
pub fn keep(url: &DatabaseUrl, tick: Duration) -> Keeper {
    let leading = Arc::new(AtomicBool::new(false));
    if url.backend == Backend::Sqlite {
        tracing::info!("this node runs timed work (SQLite: a single process)");
        leading.store(true, Ordering::Release);
        return Keeper {
            leading,
            _stop: None,
        };
    }
    let (stop, stopped) = mpsc::channel();
    let flag = leading.clone();
    let target = url.target.clone();
    let started = std::thread::Builder::new()
        .name("kiosque-lease".into())
        .spawn(move || run(&target, tick, &flag, &stopped));
    if let Err(e) = started {
        tracing::warn!(error = %e, "cannot start the lease keeper: this node will not run timed work");
    }
    Keeper {
        leading,
        _stop: Some(stop),
    }
}

fn run(target: &str, tick: Duration, leading: &AtomicBool, stopped: &mpsc::Receiver<()>) {
    let mut conn: Option<PgConnection> = None;
    let mut failing = false;
    loop {
        let held = leading.load(Ordering::Acquire);
        let now_held = match hold(target, &mut conn, held) {
            Ok(h) => {
                failing = false;
                h
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %e, "cannot reach the database for the scheduler's lease");
                }
                failing = true;
                conn = None;
                false
            }
        };
        if now_held != held {
            leading.store(now_held, Ordering::Release);
            if now_held {
                tracing::info!("took the scheduler's lease: this node runs timed work");
            } else {
                tracing::warn!("lost the scheduler's lease: this node stops timed work");
            }
        }
        if !matches!(stopped.recv_timeout(tick), Err(RecvTimeoutError::Timeout)) {
            if leading.swap(false, Ordering::AcqRel) {
                tracing::info!("leaving the scheduler's lease");
            }
            return;
        }
    }
}

/// Keeps (when `held`) or tries to take the lock; whether it is held now.
fn hold(target: &str, conn: &mut Option<PgConnection>, held: bool) -> Result<bool, String> {
    if held && let Some(c) = conn.as_mut() {
        return c
            .batch_execute("SELECT 1")
            .map(|()| true)
            .map_err(|e| e.to_string());
    }
    if conn.is_none() {
        *conn = Some(PgConnection::establish(target).map_err(|e| e.to_string())?);
    }
    let c = conn.as_mut().expect("just opened");
    diesel::select(sql::<Bool>(&format!("pg_try_advisory_lock({LEASE_LOCK})")))
        .get_result::<bool>(c)
        .map_err(|e| e.to_string())
}
