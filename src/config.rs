//! Every setting, read from the environment (and `.env` when present), checked
//! at start-up. A wrong value stops the process with one line naming the variable.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rand::RngCore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
    Test,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database location with its backend decided from the URL scheme, never guessed.
#[derive(Debug, Clone)]
pub struct DatabaseUrl {
    pub backend: Backend,
    /// What the driver receives: a file path for SQLite, the URL for PostgreSQL.
    pub target: String,
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is empty".into());
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                target: raw.to_string(),
            });
        }
        if let Some((scheme, _)) = raw.split_once("://")
            && scheme != "sqlite"
        {
            return Err(format!(
                "scheme `{scheme}` is not supported (use sqlite://PATH or postgres://…)"
            ));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .unwrap_or(raw);
        if path.is_empty() {
            return Err("names no SQLite file".into());
        }
        Ok(Self {
            backend: Backend::Sqlite,
            target: path.to_string(),
        })
    }

    /// A URL safe to print: the password of a PostgreSQL URL is masked.
    pub fn redacted(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("sqlite://{}", self.target),
            Backend::Postgres => match (self.target.find("://"), self.target.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    let creds = &self.target[s + 3..at];
                    match creds.split_once(':') {
                        Some((user, _)) => {
                            format!("{}{user}:***{}", &self.target[..s + 3], &self.target[at..])
                        }
                        None => self.target.clone(),
                    }
                }
                _ => self.target.clone(),
            },
        }
    }
}

/// Where rate-limit counts live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateStore {
    /// In each process: fast, but several processes each count their own.
    Memory,
    /// In the database: shared by every process on it.
    Database,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub env: Environment,
    pub addr: SocketAddr,
    pub database: DatabaseUrl,
    pub db_pool_size: u32,
    pub db_connect_timeout: Duration,
    pub data_dir: PathBuf,
    pub workers: Option<usize>,
    pub jwt_secret: Vec<u8>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub cors_origins: Vec<String>,
    pub public_max_age: u32,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub rate_auth_per_minute: u32,
    pub rate_auth_burst: u32,
    pub log_filter: String,
    /// Take the client address from `Forwarded`/`X-Forwarded-For` (behind a trusted proxy only).
    pub trust_proxy: bool,
    /// Where rate limits are counted (default: the database on PostgreSQL, memory on SQLite).
    pub rate_store: RateStore,
    /// Submissions (job offers, events) a member may post per hour.
    pub submissions_per_hour: u32,
    /// Lifetime of a job offer published without `expires_at`, in days.
    pub job_default_days: u32,
    /// Let a voter change their vote while the poll is open.
    pub poll_allow_vote_change: bool,
    /// Anonymous votes per client address: sustained per hour, and the burst allowed at once.
    pub poll_votes_per_hour_per_ip: u32,
    pub poll_votes_burst: u32,
    /// Comments: guests (name and e-mail, no account) may comment and flag.
    pub comments_guests: bool,
    /// Comments: pre-moderation (new comments wait in the queue) or post-moderation.
    pub comments_moderation: ModerationMode,
    /// Comments: approved comments after which a member skips pre-moderation.
    pub comments_trusted_after: i32,
    /// Comments: readers' flags that send an approved comment back to the queue.
    pub comments_flags_to_queue: i32,
    /// Comments: minutes during which the author may edit a comment.
    pub comments_edit_window_minutes: i64,
    /// Comments: longest body, in characters.
    pub comments_max_length: usize,
    /// Comments: posts per hour per member and per address, and the burst allowed at once.
    pub comments_per_hour: u32,
    pub comments_burst: u32,
    /// Comments: words (or phrases) that send a comment to the queue, folded to
    /// lower-case ASCII words (`é` → `e`).
    pub comments_blocked_words: Vec<Vec<String>>,
    /// Comments: more links than this sends a comment to the queue.
    pub comments_max_links: usize,
    /// Failed sign-ins per account and address: sustained per hour, and at once.
    pub signin_failures_per_hour: u32,
    pub signin_failures_burst: u32,
    /// Audit log: days an entry is kept.
    pub audit_retention_days: u32,
}

