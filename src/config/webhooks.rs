//! Webhooks: how deliveries are retried, when a failing endpoint is
//! switched off, how long an old secret keeps signing after a rotation.

use std::time::Duration;

use super::{Config, ranged, var};

#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// The waits before each retry; after the last, a delivery is dead.
    pub retry_schedule: Vec<Duration>,
    /// Failed attempts in a row after which an endpoint is disabled.
    pub disable_after: u32,
    /// How long the former secret keeps signing after a rotation.
    pub rotation_window: Duration,
    /// Deliveries sent at once by this process; 0: this process sends none
    /// (it still serves the API, and other nodes deliver).
    pub concurrency: usize,
    /// Days finished deliveries stay in an endpoint's log.
    pub log_days: u32,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            retry_schedule: parse_schedule("5s,30s,2m,10m,1h,6h,12h").unwrap_or_default(),
            disable_after: 50,
            rotation_window: Duration::from_secs(24 * 3600),
            concurrency: 16,
            log_days: 30,
        }
    }
}

/// `5s,30s,2m,1h`: numbers with a unit (`ms`, `s`, `m`, `h`).
pub fn parse_schedule(raw: &str) -> Result<Vec<Duration>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let n: u64 = digits
                .parse()
                .map_err(|_| format!("`{s}` is not a duration like 30s, 2m or 1h"))?;
            let unit = &s[digits.len()..];
            let ms = match unit {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => return Err(format!("`{s}`: the unit must be ms, s, m or h")),
            };
            if n == 0 || n * ms > 7 * 86_400_000 {
                return Err(format!("`{s}` must be more than 0 and at most 7 days"));
            }
            Ok(Duration::from_millis(n * ms))
        })
        .collect::<Result<Vec<_>, _>>()
        .and_then(|v| {
            if v.is_empty() || v.len() > 30 {
                Err("give 1 to 30 waits".into())
            } else {
                Ok(v)
            }
        })
}

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    let w = &mut cfg.webhooks;
    if let Some(raw) = var("KIOSQUE_WEBHOOK_RETRY_SCHEDULE") {
        w.retry_schedule =
            parse_schedule(&raw).map_err(|e| format!("KIOSQUE_WEBHOOK_RETRY_SCHEDULE: {e}"))?;
    }
    w.disable_after = ranged("KIOSQUE_WEBHOOK_DISABLE_AFTER", w.disable_after, 1, 100_000)?;
    w.rotation_window = Duration::from_secs(
        ranged(
            "KIOSQUE_WEBHOOK_ROTATION_HOURS",
            w.rotation_window.as_secs() / 3600,
            0,
            24 * 30,
        )? * 3600,
    );
    w.concurrency = ranged("KIOSQUE_WEBHOOK_CONCURRENCY", w.concurrency, 0, 1_024)?;
    w.log_days = ranged("KIOSQUE_WEBHOOK_LOG_DAYS", w.log_days, 1, 3_650)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_read_units() {
        let s = parse_schedule("500ms, 5s,2m,1h").unwrap();
        assert_eq!(
            s,
            [
                Duration::from_millis(500),
                Duration::from_secs(5),
                Duration::from_secs(120),
                Duration::from_secs(3600)
            ]
        );
        assert!(parse_schedule("5").is_err());
        assert!(parse_schedule("5d").is_err());
        assert!(parse_schedule("").is_err());
        assert_eq!(WebhookSettings::default().retry_schedule.len(), 7);
    }
}
