//! Failed sign-ins, counted so that guessing stays bounded without letting a
//! stranger lock the owner out.
//!
//! Only failures count (a correct password costs nothing), in two limits:
//! - per account *and* address (tight): one address guessing at one account
//!   is stopped after a few failures, whatever the password it tries next;
//! - per account (looser, `KIOSQUE_RATE_AUTH_*`): every address together. When
//!   it is spent it stops the addresses that have already failed on the
//!   account; a fresh address is still heard — its correct password lets it
//!   in, a wrong one is answered 429 and the address has failed from then on.
//!   A guesser thus gets about one try per address they own, while the owner,
//!   from any address of theirs that has not failed, signs in.
//!
//! The per-address limit of all attempts (`auth_ip`) stays in front of both.
//! Counts live where `KIOSQUE_RATE_LIMIT_STORE` says: in this process, or in
//! the shared `rate_limits` table (GCRA rows, the same as the other limits).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::db::AnyConnection;
use crate::error::AppResult;

pub const PAIR: &str = "signin_pair";
pub const ACCOUNT: &str = "signin_account";

/// One more failure every `period_us`, `burst` at once.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub period_us: i64,
    pub burst: u32,
}

impl Quota {
    pub fn per_hour(per_hour: u32, burst: u32) -> Self {
        Self {
            period_us: (3_600_000_000f64 / per_hour.max(1) as f64) as i64,
            burst: burst.max(1),
        }
    }

    fn tolerance(self) -> i64 {
        self.period_us.saturating_mul(self.burst as i64)
    }

    /// Seconds to wait, for a key whose theoretical arrival time is `tat`.
    fn wait_secs(self, tat: i64, now_us: i64) -> u64 {
        let wait_us = (tat + self.period_us - (now_us + self.tolerance())).max(0);
        (wait_us as f64 / 1e6).ceil() as u64
    }

    fn allows(self, tat: i64, now_us: i64) -> bool {
        tat.max(now_us) + self.period_us <= now_us + self.tolerance()
    }
}

/// The account part of a key: case and spacing of the address do not make
/// another account (`" Lea@Example.org"` is `lea@example.org`).
pub fn account_key(email: &str) -> String {
    email
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Counts kept in this process (`KIOSQUE_RATE_LIMIT_STORE=memory`): the
/// theoretical arrival time of each bucket and key, in microseconds.
#[derive(Default)]
pub struct LocalCounts {
    tats: Mutex<HashMap<(&'static str, String), i64>>,
}

impl LocalCounts {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<(&'static str, String), i64>) -> T) -> T {
        f(&mut self.tats.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Forgets keys whose allowance is full again.
    pub fn prune(&self, now_us: i64) {
        self.with(|m| m.retain(|_, tat| *tat > now_us));
    }
}

pub enum Op {
    /// Count one failure: the new arrival time, or the seconds to wait.
    Take,
    /// Would one more be allowed? 0, or the seconds to wait.
    Peek,
    /// Undo one counted failure.
    GiveBack,
    /// Drop the key.
    Forget,
}

/// `Ok(value)` as [`Op`] says, `Err(seconds)` when over the limit.
pub fn apply_local(
    counts: &LocalCounts,
    op: Op,
    bucket: &'static str,
    key: String,
    q: Quota,
    now_us: i64,
) -> Result<i64, u64> {
    counts.with(|m| {
        let k = (bucket, key);
        let tat = m.get(&k).copied().unwrap_or(now_us);
        match op {
            Op::Take if q.allows(tat, now_us) => {
                let new = tat.max(now_us) + q.period_us;
                m.insert(k, new);
                Ok(new)
            }
            Op::Take | Op::Peek if !q.allows(tat, now_us) => Err(q.wait_secs(tat, now_us)),
            Op::Take | Op::Peek => Ok(0),
            Op::GiveBack => {
                if let Some(t) = m.get_mut(&k) {
                    *t -= q.period_us;
                }
                Ok(0)
            }
            Op::Forget => {
                m.remove(&k);
                Ok(0)
            }
        }
    })
}

pub fn apply_shared(
    conn: &mut AnyConnection,
    op: Op,
    bucket: &'static str,
    key: String,
    q: Quota,
    now_us: i64,
) -> AppResult<Result<i64, u64>> {
    use crate::db::schema::rate_limits::dsl as rl;
    use diesel::prelude::*;
    let row = rl::rate_limits
        .filter(rl::bucket.eq(bucket))
        .filter(rl::key.eq(&key));
    Ok(match op {
        Op::Take => {
            match super::limits::take_shared_tat(conn, bucket, &key, q.period_us, q.burst, now_us) {
                Ok(tat) => Ok(tat),
                Err(e) if e.status == actix_web::http::StatusCode::TOO_MANY_REQUESTS => {
                    let tat: i64 = row.select(rl::tat).first(conn)?;
                    Err(q.wait_secs(tat, now_us))
                }
                Err(e) => return Err(e),
            }
        }
        Op::Peek => {
            let tat: Option<i64> = row.select(rl::tat).first(conn).optional()?;
            match tat {
                Some(t) if !q.allows(t, now_us) => Err(q.wait_secs(t, now_us)),
                _ => Ok(0),
            }
        }
        Op::GiveBack => {
            diesel::update(row)
                .set(rl::tat.eq(rl::tat - q.period_us))
                .execute(conn)?;
            Ok(0)
        }
        Op::Forget => {
            diesel::delete(row).execute(conn)?;
            Ok(0)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_any_case_or_spacing_are_one_account() {
        assert_eq!(
            account_key(" Lea.Martin@Example.ORG "),
            "lea.martin@example.org"
        );
        assert_eq!(
            account_key("lea.martin @example.org"),
            "lea.martin@example.org"
        );
    }

    #[test]
    fn local_counts_allow_the_burst_then_refuse_then_give_back() {
        let counts = LocalCounts::default();
        let q = Quota::per_hour(60, 3); // one a minute, three at once
        let take = |now| apply_local(&counts, Op::Take, PAIR, "k".into(), q, now);
        for _ in 0..3 {
            assert!(take(0).is_ok());
        }
        let wait = take(0).unwrap_err();
        assert_eq!(wait, 60);
        apply_local(&counts, Op::GiveBack, PAIR, "k".into(), q, 0).unwrap();
        assert!(take(0).is_ok(), "a given-back failure is allowed again");
        assert!(take(60_000_000).is_ok(), "one more after a minute");
        counts.prune(10 * 60_000_000);
        assert!(counts.with(|m| m.is_empty()));
    }
}
