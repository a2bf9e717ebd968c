//! Listening, HTTP limits, browsers, logs, metrics and the search gate.

use std::net::SocketAddr;
use std::time::Duration;

use super::{Config, Environment, MetricsAccess, parsed, ranged, var};

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    cfg.addr = parsed::<SocketAddr>("KIOSQUE_ADDR", cfg.addr)?;
    if var("KIOSQUE_WORKERS").is_some() {
        cfg.workers = Some(ranged("KIOSQUE_WORKERS", 1usize, 1, 256)?);
    }
    cfg.max_body_bytes = ranged(
        "KIOSQUE_MAX_BODY_BYTES",
        cfg.max_body_bytes,
        1_024,
        64 << 20,
    )?;
    cfg.request_timeout = Duration::from_secs(ranged(
        "KIOSQUE_REQUEST_TIMEOUT_SECS",
        cfg.request_timeout.as_secs(),
        1,
        600,
    )?);
    if let Some(raw) = var("KIOSQUE_CORS_ORIGINS") {
        cfg.cors_origins = raw
            .split(',')
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
            .collect();
    }
    for origin in &cfg.cors_origins {
        if !(origin.starts_with("http://") || origin.starts_with("https://")) {
            return Err(format!(
                "KIOSQUE_CORS_ORIGINS: `{origin}` is not an http(s) origin"
            ));
        }
    }
    cfg.public_max_age = ranged("KIOSQUE_PUBLIC_MAX_AGE_SECS", cfg.public_max_age, 0, 86_400)?;
    let cache_mb = ranged(
        "KIOSQUE_CACHE_MB",
        (cfg.cache_bytes >> 20) as u64,
        0,
        65_536,
    )?;
    cfg.cache_bytes = (cache_mb as usize) << 20;
    cfg.cache_ttl = Duration::from_secs(ranged(
        "KIOSQUE_CACHE_SECS",
        cfg.cache_ttl.as_secs(),
        1,
        86_400,
    )?);
    if let Some(filter) = var("KIOSQUE_LOG").or_else(|| var("RUST_LOG")) {
        cfg.log_filter = filter;
    }
    cfg.trust_proxy = parsed("KIOSQUE_TRUST_PROXY", cfg.trust_proxy)?;
    cfg.metrics = metrics(cfg.env)?;
    cfg.search_concurrency = ranged(
        "KIOSQUE_SEARCH_CONCURRENCY",
        cfg.search_concurrency,
        1,
        1_024,
    )?;
    cfg.search_wait = Duration::from_millis(ranged(
        "KIOSQUE_SEARCH_WAIT_MS",
        cfg.search_wait.as_millis() as u64,
        0,
        30_000,
    )?);
    cfg.search_per_minute = ranged(
        "KIOSQUE_SEARCH_PER_MINUTE",
        cfg.search_per_minute,
        1,
        1_000_000,
    )?;
    cfg.search_burst = ranged("KIOSQUE_SEARCH_BURST", cfg.search_burst, 1, 1_000_000)?;
    Ok(())
}

/// `/metrics`: behind a bearer token when one is set; otherwise open in
/// development and closed in production unless opened on purpose.
fn metrics(env: Environment) -> Result<MetricsAccess, String> {
    let public = parsed("KIOSQUE_METRICS_PUBLIC", env != Environment::Production)?;
    match var("KIOSQUE_METRICS_TOKEN") {
        Some(token) if token.trim().len() < 16 => {
            Err("KIOSQUE_METRICS_TOKEN: must be at least 16 characters".into())
        }
        Some(token) => Ok(MetricsAccess::Token(token.trim().to_string())),
        None if public => Ok(MetricsAccess::Open),
        None => Ok(MetricsAccess::Closed),
    }
}
