//! Built documents kept in memory (feeds, sitemaps): served as they are
//! until the content may have changed. An entry is current while
//!
//! - no write has committed since it was built (the database's generation,
//!   bumped by every commit this process makes or hears of, is unchanged),
//! - the application clock has not reached the next time-driven change the
//!   builder foresaw (a scheduled article going public, an offer expiring,
//!   an article leaving the news window), and
//! - it is younger than a short lifetime, a safety net for anything else.
//!
//! Beside them, [`responses`] is the response cache of DESIGN.md: JSON
//! answers to anonymous reads, dropped by the surrogate keys each change
//! names. Documents stay apart: a feed or a sitemap gathers many resources
//! (naming its keys would mean listing every item in it), is read far less
//! often than an article, and is cheap to keep exact by the generation.

pub mod responses;

pub use responses::{Responses, Stored, Ticket};

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

/// Kept at most; beyond, the oldest half goes.
const MAX_ENTRIES: usize = 4_096;
/// Bytes kept at most (many subjects × formats cannot fill the memory);
/// beyond, the oldest entries go.
const MAX_BYTES: usize = 64 << 20;

/// A document ready to send, with what its validity depends on.
#[derive(Debug)]
pub struct Document {
    pub body: actix_web::web::Bytes,
    pub content_type: &'static str,
    /// Strong ETag of the body, quoted.
    pub etag: String,
    /// When this process first built these exact bytes (`Last-Modified`), whole seconds.
    pub last_modified: NaiveDateTime,
    /// The database generation it was built from.
    pub generation: u64,
    /// Application time at which it stops being true, if foreseen.
    pub until: Option<NaiveDateTime>,
    pub built: Instant,
}

impl Document {
    /// Whether it is still true at `generation` and application time `now`.
    pub fn is_current(&self, generation: u64, now: NaiveDateTime, ttl: Duration) -> bool {
        self.generation == generation
            && self.until.is_none_or(|until| now < until)
            && self.built.elapsed() < ttl
    }
}

/// The documents of one process, by path.
pub struct Documents {
    entries: RwLock<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Arc<Document>>,
    bytes: usize,
}

impl Entries {
    fn remove(&mut self, key: &str) {
        if let Some(old) = self.map.remove(key) {
            self.bytes -= old.body.len();
        }
    }

    /// Drops the oldest entries until `room` more bytes and one more entry fit.
    fn make_room(&mut self, room: usize) {
        if self.map.len() < MAX_ENTRIES && self.bytes + room <= MAX_BYTES {
            return;
        }
        let mut ages: Vec<(Instant, String)> =
            self.map.iter().map(|(k, d)| (d.built, k.clone())).collect();
        ages.sort();
        for (dropped, (_, key)) in ages.into_iter().enumerate() {
            if dropped >= MAX_ENTRIES / 2 && self.bytes + room <= MAX_BYTES {
                break;
            }
            self.remove(&key);
        }
    }
}

impl Default for Documents {
    fn default() -> Self {
        Self::new()
    }
}

impl Documents {
    pub fn new() -> Self {
        Self {
            entries: RwLock::new(Entries::default()),
        }
    }

    /// The document kept for `key`, if still current.
    pub fn get(
        &self,
        key: &str,
        generation: u64,
        now: NaiveDateTime,
        ttl: Duration,
    ) -> Option<Arc<Document>> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries
            .map
            .get(key)
            .filter(|d| d.is_current(generation, now, ttl))
            .cloned()
    }

    /// The document kept for `key`, current or not (to compare a rebuild with).
    pub fn last(&self, key: &str) -> Option<Arc<Document>> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.map.get(key).cloned()
    }

    pub fn put(&self, key: &str, document: Arc<Document>) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        entries.remove(key);
        let size = document.body.len();
        if size > MAX_BYTES {
            return;
        }
        entries.make_room(size);
        entries.bytes += size;
        entries.map.insert(key.to_string(), document);
    }

    pub fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .map
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(generation: u64, until: Option<NaiveDateTime>) -> Arc<Document> {
        Arc::new(Document {
            body: actix_web::web::Bytes::from_static(b"<rss/>"),
            content_type: "application/rss+xml",
            etag: "\"x\"".into(),
            last_modified: NaiveDateTime::default(),
            generation,
            until,
            built: Instant::now(),
        })
    }

    #[test]
    fn a_commit_a_foreseen_time_or_age_ends_an_entry() {
        let cache = Documents::new();
        let t0 = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        let later = t0 + chrono::Duration::minutes(5);
        cache.put("/a", doc(3, Some(later)));
        let ttl = Duration::from_secs(60);
        assert!(cache.get("/a", 3, t0, ttl).is_some());
        assert!(cache.get("/a", 4, t0, ttl).is_none(), "a commit since");
        assert!(cache.get("/a", 3, later, ttl).is_none(), "its time came");
        assert!(cache.get("/a", 3, t0, Duration::ZERO).is_none(), "too old");
        assert!(cache.get("/b", 3, t0, ttl).is_none());
    }

    #[test]
    fn stays_bounded() {
        let cache = Documents::new();
        for n in 0..=MAX_ENTRIES {
            cache.put(&format!("/{n}"), doc(0, None));
        }
        assert!(cache.len() <= MAX_ENTRIES);
        assert!(
            cache
                .get(
                    &format!("/{MAX_ENTRIES}"),
                    0,
                    NaiveDateTime::default(),
                    Duration::from_secs(9)
                )
                .is_some()
        );
    }

    #[test]
    fn keeps_its_bytes_bounded() {
        let cache = Documents::new();
        let big = actix_web::web::Bytes::from(vec![b' '; MAX_BYTES / 2 + 1]);
        for key in ["/a", "/b", "/c"] {
            let mut d = Arc::try_unwrap(doc(0, None)).unwrap();
            d.body = big.clone();
            cache.put(key, Arc::new(d));
        }
        let bytes = cache.entries.read().unwrap().bytes;
        assert!(bytes <= MAX_BYTES, "{bytes}");
        let ttl = Duration::from_secs(9);
        assert!(
            cache.get("/c", 0, NaiveDateTime::default(), ttl).is_some(),
            "the newest stays"
        );
        assert!(cache.get("/a", 0, NaiveDateTime::default(), ttl).is_none());
    }
}
