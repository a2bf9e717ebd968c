//! The response cache: answers to anonymous public reads, kept in memory
//! with their ETag and headers, each tagged with the surrogate keys of what
//! it shows (`article:12`, `section:3`, `list:articles`).
//!
//! - Dropped exactly: a write names the keys it touched (its change), and
//!   [`Responses::drop_keys`] removes every answer carrying one of them,
//!   here right after the commit and on the other nodes when they hear of it.
//! - No stale answer slips in after a drop: a reader takes a [`Ticket`]
//!   before it reads the database, and [`Responses::put`] refuses its answer
//!   if one of its keys was dropped since (the answer may have been read
//!   before the write committed).
//! - Bounded: entries' bytes stay under the budget; beyond, the least
//!   recently used go. A budget of 0 turns the cache off.
//! - Time: an entry carries the application time at which its answer stops
//!   being true (a scheduled article going public), and a lifetime as a
//!   safety net.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::Bytes;
use chrono::NaiveDateTime;

/// Drops remembered to judge late stores; a reader older than all of them
/// stores nothing (it would have to be slower than this many writes).
const REMEMBERED_DROPS: usize = 4_096;
/// What an entry costs beyond its bytes (maps, key strings, bookkeeping).
const ENTRY_OVERHEAD: usize = 256;

/// An answer ready to send again.
#[derive(Debug)]
pub struct Stored {
    pub body: Bytes,
    /// Strong ETag of the body, quoted.
    pub etag: String,
    /// The headers to send with it (content type, cache policy, links, keys).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The surrogate keys it carries.
    pub keys: Vec<String>,
    /// Application time at which it stops being true, if foreseen.
    pub until: Option<NaiveDateTime>,
    pub stored: Instant,
}

impl Stored {
    fn size(&self) -> usize {
        self.body.len()
            + self
                .headers
                .iter()
                .map(|(n, v)| n.as_str().len() + v.len())
                .sum::<usize>()
            + self.keys.iter().map(|k| k.len() * 2).sum::<usize>()
            + ENTRY_OVERHEAD
    }

    fn is_current(&self, now: NaiveDateTime, ttl: Duration) -> bool {
        self.until.is_none_or(|until| now < until) && self.stored.elapsed() < ttl
    }
}

/// Taken before reading the database for an answer to keep.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

/// Counters for `/metrics`.
#[derive(Default)]
pub struct Counters {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub stores: AtomicU64,
    /// Answers refused because a key of theirs was dropped while they were read.
    pub refused: AtomicU64,
    /// Entries pushed out to stay within the budget.
    pub evictions: AtomicU64,
    /// Entries dropped by writes.
    pub invalidations: AtomicU64,
}

struct Entry {
    stored: Arc<Stored>,
    size: usize,
    used: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// Surrogate key → the entries carrying it.
    by_key: HashMap<String, HashSet<String>>,
    bytes: usize,
    /// Counts drops; a ticket is the count when it was taken.
    epoch: u64,
    /// The latest drops, oldest first: (epoch after it, keys).
    drops: VecDeque<(u64, Vec<String>)>,
    /// Tickets older than this are refused (their drops are forgotten, or
    /// everything was dropped since).
    floor: u64,
    /// Use counter for least-recently-used eviction.
    clock: u64,
}

impl Inner {
    fn remove(&mut self, key: &str) -> bool {
        let Some(entry) = self.entries.remove(key) else {
            return false;
        };
        self.bytes -= entry.size;
        for k in &entry.stored.keys {
            if let Some(set) = self.by_key.get_mut(k) {
                set.remove(key);
                if set.is_empty() {
                    self.by_key.remove(k);
                }
            }
        }
        true
    }

    /// Whether an answer read under `ticket`, carrying `keys`, is still
    /// as true as when it was read.
    fn still_true(&self, ticket: Ticket, keys: &[String]) -> bool {
        if ticket.0 < self.floor {
            return false;
        }
        self.drops
            .iter()
            .rev()
            .take_while(|(epoch, _)| *epoch > ticket.0)
            .all(|(_, dropped)| !dropped.iter().any(|d| keys.contains(d)))
    }

