//! Mail: a durable queue in the database and the sender that drains it.
//!
//! A message is queued with [`queue`] inside the transaction of the action
//! that causes it (a sign-up queues its verification mail): it exists if and
//! only if the action committed. The lease holder drains the queue
//! ([`send::start`], wired in `lib.rs`): each message is claimed for a while
//! (a claim that expires, so a crash sends it again), sent through the
//! transport the settings choose (`log` or `smtp`), then marked as sent in a
//! transaction, its bodies blanked (they may hold a link). A failure is
//! retried later, with growing delays, up to `KIOSQUE_MAIL_MAX_ATTEMPTS`.
//!
//! The texts are French templates in `templates/` ([`compose`]); this unit
//! knows no resource.

pub mod outbox;
pub mod send;
pub mod templates;
pub mod unsubscribe;

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::db::AnyConnection;
use crate::error::AppResult;

pub use templates::{Kind, compose};

/// A message ready to queue.
#[derive(Debug, Clone)]
pub struct Message {
    pub to: String,
    pub kind: Kind,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Extra headers (`List-Unsubscribe`, `List-Unsubscribe-Post`).
    pub headers: BTreeMap<String, String>,
}

/// Queues `message`; call it inside the transaction of the action that causes it.
pub fn queue(conn: &mut AnyConnection, message: &Message, now: NaiveDateTime) -> AppResult<()> {
    outbox::insert(conn, message, now)?;
    Ok(())
}

/// Forgets every message to `address`, sent or not (an erased account).
pub fn forget(conn: &mut AnyConnection, address: &str) -> AppResult<usize> {
    Ok(outbox::forget(conn, address)?)
}

/// Days a sent (or given up) message is kept in the queue table, for the record.
pub const KEPT_DAYS: i64 = 30;

/// Removes messages sent or given up more than [`KEPT_DAYS`] ago.
pub async fn purge_sent(state: &crate::state::AppState) -> AppResult<usize> {
    let cutoff = state.clock.now() - chrono::Duration::days(KEPT_DAYS);
    state.db.write(move |c| Ok(outbox::purge(c, cutoff)?)).await
}
