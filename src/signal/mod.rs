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
use crate::db::{AnyConnection, Db, Touched};

/// The PostgreSQL channel changes are announced on; the payload is the
/// change's number (`-` for a write that records none) followed by the cache
/// keys it touched, separated by spaces (`*`: too many to name, drop all).
pub const CHANNEL: &str = "kiosque_changes";

/// PostgreSQL refuses payloads of 8,000 bytes or more.
const PAYLOAD_MAX: usize = 7_900;

/// How often the listener looks for notifications received (no round trip:
/// it reads what the connection holds).
const POLL: Duration = Duration::from_millis(50);
/// How often the listener checks that its connection is alive.
const PING: Duration = Duration::from_secs(10);
const BACKOFF_FIRST: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Announces the change just recorded on `conn`, and the cache `keys` it
/// touched: to this node's cache once the write is over, to the other nodes
/// at commit (PostgreSQL only; SQLite has one process).
pub fn notify(conn: &mut AnyConnection, keys: &[String]) -> QueryResult<()> {
    crate::db::touch(keys.iter().cloned());
    if let AnyConnection::Postgres(c) = conn {
        diesel::sql_query(format!(
            "SELECT pg_notify('{CHANNEL}', currval(pg_get_serial_sequence('changes', 'seq'))::text || $1)"
        ))
        .bind::<diesel::sql_types::Text, _>(format!("@{}{}", crate::db::touched::node(), key_list(keys)))
        .execute(c)?;
    }
    Ok(())
}

/// Tells this node's cache and the other nodes that a write which records
/// no change (a profile's display name) touched `keys`.
pub fn touch(conn: &mut AnyConnection, keys: &[String]) -> QueryResult<()> {
    crate::db::touch(keys.iter().cloned());
    if let AnyConnection::Postgres(c) = conn {
        diesel::sql_query(format!("SELECT pg_notify('{CHANNEL}', '-' || $1)"))
            .bind::<diesel::sql_types::Text, _>(format!(
                "@{}{}",
                crate::db::touched::node(),
                key_list(keys)
            ))
            .execute(c)?;
    }
    Ok(())
}

/// Tells the running nodes to drop everything they cached (an import
/// rewrote the database outside any of them). PostgreSQL only: a SQLite
/// database is served by one process, stopped for such work.
pub fn touch_everything(conn: &mut AnyConnection) -> QueryResult<()> {
    if let AnyConnection::Postgres(c) = conn {
        diesel::sql_query(format!("SELECT pg_notify('{CHANNEL}', '- *')")).execute(c)?;
    }
    Ok(())
}

/// ` key key…`, or ` *` when the keys would not fit in a notification.
fn key_list(keys: &[String]) -> String {
    let mut out = String::new();
    for key in keys {
        out.push(' ');
        out.push_str(key);
    }
    if out.len() > PAYLOAD_MAX {
        return " *".into();
    }
    out
}

/// The node that sent a payload (`<seq>@<node> keys…`), if it says.
fn from_node(payload: &str) -> Option<u64> {
    let first = payload.split_ascii_whitespace().next()?;
    first.split_once('@')?.1.parse().ok()
}

/// Reads a payload: `None` when everything must go (`*`, or a payload from
/// an older version, which named no keys).
fn keys_of(payload: &str) -> Option<Vec<String>> {
    let mut words = payload.split_ascii_whitespace();
    // `<seq>@<node>`: the node is read by `from_node`
    let _seq = words.next();
    let keys: Vec<String> = words.map(str::to_string).collect();
    if keys.is_empty() || keys.iter().any(|k| k == "*") {
        return None;
    }
    Some(keys)
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
                // what was sent while nobody listened: readers look again,
                // and nothing cached can be trusted
                db.touched(Touched::All);
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
                Ok(n) => {
                    heard = true;
                    // this node dropped its own writes' keys after their commit
                    if from_node(&n.payload) == Some(db.node()) {
                        continue;
                    }
                    match keys_of(&n.payload) {
                        Some(keys) => db.touched(Touched::Keys(&keys)),
                        None => db.touched(Touched::All),
                    }
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_carry_keys_or_say_drop_all() {
        let keys = vec!["article:1".to_string(), "list:articles".to_string()];
        let payload = format!("12@7{}", key_list(&keys));
        assert_eq!(keys_of(&payload), Some(keys));
        assert_eq!(from_node(&payload), Some(7));
        assert_eq!(from_node("12 a:1"), None);
        assert_eq!(keys_of("12"), None, "no keys named: drop all");
        let many: Vec<String> = (0..2_000).map(|n| format!("article:{n}")).collect();
        assert_eq!(key_list(&many), " *");
        assert_eq!(keys_of(&format!("12{}", key_list(&many))), None);
    }
}
