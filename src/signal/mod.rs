//! Tells the other nodes that a change was committed, so that their waiting
//! readers (the change feed's long polls and streams) look again at once
//! instead of at their next check.
//!
//! On PostgreSQL, [`notify`] runs in the write's transaction (after its
//! change is recorded): PostgreSQL delivers the notification at commit, and
//! never for a rolled-back write. Each node keeps one connection, out of the
//! pool, that listens ([`listen`]) and reports each notification through
//! [`Db::wake`]; it reconnects with a growing pause when the connection is
//! lost, and wakes its readers once it is back (notifications sent meanwhile
//! are lost, the readers' own checks cover them). On SQLite there is one
//! process: its own commits wake its readers already.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::config::{Backend, DatabaseUrl};
use crate::db::{AnyConnection, Db};

/// The PostgreSQL channel changes are announced on; the payload is the
/// change's number.
pub const CHANNEL: &str = "kiosque_changes";

/// How often the listener looks for notifications received (no round trip:
/// it reads what the connection holds).
const POLL: Duration = Duration::from_millis(50);
/// How often the listener checks that its connection is alive.
const PING: Duration = Duration::from_secs(10);
const BACKOFF_FIRST: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Announces the change just recorded on `conn` to the other nodes, at
/// commit. Nothing to do on SQLite.
pub fn notify(conn: &mut AnyConnection) -> QueryResult<()> {
    if let AnyConnection::Postgres(c) = conn {
        diesel::sql_query(format!(
            "SELECT pg_notify('{CHANNEL}', currval(pg_get_serial_sequence('changes', 'seq'))::text)"
        ))
        .execute(c)?;
    }
    Ok(())
}

/// The running listener; dropping it stops it (within [`POLL`]).
pub struct Listening {
    _stop: mpsc::Sender<()>,
}

/// On PostgreSQL, starts this node's listener, which wakes `db`'s readers at
/// each change another node (or this one) commits.
pub fn listen(db: Db, url: &DatabaseUrl) -> Option<Listening> {
    if url.backend != Backend::Postgres {
        return None;
    }
    let (stop, stopped) = mpsc::channel();
    let target = url.target.clone();
    std::thread::Builder::new()
        .name("kiosque-listen".into())
        .spawn(move || run(db, &target, &stopped))
        .map_err(|e| tracing::warn!(error = %e, "cannot start the change listener"))
        .ok()?;
    Some(Listening { _stop: stop })
}

/// Waits `pause`; false when the listener must stop.
fn pause(stopped: &mpsc::Receiver<()>, pause: Duration) -> bool {
    matches!(stopped.recv_timeout(pause), Err(RecvTimeoutError::Timeout))
}

fn run(db: Db, target: &str, stopped: &mpsc::Receiver<()>) {
    let mut backoff = BACKOFF_FIRST;
    let mut failing = false;
    loop {
        match PgConnection::establish(target)
            .map_err(|e| e.to_string())
            .and_then(|mut c| {
                c.batch_execute(&format!("LISTEN {CHANNEL}"))
                    .map(|_| c)
                    .map_err(|e| e.to_string())
            }) {
            Ok(mut conn) => {
                if failing {
                    tracing::info!("listening again for other nodes' changes");
                }
                failing = false;
                backoff = BACKOFF_FIRST;
                // what was sent while nobody listened: readers look again
                db.wake();
                match follow(&db, &mut conn, stopped) {
                    None => return,
                    Some(e) => tracing::warn!(error = %e, "lost the change listener's connection"),
                }
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %e, "cannot listen for other nodes' changes; retrying");
                }
                failing = true;
            }
        }
        if !pause(stopped, backoff) {
            return;
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// Reports notifications until the connection fails (its error) or the
/// listener must stop (`None`).
fn follow(db: &Db, conn: &mut PgConnection, stopped: &mpsc::Receiver<()>) -> Option<String> {
    let mut pinged = Instant::now();
    loop {
        if !pause(stopped, POLL) {
            return None;
        }
        let mut heard = false;
        for n in conn.notifications_iter() {
            match n {
                Ok(_) => heard = true,
                Err(e) => return Some(e.to_string()),
            }
        }
        if heard {
            db.wake();
        }
        if pinged.elapsed() >= PING {
            if let Err(e) = conn.batch_execute("SELECT 1") {
                return Some(e.to_string());
            }
            pinged = Instant::now();
        }
    }
}
