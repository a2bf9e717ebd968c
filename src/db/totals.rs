//! Totals of lists (`meta.total`), kept between requests. Counting every
//! matching row on each request is the costliest part of a list page on
//! PostgreSQL (a full scan: no index-only scan while the visibility map is
//! empty); the same filters give the same total until
//!
//! - a write commits (the database's generation, bumped by every commit this
//!   process makes or hears of, changes), or
//! - the clock reaches the next time-driven change the counter foresaw (a
//!   scheduled article's time comes, an offer expires), or
//! - it is [`MAX_AGE`] old: a safety net for writes no node hears of (a
//!   command-line import into SQLite while the server runs).
//!
//! So a total stays exact: it is counted again after any of these.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

/// Filters remembered at most; beyond, all are forgotten (they are cheap to
/// count again, and a bound keeps odd queries from filling the memory).
const MAX_ENTRIES: usize = 2_048;
/// A total is counted again at least this often.
pub const MAX_AGE: Duration = Duration::from_secs(10);

#[derive(Clone, Copy)]
struct Entry {
    total: i64,
    generation: u64,
    until: Option<NaiveDateTime>,
    counted: Instant,
}

/// The totals of one process, by list and filters. Cloning shares them.
#[derive(Clone, Default)]
pub struct Totals {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl Totals {
    /// The total under `key` (a list and its filters, without the time),
    /// counted by `count` unless one counted at `generation` still holds at
    /// `now`. `count` answers the total and when it may change without a
    /// write. Read `generation` before anything the total depends on.
    pub fn get_or_count<E>(
        &self,
        key: &str,
        generation: u64,
        now: NaiveDateTime,
        count: impl FnOnce() -> Result<(i64, Option<NaiveDateTime>), E>,
    ) -> Result<i64, E> {
        if let Some(e) = self.lock().get(key).copied()
            && e.generation == generation
            && e.until.is_none_or(|until| now < until)
            && e.counted.elapsed() < MAX_AGE
        {
            return Ok(e.total);
        }
        let (total, until) = count()?;
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            key.to_string(),
            Entry {
                total,
                generation,
                until,
                counted: Instant::now(),
            },
        );
        Ok(total)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn a_total_holds_until_a_write_or_its_time() {
        let totals = Totals::default();
        let count = |n| move || Ok::<_, ()>((n, Some(at(12))));
        assert_eq!(totals.get_or_count("a", 1, at(10), count(3)), Ok(3));
        assert_eq!(totals.get_or_count("a", 1, at(11), count(4)), Ok(3));
        assert_eq!(totals.get_or_count("b", 1, at(11), count(7)), Ok(7));
        assert_eq!(totals.get_or_count("a", 2, at(11), count(5)), Ok(5));
        assert_eq!(totals.get_or_count("a", 2, at(12), count(6)), Ok(6));
    }
}
