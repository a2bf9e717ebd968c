//! Tokens, password hashing and the sign-in limits.

use std::path::Path;
use std::time::Duration;

use rand::RngCore;

use super::{Config, Environment, ranged, var};

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    cfg.jwt_secret = match var("KIOSQUE_JWT_SECRET") {
        Some(s) if s.len() < 32 => {
            return Err("KIOSQUE_JWT_SECRET: must be at least 32 characters".into());
        }
        Some(s) => s.into_bytes(),
        None if cfg.env == Environment::Production => {
            return Err(
                "KIOSQUE_JWT_SECRET: required when KIOSQUE_ENV=production (32+ random characters)"
                    .into(),
            );
        }
        None => dev_secret(&cfg.data_dir)?,
    };
    if let Some(issuer) = var("KIOSQUE_JWT_ISSUER") {
        cfg.jwt_issuer = issuer;
    }
    if let Some(audience) = var("KIOSQUE_JWT_AUDIENCE") {
        cfg.jwt_audience = audience;
    }
    cfg.access_token_ttl = Duration::from_secs(ranged(
        "KIOSQUE_ACCESS_TOKEN_TTL_SECS",
        cfg.access_token_ttl.as_secs(),
        30,
        86_400,
    )?);
    cfg.refresh_token_ttl = Duration::from_secs(
        ranged(
            "KIOSQUE_REFRESH_TOKEN_TTL_DAYS",
            cfg.refresh_token_ttl.as_secs() / 86_400,
            1,
            365,
        )? * 86_400,
    );
    cfg.preview_token_ttl = Duration::from_secs(ranged(
        "KIOSQUE_PREVIEW_TOKEN_TTL_SECS",
        cfg.preview_token_ttl.as_secs(),
        60,
        86_400,
    )?);
    cfg.argon2_memory_kib = ranged(
        "KIOSQUE_ARGON2_MEMORY_KIB",
        cfg.argon2_memory_kib,
        8,
        1 << 21,
    )?;
    cfg.argon2_iterations = ranged("KIOSQUE_ARGON2_ITERATIONS", cfg.argon2_iterations, 1, 64)?;
    if cfg.env == Environment::Production
        && (cfg.argon2_memory_kib < 19_456 || cfg.argon2_iterations < 2)
    {
        return Err(
            "KIOSQUE_ARGON2_MEMORY_KIB: production needs at least 19456 KiB and 2 iterations"
                .into(),
        );
    }
    cfg.rate_auth_per_minute = ranged(
        "KIOSQUE_RATE_AUTH_PER_MINUTE",
        cfg.rate_auth_per_minute,
        1,
        100_000,
    )?;
    cfg.rate_auth_burst = ranged("KIOSQUE_RATE_AUTH_BURST", cfg.rate_auth_burst, 1, 100_000)?;
    cfg.signin_failures_per_hour = ranged(
        "KIOSQUE_SIGNIN_FAILURES_PER_HOUR",
        cfg.signin_failures_per_hour,
        1,
        100_000,
    )?;
    cfg.signin_failures_burst = ranged(
        "KIOSQUE_SIGNIN_FAILURES_BURST",
        cfg.signin_failures_burst,
        1,
        100_000,
    )?;
    cfg.audit_retention_days = ranged(
        "KIOSQUE_AUDIT_RETENTION_DAYS",
        cfg.audit_retention_days,
        1,
        36_500,
    )?;
    Ok(())
}

/// In development the JWT secret, when not set, is generated once and kept
/// beside the database so that tokens survive a restart.
fn dev_secret(data_dir: &Path) -> Result<Vec<u8>, String> {
    let path = data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        if existing.len() >= 32 {
            return Ok(existing.into_bytes());
        }
    }
    std::fs::create_dir_all(data_dir).map_err(|e| {
        format!(
            "KIOSQUE_DATA_DIR: cannot create {}: {e}",
            data_dir.display()
        )
    })?;
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, &secret)
        .map_err(|e| format!("KIOSQUE_DATA_DIR: cannot write {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    // start-up only, before logging is set up; a closed stderr is no reason to stop
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "warning: KIOSQUE_JWT_SECRET is not set; generated one and kept it in {} (set it in production)",
        path.display()
    );
    Ok(secret.into_bytes())
}
