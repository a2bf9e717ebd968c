//! Where the data lives and how Kiosque connects to it.

use std::path::PathBuf;
use std::time::Duration;

use super::{Backend, Config, DatabaseUrl, RateStore, ranged, var};

/// The data folder and the database come first: other defaults follow the backend.
pub(super) fn location() -> Result<(PathBuf, DatabaseUrl), String> {
    let data_dir = PathBuf::from(var("KIOSQUE_DATA_DIR").unwrap_or_else(|| "data".into()));
    let database = match var("DATABASE_URL") {
        Some(raw) => DatabaseUrl::parse(&raw).map_err(|e| format!("DATABASE_URL: {e}"))?,
        None => DatabaseUrl {
            backend: Backend::Sqlite,
            target: data_dir.join("kiosque.db").to_string_lossy().into_owned(),
        },
    };
    Ok((data_dir, database))
}

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    cfg.db_pool_size = ranged("KIOSQUE_DB_POOL_SIZE", cfg.db_pool_size, 1, 512)?;
    cfg.db_connect_timeout = Duration::from_secs(ranged(
        "KIOSQUE_DB_CONNECT_TIMEOUT_SECS",
        cfg.db_connect_timeout.as_secs(),
        1,
        120,
    )?);
    if let Some(raw) = var("KIOSQUE_DATABASE_REPLICA_URLS") {
        cfg.replicas = replicas(&raw, cfg.database.backend)?;
    }
    cfg.replica_max_lag = Duration::from_millis(ranged(
        "KIOSQUE_REPLICA_MAX_LAG_MS",
        cfg.replica_max_lag.as_millis() as u64,
        10,
        600_000,
    )?);
    cfg.replica_check = Duration::from_millis(ranged(
        "KIOSQUE_REPLICA_CHECK_MS",
        cfg.replica_check.as_millis() as u64,
        20,
        60_000,
    )?);
    cfg.rate_store = match var("KIOSQUE_RATE_LIMIT_STORE").as_deref() {
        None => cfg.rate_store,
        Some("memory") => RateStore::Memory,
        Some("database") => RateStore::Database,
        Some(other) => {
            return Err(format!(
                "KIOSQUE_RATE_LIMIT_STORE: `{other}` is not one of memory, database"
            ));
        }
    };
    Ok(())
}

/// The replicas' URLs, comma-separated: PostgreSQL only, behind a PostgreSQL
/// primary (a SQLite file has no replicas).
fn replicas(raw: &str, primary: Backend) -> Result<Vec<DatabaseUrl>, String> {
    let mut found = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let url = DatabaseUrl::parse(part)
            .map_err(|e| format!("KIOSQUE_DATABASE_REPLICA_URLS: `{part}` {e}"))?;
        if url.backend != Backend::Postgres || primary != Backend::Postgres {
            return Err(
                "KIOSQUE_DATABASE_REPLICA_URLS: replicas are PostgreSQL streaming replicas of a PostgreSQL DATABASE_URL"
                    .into(),
            );
        }
        found.push(url);
    }
    Ok(found)
}
