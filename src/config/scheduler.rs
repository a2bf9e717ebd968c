//! Timed work (the scheduler and its lease).

use std::time::Duration;

use super::{Config, parsed, ranged};

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    cfg.scheduler = parsed("KIOSQUE_SCHEDULER", cfg.scheduler)?;
    let ms = ranged(
        "KIOSQUE_SCHEDULER_TICK_MS",
        cfg.scheduler_tick.as_millis() as u64,
        10,
        60_000,
    )?;
    cfg.scheduler_tick = Duration::from_millis(ms);
    Ok(())
}
