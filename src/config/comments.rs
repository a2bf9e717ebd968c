//! Readers' comments and their moderation.

use super::{Config, ModerationMode, parsed, ranged, var};

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    cfg.comments_guests = parsed("KIOSQUE_COMMENTS_GUESTS", cfg.comments_guests)?;
    cfg.comments_moderation = match var("KIOSQUE_COMMENTS_MODERATION").as_deref() {
        None => cfg.comments_moderation,
        Some("pre") => ModerationMode::Pre,
        Some("post") => ModerationMode::Post,
        Some(other) => {
            return Err(format!(
                "KIOSQUE_COMMENTS_MODERATION: `{other}` is not `pre` or `post`"
            ));
        }
    };
    cfg.comments_trusted_after = ranged(
        "KIOSQUE_COMMENTS_TRUSTED_AFTER",
        cfg.comments_trusted_after,
        0,
        1_000_000,
    )?;
    cfg.comments_flags_to_queue = ranged(
        "KIOSQUE_COMMENTS_FLAGS_TO_QUEUE",
        cfg.comments_flags_to_queue,
        1,
        1_000_000,
    )?;
    cfg.comments_edit_window_minutes = ranged(
        "KIOSQUE_COMMENTS_EDIT_WINDOW_MINUTES",
        cfg.comments_edit_window_minutes,
        0,
        525_600,
    )?;
    cfg.comments_max_length = ranged(
        "KIOSQUE_COMMENTS_MAX_LENGTH",
        cfg.comments_max_length,
        10,
        100_000,
    )?;
    cfg.comments_per_hour = ranged(
        "KIOSQUE_COMMENTS_PER_HOUR",
        cfg.comments_per_hour,
        1,
        1_000_000,
    )?;
    cfg.comments_burst = ranged("KIOSQUE_COMMENTS_BURST", cfg.comments_burst, 1, 1_000_000)?;
    if let Some(raw) = var("KIOSQUE_COMMENTS_BLOCKED_WORDS") {
        cfg.comments_blocked_words = super::blocked_words(&raw);
    }
    cfg.comments_max_links = ranged(
        "KIOSQUE_COMMENTS_MAX_LINKS",
        cfg.comments_max_links,
        0,
        1_000,
    )?;
    Ok(())
}