/// When readers' comments are checked by a moderator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModerationMode {
    /// New comments are `pending` until approved.
    Pre,
    /// New comments are published at once; moderators remove them afterwards.
    Post,
}

/// A comma-separated list of blocked words, each folded into its words.
pub fn blocked_words(raw: &str) -> Vec<Vec<String>> {
    raw.split(',')
        .map(crate::comments::rules::fold_words)
        .filter(|w| !w.is_empty())
        .collect()
}

/// Reads a variable; `None` when unset or empty.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|e| format!("{name}: `{raw}` is not valid ({e})")),
    }
}

fn ranged<T>(name: &str, default: T, min: T, max: T) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    T::Err: std::fmt::Display,
{
    let value = parsed(name, default)?;
    if value < min || value > max {
        return Err(format!("{name}: {value} is outside {min}..={max}"));
    }
    Ok(value)
}

impl Config {
    /// Reads the whole configuration. The error names the variable at fault.
    pub fn from_env() -> Result<Self, String> {
        let env = match var("KIOSQUE_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some("test") => Environment::Test,
            Some(other) => {
                return Err(format!(
                    "KIOSQUE_ENV: `{other}` is not one of development, production, test"
                ));
            }
        };
        let addr: SocketAddr = parsed("KIOSQUE_ADDR", "127.0.0.1:8080".parse().unwrap())?;
        let data_dir = PathBuf::from(var("KIOSQUE_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database = match var("DATABASE_URL") {
            Some(raw) => DatabaseUrl::parse(&raw).map_err(|e| format!("DATABASE_URL: {e}"))?,
            None => DatabaseUrl {
                backend: Backend::Sqlite,
                target: data_dir.join("kiosque.db").to_string_lossy().into_owned(),
            },
        };
        let default_pool = match database.backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let jwt_secret = match var("KIOSQUE_JWT_SECRET") {
            Some(s) if s.len() < 32 => {
                return Err("KIOSQUE_JWT_SECRET: must be at least 32 characters".into());
            }
            Some(s) => s.into_bytes(),
            None if env == Environment::Production => {
                return Err(
                    "KIOSQUE_JWT_SECRET: required when KIOSQUE_ENV=production (32+ random characters)"
                        .into(),
                );
            }
            None => dev_secret(&data_dir)?,
        };
        let cors_origins = var("KIOSQUE_CORS_ORIGINS")
            .map(|s| {
                s.split(',')
                    .map(|o| o.trim().to_string())
                    .filter(|o| !o.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for origin in &cors_origins {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) {
                return Err(format!(
                    "KIOSQUE_CORS_ORIGINS: `{origin}` is not an http(s) origin"
                ));
            }
        }
        let argon2_memory_kib = ranged("KIOSQUE_ARGON2_MEMORY_KIB", 19_456u32, 8, 1 << 21)?;
        let argon2_iterations = ranged("KIOSQUE_ARGON2_ITERATIONS", 2u32, 1, 64)?;
        if env == Environment::Production && (argon2_memory_kib < 19_456 || argon2_iterations < 2) {
            return Err(
                "KIOSQUE_ARGON2_MEMORY_KIB: production needs at least 19456 KiB and 2 iterations"
                    .into(),
            );
        }
        let workers = match var("KIOSQUE_WORKERS") {
            None => None,
            Some(_) => Some(ranged("KIOSQUE_WORKERS", 1usize, 1, 256)?),
        };
        let rate_store = match var("KIOSQUE_RATE_LIMIT_STORE").as_deref() {
            Some("memory") => RateStore::Memory,
            Some("database") => RateStore::Database,
            None => match database.backend {
                Backend::Postgres => RateStore::Database,
                Backend::Sqlite => RateStore::Memory,
            },
            Some(other) => {
                return Err(format!(
                    "KIOSQUE_RATE_LIMIT_STORE: `{other}` is not one of memory, database"
                ));
            }
        };
        Ok(Self {
            env,
            addr,
            database,
            db_pool_size: ranged("KIOSQUE_DB_POOL_SIZE", default_pool, 1, 512)?,
            db_connect_timeout: Duration::from_secs(ranged(
                "KIOSQUE_DB_CONNECT_TIMEOUT_SECS",
                5u64,
                1,
                120,
            )?),
            data_dir,
            workers,
            jwt_secret,
            jwt_issuer: var("KIOSQUE_JWT_ISSUER").unwrap_or_else(|| "kiosque".into()),
            jwt_audience: var("KIOSQUE_JWT_AUDIENCE").unwrap_or_else(|| "kiosque-api".into()),
            access_token_ttl: Duration::from_secs(ranged(
                "KIOSQUE_ACCESS_TOKEN_TTL_SECS",
                900u64,
                30,
                86_400,
            )?),
            refresh_token_ttl: Duration::from_secs(
                ranged("KIOSQUE_REFRESH_TOKEN_TTL_DAYS", 30u64, 1, 365)? * 86_400,
            ),
            max_body_bytes: ranged("KIOSQUE_MAX_BODY_BYTES", 262_144usize, 1_024, 64 << 20)?,
            request_timeout: Duration::from_secs(ranged(
                "KIOSQUE_REQUEST_TIMEOUT_SECS",
                30u64,
                1,
                600,
            )?),
            cors_origins,
            public_max_age: ranged("KIOSQUE_PUBLIC_MAX_AGE_SECS", 60u32, 0, 86_400)?,
            argon2_memory_kib,
            argon2_iterations,
            rate_auth_per_minute: ranged("KIOSQUE_RATE_AUTH_PER_MINUTE", 10u32, 1, 100_000)?,
            rate_auth_burst: ranged("KIOSQUE_RATE_AUTH_BURST", 5u32, 1, 100_000)?,
            log_filter: var("KIOSQUE_LOG")
                .or_else(|| var("RUST_LOG"))
                .unwrap_or_else(|| "info".into()),
            trust_proxy: parsed("KIOSQUE_TRUST_PROXY", false)?,
            rate_store,
            submissions_per_hour: ranged("KIOSQUE_SUBMISSIONS_PER_HOUR", 10u32, 1, 100_000)?,
            job_default_days: ranged("KIOSQUE_JOB_DEFAULT_DAYS", 30u32, 1, 365)?,
            poll_allow_vote_change: parsed("KIOSQUE_POLL_ALLOW_VOTE_CHANGE", false)?,
            poll_votes_per_hour_per_ip: ranged(
                "KIOSQUE_POLL_VOTES_PER_HOUR_PER_IP",
                120u32,
                1,
                1_000_000,
            )?,
            poll_votes_burst: ranged("KIOSQUE_POLL_VOTES_BURST", 30u32, 1, 1_000_000)?,
            comments_guests: parsed("KIOSQUE_COMMENTS_GUESTS", false)?,
            comments_moderation: match var("KIOSQUE_COMMENTS_MODERATION").as_deref() {
                None | Some("pre") => ModerationMode::Pre,
                Some("post") => ModerationMode::Post,
                Some(other) => {
                    return Err(format!(
                        "KIOSQUE_COMMENTS_MODERATION: `{other}` is not `pre` or `post`"
                    ));
                }
            },
            comments_trusted_after: ranged("KIOSQUE_COMMENTS_TRUSTED_AFTER", 3i32, 0, 1_000_000)?,
            comments_flags_to_queue: ranged("KIOSQUE_COMMENTS_FLAGS_TO_QUEUE", 3i32, 1, 1_000_000)?,
            comments_edit_window_minutes: ranged(
                "KIOSQUE_COMMENTS_EDIT_WINDOW_MINUTES",
                15i64,
                0,
                525_600,
            )?,
            comments_max_length: ranged("KIOSQUE_COMMENTS_MAX_LENGTH", 5_000usize, 10, 100_000)?,
            comments_per_hour: ranged("KIOSQUE_COMMENTS_PER_HOUR", 20u32, 1, 1_000_000)?,
            comments_burst: ranged("KIOSQUE_COMMENTS_BURST", 5u32, 1, 1_000_000)?,
            comments_blocked_words: blocked_words(
                &var("KIOSQUE_COMMENTS_BLOCKED_WORDS").unwrap_or_default(),
            ),
            comments_max_links: ranged("KIOSQUE_COMMENTS_MAX_LINKS", 2usize, 0, 1_000)?,
            signin_failures_per_hour: ranged(
                "KIOSQUE_SIGNIN_FAILURES_PER_HOUR",
                12u32,
                1,
                100_000,
            )?,
            signin_failures_burst: ranged("KIOSQUE_SIGNIN_FAILURES_BURST", 5u32, 1, 100_000)?,
            audit_retention_days: ranged("KIOSQUE_AUDIT_RETENTION_DAYS", 365u32, 1, 36_500)?,
        })
    }

    /// A configuration for tests and tools: development defaults, a given database,
    /// a fixed secret and light password hashing.
    pub fn for_tests(database: DatabaseUrl, data_dir: PathBuf) -> Self {
        let rate_store = if database.backend == Backend::Postgres {
            RateStore::Database
        } else {
            RateStore::Memory
        };
        Self {
            env: Environment::Test,
            addr: "127.0.0.1:0".parse().unwrap(),
            database,
            db_pool_size: 4,
            db_connect_timeout: Duration::from_secs(5),
            data_dir,
            workers: Some(1),
            jwt_secret: b"test-secret-test-secret-test-secret!".to_vec(),
            jwt_issuer: "kiosque".into(),
            jwt_audience: "kiosque-api".into(),
            access_token_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(30 * 86_400),
            max_body_bytes: 262_144,
            request_timeout: Duration::from_secs(30),
            cors_origins: vec!["https://front.example".into()],
            public_max_age: 60,
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            rate_auth_per_minute: 1_000,
            rate_auth_burst: 1_000,
            log_filter: "warn".into(),
            trust_proxy: false,
            rate_store,
            submissions_per_hour: 10,
            job_default_days: 30,
            poll_allow_vote_change: false,
            poll_votes_per_hour_per_ip: 120,
            poll_votes_burst: 30,
            comments_guests: false,
            comments_moderation: ModerationMode::Pre,
            comments_trusted_after: 3,
            comments_flags_to_queue: 3,
            comments_edit_window_minutes: 15,
            comments_max_length: 5_000,
            comments_per_hour: 20,
            comments_burst: 5,
            comments_blocked_words: Vec::new(),
            comments_max_links: 2,
            signin_failures_per_hour: 100_000,
            signin_failures_burst: 1_000,
            audit_retention_days: 365,
        }
    }
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
    eprintln!(
        "warning: KIOSQUE_JWT_SECRET is not set; generated one and kept it in {} (set it in production)",
        path.display()
    );
    Ok(secret.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_backend_from_the_scheme() {
        let pg = DatabaseUrl::parse("postgres://u:secret@h/db").unwrap();
        assert_eq!(pg.backend, Backend::Postgres);
        assert_eq!(pg.redacted(), "postgres://u:***@h/db");
        let sq = DatabaseUrl::parse("sqlite://data/x.db").unwrap();
        assert_eq!(
            (sq.backend, sq.target.as_str()),
            (Backend::Sqlite, "data/x.db")
        );
        assert_eq!(DatabaseUrl::parse("x.db").unwrap().backend, Backend::Sqlite);
        assert!(DatabaseUrl::parse("mysql://h/db").is_err());
    }
}
