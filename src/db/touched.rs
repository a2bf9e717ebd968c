//! Cache keys touched by the write being made on this thread, handed to
//! whoever listens ([`Db::on_touched`]) once the write is over.
//!
//! A write names what it changed (`article:12`, `list:articles`) inside its
//! transaction, through [`touch`]; the keys wait in a thread-local list,
//! because the write's closure runs on the blocking thread that
//! [`Db::write_as`] gives it, and are handed over when that closure returns,
//! after the commit. Handing them over after a rollback as well costs a few
//! needless cache misses, never a stale answer, so the list is always
//! emptied the same way.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use super::Db;

/// What a write or another node's change leaves out of date.
#[derive(Debug, Clone, Copy)]
pub enum Touched<'a> {
    Keys(&'a [String]),
    /// Anything: notifications may have been missed.
    All,
}

/// Told of every [`Touched`].
pub type Hook = Arc<dyn Fn(Touched<'_>) + Send + Sync>;

/// The hook shared by a pool and its companions, set once at start-up.
pub(super) type HookSlot = Arc<OnceLock<Hook>>;

thread_local! {
    static PENDING: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// The node (pool) whose work runs on this thread now.
    static NODE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The node whose write runs on this thread: its own notifications are
/// not dropped twice (it dropped their keys after the commit already).
pub fn node() -> u64 {
    NODE.with(|n| n.get())
}

pub(super) fn enter(node: u64) {
    NODE.with(|n| n.set(node));
}

/// Notes keys touched by the write under way on this thread.
pub fn touch<I, S>(keys: I)
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    PENDING.with(|p| p.borrow_mut().extend(keys.into_iter().map(Into::into)));
}

/// Takes the keys noted on this thread so far.
pub(super) fn take() -> Vec<String> {
    PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()))
}

impl Db {
    /// Sets who hears of touched keys (the response cache); once per pool.
    pub fn on_touched(&self, hook: Hook) {
        let _ = self.touched.set(hook);
    }

    /// Tells the hook, if any, that `what` is out of date.
    pub fn touched(&self, what: Touched<'_>) {
        if let Some(hook) = self.touched.get() {
            hook(what);
        }
    }

    /// Hands the keys noted on this thread to the hook.
    pub(super) fn hand_over(&self) {
        let keys = take();
        if !keys.is_empty() {
            self.touched(Touched::Keys(&keys));
        }
    }
}
