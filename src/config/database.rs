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
