//! One sign-in attempt against the failure limits of `auth::failures`,
//! counted where `KIOSQUE_RATE_LIMIT_STORE` says.

use crate::auth::failures::{ACCOUNT, Op, PAIR, Quota, account_key, apply_local, apply_shared};
use crate::config::RateStore;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

async fn apply(
    state: &AppState,
    op: Op,
    bucket: &'static str,
    key: &str,
    q: Quota,
    now_us: i64,
) -> AppResult<Result<i64, u64>> {
    let key = key.to_string();
    match state.config.rate_store {
        RateStore::Memory => Ok(apply_local(
            &state.auth.failures,
            op,
            bucket,
            key,
            q,
            now_us,
        )),
        RateStore::Database => {
            state
                .db
                .note(move |c| apply_shared(c, op, bucket, key, q, now_us))
                .await
        }
    }
}

fn now(state: &AppState) -> i64 {
    state.clock.now_utc().timestamp_micros()
}

/// One sign-in attempt, between the limits' check and the password's verdict.
pub struct Attempt {
    account: String,
    pair: String,
    pair_quota: Quota,
    account_quota: Quota,
}

impl Attempt {
    /// Before the password is checked: counts the attempt as a failure of
    /// this account from this address (given back if the password is right),
    /// and refuses addresses over their limits.
    pub async fn begin(state: &AppState, email: &str, ip: &str) -> AppResult<Self> {
        let account = account_key(email);
        let cfg = &state.config;
        let attempt = Self {
            pair: format!("{account}|{ip}"),
            account,
            pair_quota: Quota::per_hour(cfg.signin_failures_per_hour, cfg.signin_failures_burst),
            account_quota: Quota::per_hour(
                cfg.rate_auth_per_minute.saturating_mul(60),
                cfg.rate_auth_burst,
            ),
        };
        // one instant for the count and the test of it
        let now_us = now(state);
        let tat = match apply(
            state,
            Op::Take,
            PAIR,
            &attempt.pair,
            attempt.pair_quota,
            now_us,
        )
        .await?
        {
            Ok(tat) => tat,
            Err(wait) => return Err(AppError::too_many_requests(wait)),
        };
        // The address had failed recently when its count did not start afresh.
        let had_failed = tat > now_us + attempt.pair_quota.period_us;
        if had_failed && let Err(wait) = attempt.peek_account(state).await? {
            // not a password failure: the address is not charged for it
            attempt.give_back(state).await?;
            return Err(AppError::too_many_requests(wait));
        }
        Ok(attempt)
    }

    async fn peek_account(&self, state: &AppState) -> AppResult<Result<i64, u64>> {
        apply(
            state,
            Op::Peek,
            ACCOUNT,
            &self.account,
            self.account_quota,
            now(state),
        )
        .await
    }

    async fn give_back(&self, state: &AppState) -> AppResult<()> {
        apply(
            state,
            Op::GiveBack,
            PAIR,
            &self.pair,
            self.pair_quota,
            now(state),
        )
        .await
        .map(|_| ())
    }

    /// The password was right: the address starts afresh on this account.
    pub async fn succeeded(self, state: &AppState) -> AppResult<()> {
        apply(
            state,
            Op::Forget,
            PAIR,
            &self.pair,
            self.pair_quota,
            now(state),
        )
        .await
        .map(|_| ())
    }

    /// The password was wrong: counts it against the account. Answers the
    /// error to send: `invalid` while the account's limit holds, else 429.
    pub async fn failed(self, state: &AppState, invalid: AppError) -> AppResult<AppError> {
        match apply(
            state,
            Op::Take,
            ACCOUNT,
            &self.account,
            self.account_quota,
            now(state),
        )
        .await?
        {
            Ok(_) => Ok(invalid),
            Err(wait) => Ok(AppError::too_many_requests(wait)),
        }
    }
}