    /// Pushes out the least recently used entries until `room` more bytes fit
    /// in `budget`; how many went.
    fn make_room(&mut self, room: usize, budget: usize) -> u64 {
        if self.bytes + room <= budget {
            return 0;
        }
        // one sort for a batch: down to 7/8 of the budget, so a full cache
        // does not sort at every store
        let target = (budget - budget / 8).saturating_sub(room);
        let mut by_age: Vec<(u64, String)> = self
            .entries
            .iter()
            .map(|(k, e)| (e.used, k.clone()))
            .collect();
        by_age.sort_unstable();
        let mut evicted = 0;
        for (_, key) in by_age {
            if self.bytes <= target {
                break;
            }
            if self.remove(&key) {
                evicted += 1;
            }
        }
        evicted
    }
}

/// The answers of one process, by normalised request.
pub struct Responses {
    budget: usize,
    ttl: Duration,
    inner: Mutex<Inner>,
    pub counters: Counters,
}

impl Responses {
    /// A cache of at most `budget` bytes (0: off), whose entries live at most `ttl`.
    pub fn new(budget: usize, ttl: Duration) -> Self {
        Self {
            budget,
            ttl,
            inner: Mutex::default(),
            counters: Counters::default(),
        }
    }

    pub fn is_on(&self) -> bool {
        self.budget > 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The answer kept for `key`, if still true at application time `now`.
    pub fn get(&self, key: &str, now: NaiveDateTime) -> Option<Arc<Stored>> {
        if !self.is_on() {
            return None;
        }
        let mut inner = self.lock();
        inner.clock += 1;
        let clock = inner.clock;
        let found = match inner.entries.get_mut(key) {
            Some(entry) if entry.stored.is_current(now, self.ttl) => {
                entry.used = clock;
                Some(entry.stored.clone())
            }
            Some(_) => {
                inner.remove(key);
                None
            }
            None => None,
        };
        let counter = if found.is_some() {
            &self.counters.hits
        } else {
            &self.counters.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// To take before reading what will be [`Responses::put`].
    pub fn ticket(&self) -> Ticket {
        Ticket(self.lock().epoch)
    }

    /// Keeps `stored` for `key` unless one of its keys was dropped since
    /// `ticket` was taken, or it cannot fit; whether it was kept.
    pub fn put(&self, ticket: Ticket, key: String, stored: Stored) -> bool {
        if !self.is_on() {
            return false;
        }
        let size = stored.size();
        if size > self.budget / 4 {
            return false;
        }
        let mut inner = self.lock();
        if !inner.still_true(ticket, &stored.keys) {
            self.counters.refused.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        inner.remove(&key);
        let evicted = inner.make_room(size, self.budget);
        self.counters
            .evictions
            .fetch_add(evicted, Ordering::Relaxed);
        for k in &stored.keys {
            inner
                .by_key
                .entry(k.clone())
                .or_default()
                .insert(key.clone());
        }
        inner.clock += 1;
        let used = inner.clock;
        inner.bytes += size;
        inner.entries.insert(
            key,
            Entry {
                stored: Arc::new(stored),
                size,
                used,
            },
        );
        self.counters.stores.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Drops every answer carrying one of `keys`, and refuses answers read
    /// before now that carry one.
    pub fn drop_keys(&self, keys: &[String]) {
        if !self.is_on() || keys.is_empty() {
            return;
        }
        let mut inner = self.lock();
        inner.epoch += 1;
        let epoch = inner.epoch;
        let mut dropped = 0;
        for k in keys {
            if let Some(set) = inner.by_key.remove(k) {
                for entry in set {
                    if inner.remove(&entry) {
                        dropped += 1;
                    }
                }
            }
        }
        inner.drops.push_back((epoch, keys.to_vec()));
        while inner.drops.len() > REMEMBERED_DROPS {
            if let Some((forgotten, _)) = inner.drops.pop_front() {
                inner.floor = forgotten;
            }
        }
        self.counters
            .invalidations
            .fetch_add(dropped, Ordering::Relaxed);
    }

    /// Drops everything (notifications from other nodes may have been lost).
    pub fn drop_all(&self) {
        if !self.is_on() {
            return;
        }
        let mut inner = self.lock();
        let dropped = inner.entries.len() as u64;
        inner.entries.clear();
        inner.by_key.clear();
        inner.bytes = 0;
        inner.epoch += 1;
        inner.floor = inner.epoch;
        inner.drops.clear();
        self.counters
            .invalidations
            .fetch_add(dropped, Ordering::Relaxed);
    }

    /// (entries, bytes) kept now.
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.entries.len(), inner.bytes)
    }

    pub fn budget(&self) -> usize {
        self.budget
    }

    /// The cache's lines for `/metrics` (Prometheus text format).
    pub fn render_metrics(&self) -> String {
        let (entries, bytes) = self.usage();
        let c = &self.counters;
        let mut out = String::new();
        for (name, kind, help, value) in [
            (
                "hits_total",
                "counter",
                "Anonymous reads answered from the response cache",
                c.hits.load(Ordering::Relaxed),
            ),
            (
                "misses_total",
                "counter",
                "Cacheable reads the response cache could not answer",
                c.misses.load(Ordering::Relaxed),
            ),
            (
                "stores_total",
                "counter",
                "Answers kept by the response cache",
                c.stores.load(Ordering::Relaxed),
            ),
            (
                "refused_total",
                "counter",
                "Answers not kept because a write touched them while they were read",
                c.refused.load(Ordering::Relaxed),
            ),
            (
                "evictions_total",
                "counter",
                "Entries pushed out of the response cache to stay within its memory",
                c.evictions.load(Ordering::Relaxed),
            ),
            (
                "invalidations_total",
                "counter",
                "Entries dropped from the response cache by writes",
                c.invalidations.load(Ordering::Relaxed),
            ),
            (
                "entries",
                "gauge",
                "Entries in the response cache",
                entries as u64,
            ),
            (
                "bytes",
                "gauge",
                "Bytes held by the response cache",
                bytes as u64,
            ),
            (
                "budget_bytes",
                "gauge",
                "Memory allowed to the response cache (KIOSQUE_CACHE_MB)",
                self.budget as u64,
            ),
        ] {
            out.push_str(&format!(
                "# HELP kiosque_cache_{name} {help}\n# TYPE kiosque_cache_{name} {kind}\nkiosque_cache_{name} {value}\n"
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc()
    }

    fn answer(keys: &[&str], bytes: usize) -> Stored {
        Stored {
            body: Bytes::from(vec![b'x'; bytes]),
            etag: "\"e\"".into(),
            headers: Vec::new(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            until: None,
            stored: Instant::now(),
        }
    }

    fn cache() -> Responses {
        Responses::new(1 << 20, Duration::from_secs(60))
    }

    #[test]
    fn a_drop_removes_what_carries_the_key() {
        let c = cache();
        let t = c.ticket();
        assert!(c.put(t, "/a/1".into(), answer(&["article:1", "list"], 10)));
        assert!(c.put(t, "/a/2".into(), answer(&["article:2"], 10)));
        c.drop_keys(&["list".into()]);
        assert!(c.get("/a/1", now()).is_none());
        assert!(c.get("/a/2", now()).is_some());
    }

    #[test]
    fn an_answer_read_before_a_drop_is_not_kept() {
        let c = cache();
        let before = c.ticket();
        c.drop_keys(&["article:1".into()]);
        assert!(!c.put(before, "/a/1".into(), answer(&["article:1"], 10)));
        assert!(c.put(before, "/a/2".into(), answer(&["article:2"], 10)));
        assert!(c.put(c.ticket(), "/a/1".into(), answer(&["article:1"], 10)));
        c.drop_all();
        assert!(!c.put(before, "/a/3".into(), answer(&["article:3"], 10)));
        assert_eq!(c.usage().0, 0);
    }

    #[test]
    fn stays_within_its_budget_least_recently_used_first() {
        let c = Responses::new(64 << 10, Duration::from_secs(60));
        for n in 0..100 {
            let t = c.ticket();
            c.put(t, format!("/{n}"), answer(&["k"], 2_000));
            // the first stays in use
            assert!(c.get("/0", now()).is_some(), "after {n}");
        }
        let (entries, bytes) = c.usage();
        assert!(bytes <= 64 << 10, "{bytes}");
        assert!(entries < 100);
        assert!(c.counters.evictions.load(Ordering::Relaxed) > 0);
        assert!(c.get("/99", now()).is_some());
    }

    #[test]
    fn a_foreseen_time_or_age_ends_an_entry_and_zero_is_off() {
        let c = cache();
        let mut a = answer(&["k"], 1);
        a.until = Some(now() + chrono::Duration::minutes(1));
        c.put(c.ticket(), "/t".into(), a);
        assert!(c.get("/t", now()).is_some());
        assert!(c.get("/t", now() + chrono::Duration::minutes(1)).is_none());
        let off = Responses::new(0, Duration::from_secs(60));
        assert!(!off.put(off.ticket(), "/t".into(), answer(&["k"], 1)));
        let aged = Responses::new(1 << 20, Duration::ZERO);
        aged.put(aged.ticket(), "/t".into(), answer(&["k"], 1));
        assert!(aged.get("/t", now()).is_none());
    }
}
