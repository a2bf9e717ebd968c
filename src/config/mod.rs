//! Every setting, read from the environment (and `.env` when present), checked
//! at start-up. A wrong value stops the process with one line naming the variable.
//!
//! [`Config::defaults`] holds every default in one place; each area then reads
//! its own variables over them (`server`, `database`, `auth`, `content`,
//! `comments`). Settings depend on nothing above them.

mod auth;
mod changes;
mod comments;
mod content;
mod database;
mod mail;
mod media;
mod outbound;
mod scheduler;
mod server;
mod webhooks;

pub use outbound::{Cidr, OutboundSettings};
pub use webhooks::{WebhookSettings, parse_schedule};
mod site;
mod weather;

pub use site::Site;
pub use weather::{Provider as WeatherProvider, Town as WeatherTown, Weather};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use mail::{EraseComments, MailConfig, MailTransport, SmtpSecurity};
pub use media::{MediaSettings, S3Settings, Storage};

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
    /// PostgreSQL streaming replicas that take reads (`KIOSQUE_DATABASE_REPLICA_URLS`).
    pub replicas: Vec<DatabaseUrl>,
    /// A replica further behind the primary than this is taken out of the reads.
    pub replica_max_lag: Duration,
    /// How often each replica's state and lag are measured.
    pub replica_check: Duration,
    pub data_dir: PathBuf,
    pub workers: Option<usize>,
    pub jwt_secret: Vec<u8>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// How long a draft's preview token opens it (`POST /articles/{id}/preview`).
    pub preview_token_ttl: Duration,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub cors_origins: Vec<String>,
    pub public_max_age: u32,
    /// Memory for the response cache of anonymous public reads, bytes (0: off).
    pub cache_bytes: usize,
    /// The longest an entry of the response cache is served, a safety net
    /// behind exact invalidation (changes the content's own rows cannot foresee).
    pub cache_ttl: Duration,
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
    /// Mail and members' links (`config/mail.rs`).
    pub mail: MailConfig,
    /// Who may read `/metrics`.
    pub metrics: MetricsAccess,
    /// Full-text searches run at once; more wait up to `search_wait`, then 503.
    pub search_concurrency: usize,
    pub search_wait: Duration,
    /// Searches per client address: sustained per minute, and the burst allowed at once.
    pub search_per_minute: u32,
    pub search_burst: u32,
    /// Failed sign-ins per account and address: sustained per hour, and at once.
    pub signin_failures_per_hour: u32,
    pub signin_failures_burst: u32,
    /// Audit log: days an entry is kept.
    pub audit_retention_days: u32,
    /// Change feed: days a change is kept (a cursor older than that gets 410).
    pub changes_retention_days: u32,
    /// Whether this node runs timed work (scheduled publications, expiries,
    /// closings) when it holds the lease; off, it never leads.
    pub scheduler: bool,
    /// How often the scheduler looks for due work (and the lease holder
    /// checks its lease; another node takes over within about that long).
    pub scheduler_tick: Duration,
    /// Calls out (webhooks, providers): allowed private ranges, time, bytes.
    pub outbound: OutboundSettings,
    /// Webhooks: retries, disabling, secret rotation, concurrency, log.
    pub webhooks: WebhookSettings,
    /// The media library (`KIOSQUE_MEDIA_*`).
    pub media: MediaSettings,
    /// The public site: its address, page paths, feeds and sitemaps.
    pub site: Site,
    /// The weather box: staleness and the optional provider fetcher.
    pub weather: Weather,
}

/// Who may read `/metrics`.
#[derive(Clone, PartialEq, Eq)]
pub enum MetricsAccess {
    /// Anyone (the default outside production).
    Open,
    /// Whoever sends this bearer token.
    Token(String),
    /// Nobody (the default in production without a token).
    Closed,
}

