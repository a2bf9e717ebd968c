//! Readers' submissions, job offers and polls.

use super::{Config, parsed, ranged};

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    cfg.submissions_per_hour = ranged(
        "KIOSQUE_SUBMISSIONS_PER_HOUR",
        cfg.submissions_per_hour,
        1,
        100_000,
    )?;
    cfg.job_default_days = ranged("KIOSQUE_JOB_DEFAULT_DAYS", cfg.job_default_days, 1, 365)?;
    cfg.poll_allow_vote_change =
        parsed("KIOSQUE_POLL_ALLOW_VOTE_CHANGE", cfg.poll_allow_vote_change)?;
    cfg.poll_votes_per_hour_per_ip = ranged(
        "KIOSQUE_POLL_VOTES_PER_HOUR_PER_IP",
        cfg.poll_votes_per_hour_per_ip,
        1,
        1_000_000,
    )?;
    cfg.poll_votes_burst = ranged(
        "KIOSQUE_POLL_VOTES_BURST",
        cfg.poll_votes_burst,
        1,
        1_000_000,
    )?;
    Ok(())
}
