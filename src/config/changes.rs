//! The change log and its feed (`GET /api/v1/changes`).

use super::{Config, ranged};

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    cfg.changes_retention_days = ranged(
        "KIOSQUE_CHANGES_RETENTION_DAYS",
        cfg.changes_retention_days,
        1,
        36_500,
    )?;
    Ok(())
}
