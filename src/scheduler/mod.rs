//! Timed work: one node of the cluster at a time (the lease holder) runs the
//! registered [`Task`]s in a loop, every `KIOSQUE_SCHEDULER_TICK_MS`.
//!
//! The lease ([`lease`]): on PostgreSQL a session-level advisory lock held on
//! a connection of its own, out of the pool. PostgreSQL releases it when
//! that connection or its process dies, and another node takes it at its
//! next tick. On SQLite the single process leads.
//!
//! This part knows no resource: each task is a pair of functions a resource
//! offers (is anything due? do it), wired in `lib.rs`. A task must be
//! idempotent and safe beside another leader (during a hand-over two nodes
//! may both believe they lead for a moment): it records each change with a
//! durable mark in the same transaction (see `changes::timed`).

pub mod lease;

use actix_web::web;
use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::state::AppState;

/// The most items a task handles in one transaction; a task that handled
/// that many runs again at once.
pub const BATCH: i64 = 100;

/// One kind of timed work.
#[derive(Clone, Copy)]
pub struct Task {
    /// For the logs: `article publications`, `job expiries`…
    pub name: &'static str,
    /// Whether work is due at `now` (a read; most ticks stop here).
    pub is_due: fn(&mut AnyConnection, NaiveDateTime) -> QueryResult<bool>,
    /// Does up to [`BATCH`] items of the due work inside a write transaction
    /// and says how many.
    pub run: fn(&mut AnyConnection, NaiveDateTime) -> AppResult<usize>,
}

/// The running scheduler; dropping it stops its lease keeper.
pub struct Running {
    _lease: lease::Keeper,
}

impl Running {
    /// Whether this node holds the lease now (other work that one node at a
    /// time does, such as draining the mail queue, watches it).
    pub fn leading(&self) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
        self._lease.flag()
    }
}

/// Starts the scheduler on the current actix system, when
/// `KIOSQUE_SCHEDULER` allows it: the lease keeper, and the loop of `tasks`
/// (in this order at each tick).
pub fn start(state: web::Data<AppState>, tasks: Vec<Task>) -> Option<Running> {
    if !state.config.scheduler {
        tracing::info!("timed work is off on this node (KIOSQUE_SCHEDULER=false)");
        return None;
    }
    let keeper = lease::keep(&state.config.database, state.config.scheduler_tick);
    let leading = keeper.flag();
    actix_web::rt::spawn(async move {
        let tick = state.config.scheduler_tick;
        loop {
            let leads = leading.load(std::sync::atomic::Ordering::Acquire);
            state.metrics.set_scheduler_leader(leads);
            let mut again = false;
            if leads {
                for task in &tasks {
                    match run_once(&state, *task).await {
                        Ok(n) => again |= n as i64 >= BATCH,
                        Err(e) => {
                            tracing::warn!(task = task.name, error = %e, "timed work failed; retrying at the next tick");
                        }
                    }
                }
            }
            if !again {
                actix_web::rt::time::sleep(tick).await;
            }
        }
    });
    Some(Running { _lease: keeper })
}

/// Runs `task` once: a read to see whether anything is due, then the work in
/// a write transaction.
async fn run_once(state: &AppState, task: Task) -> AppResult<usize> {
    let now = state.clock.now();
    let due = state.db.run(move |c| Ok((task.is_due)(c, now)?)).await?;
    if !due {
        return Ok(0);
    }
    let done = state.db.write(move |c| (task.run)(c, now)).await?;
    if done > 0 {
        tracing::info!(task = task.name, count = done, "timed changes recorded");
    }
    Ok(done)
}