impl std::fmt::Debug for MetricsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // the token is a secret: never printed
        match self {
            MetricsAccess::Open => f.write_str("Open"),
            MetricsAccess::Token(_) => f.write_str("Token(***)"),
            MetricsAccess::Closed => f.write_str("Closed"),
        }
    }
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
        .map(crate::text::fold_words)
        .filter(|w| !w.is_empty())
        .collect()
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
        let (data_dir, database) = database::location()?;
        let mut cfg = Self::defaults(env, database, data_dir);
        server::read(&mut cfg)?;
        database::read(&mut cfg)?;
        auth::read(&mut cfg)?;
        content::read(&mut cfg)?;
        comments::read(&mut cfg)?;
        changes::read(&mut cfg)?;
        scheduler::read(&mut cfg)?;
        outbound::read(&mut cfg)?;
        webhooks::read(&mut cfg)?;
        media::read(&mut cfg)?;
        site::read(&mut cfg)?;
        weather::read(&mut cfg)?;
        mail::read(&mut cfg)?;
        Ok(cfg)
    }

    /// Every default, as `.env.example` documents it. The JWT secret is left
    /// empty: [`Config::from_env`] requires or generates it.
    pub fn defaults(env: Environment, database: DatabaseUrl, data_dir: PathBuf) -> Self {
        let (db_pool_size, rate_store) = match database.backend {
            Backend::Sqlite => (8, RateStore::Memory),
            Backend::Postgres => (16, RateStore::Database),
        };
        let media = MediaSettings::defaults(&data_dir);
        Self {
            env,
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database,
            db_pool_size,
            db_connect_timeout: Duration::from_secs(5),
            replicas: Vec::new(),
            replica_max_lag: Duration::from_millis(1_000),
            replica_check: Duration::from_millis(250),
            data_dir,
            workers: None,
            jwt_secret: Vec::new(),
            jwt_issuer: "kiosque".into(),
            jwt_audience: "kiosque-api".into(),
            access_token_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(30 * 86_400),
            preview_token_ttl: Duration::from_secs(3_600),
            max_body_bytes: 262_144,
            request_timeout: Duration::from_secs(30),
            cors_origins: Vec::new(),
            public_max_age: 60,
            cache_bytes: 8 << 20,
            cache_ttl: Duration::from_secs(300),
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            rate_auth_per_minute: 10,
            rate_auth_burst: 5,
            log_filter: "info".into(),
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
            mail: MailConfig::defaults(),
            metrics: if env == Environment::Production {
                MetricsAccess::Closed
            } else {
                MetricsAccess::Open
            },
            search_concurrency: 4,
            search_wait: Duration::from_millis(1_000),
            search_per_minute: 60,
            search_burst: 20,
            signin_failures_per_hour: 12,
            signin_failures_burst: 5,
            audit_retention_days: 365,
            changes_retention_days: 30,
            scheduler: true,
            scheduler_tick: Duration::from_millis(1_000),
            outbound: OutboundSettings::default(),
            webhooks: WebhookSettings::default(),
            media,
            site: Site::defaults(),
            weather: Weather::defaults(),
        }
    }

    /// A configuration for tests and tools: development defaults, a given database,
    /// a fixed secret, light password hashing and generous sign-in limits.
    pub fn for_tests(database: DatabaseUrl, data_dir: PathBuf) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db_pool_size: 4,
            workers: Some(1),
            jwt_secret: b"test-secret-test-secret-test-secret!".to_vec(),
            cors_origins: vec!["https://front.example".into()],
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            rate_auth_per_minute: 1_000,
            rate_auth_burst: 1_000,
            log_filter: "warn".into(),
            search_per_minute: 10_000,
            search_burst: 10_000,
            signin_failures_per_hour: 100_000,
            signin_failures_burst: 1_000,
            // timed work runs only in the tests that ask for it, quickly
            scheduler: false,
            scheduler_tick: Duration::from_millis(100),
            // the suite's members are not held back by their unverified address
            mail: MailConfig {
                unverified_may_participate: true,
                per_hour: 10_000,
                burst: 1_000,
                ..MailConfig::defaults()
            },
            ..Self::defaults(Environment::Test, database, data_dir)
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variable read is documented in `.env.example`, and nothing
    /// documented there is left unread.
    #[test]
    fn env_example_names_every_variable_read() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("server.rs"),
            include_str!("database.rs"),
            include_str!("auth.rs"),
            include_str!("content.rs"),
            include_str!("comments.rs"),
            include_str!("changes.rs"),
            include_str!("scheduler.rs"),
            include_str!("outbound.rs"),
            include_str!("webhooks.rs"),
            include_str!("media.rs"),
            include_str!("site.rs"),
            include_str!("weather.rs"),
            include_str!("mail.rs"),
        ]
        .concat();
        let example = include_str!("../../.env.example");
        let names = |text: &str, quoted: bool| -> std::collections::BTreeSet<String> {
            text.split(|c: char| {
                !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '"')
            })
            .filter_map(|w| {
                let bare = w.trim_matches('"');
                let is_quoted = w.len() == bare.len() + 2;
                ((!quoted || is_quoted)
                    && (bare.starts_with("KIOSQUE_") || bare == "DATABASE_URL")
                    && bare.len() > 8)
                    .then(|| bare.to_string())
            })
            .collect()
        };
        let read = names(&sources, true);
        assert!(read.len() > 40, "the sources were read: {read:?}");
        let documented = names(example, false);
        let mut read_only_here: Vec<_> = read.difference(&documented).collect();
        read_only_here.retain(|n| *n != "KIOSQUE_TEST_POSTGRES_URL");
        assert!(
            read_only_here.is_empty(),
            "undocumented: {read_only_here:?}"
        );
        let unread: Vec<_> = documented.difference(&read).collect();
        assert!(unread.is_empty(), "documented but never read: {unread:?}");
    }

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
