//! One pool over either backend. The backend is chosen from the URL scheme
//! (never by trying each driver in turn), and each SQLite connection is set up
//! for safe concurrent use before it enters the pool.

pub mod error;
pub mod replicas;
pub mod schema;
pub mod search;
pub mod totals;
pub mod touched;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::{Backend, DatabaseUrl};
pub use error::DbError;
pub use replicas::ReplicaStatus;
use replicas::Replicas;
pub use touched::{Touched, touch};

tokio::task_local! {
    /// Set for the work of a request whose reads must see the primary (see
    /// [`on_primary`]).
    static PRIMARY_ONLY: bool;
}

/// Runs `work` with every read of [`Db::run_as`] on the primary: the
/// requests whose reads must see every committed write, wherever it was made
/// (a write's own checks, a signed-in caller).
pub async fn on_primary<F: std::future::Future>(work: F) -> F::Output {
    PRIMARY_ONLY.scope(true, work).await
}

fn primary_only() -> bool {
    PRIMARY_ONLY.try_with(|v| *v).unwrap_or(false)
}

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

impl AnyConnection {
    pub fn backend(&self) -> Backend {
        match self {
            AnyConnection::Postgres(_) => Backend::Postgres,
            AnyConnection::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Opens one connection of the backend the URL names.
    pub fn open(url: &DatabaseUrl) -> ConnectionResult<Self> {
        match url.backend {
            Backend::Postgres => PgConnection::establish(&url.target).map(AnyConnection::Postgres),
            Backend::Sqlite => {
                if let Some(dir) = std::path::Path::new(&url.target).parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        ConnectionError::BadConnection(format!(
                            "cannot create {}: {e}",
                            dir.display()
                        ))
                    })?;
                }
                let mut conn = SqliteConnection::establish(&url.target)?;
                // busy_timeout first: switching to WAL takes a lock that parallel
                // openers would otherwise see as "database is locked".
                // synchronous = NORMAL in WAL mode: a commit is written to the
                // WAL but synced to disk only at checkpoints. The file never
                // corrupts, and a commit survives the process's crash; only
                // an OS crash or power loss may lose the last commits. FULL
                // (a sync per commit) made every writer wait its turn behind
                // the previous writer's sync.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_MS};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;"
                ))
                .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                // the search triggers stem through it
                search::register_stemmer(&mut conn)
                    .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    pub fn run_pending_migrations(&mut self) -> Result<usize, String> {
        let applied = match self {
            AnyConnection::Postgres(c) => c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len()),
            AnyConnection::Sqlite(c) => {
                c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len())
            }
        };
        applied.map_err(|e| e.to_string())
    }

    pub fn has_pending_migrations(&mut self) -> Result<bool, String> {
        let pending = match self {
            AnyConnection::Postgres(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
            AnyConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        };
        pending.map_err(|e| e.to_string())
    }
}

/// Runs `f` in a transaction that takes the write lock at once on SQLite
/// (`BEGIN IMMEDIATE`), so concurrent writers wait on the busy timeout instead
/// of failing when a read lock cannot be upgraded. On PostgreSQL it is an
/// ordinary transaction.
pub fn write_tx<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        AnyConnection::Postgres(_) => conn.transaction(f),
        AnyConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => {
                    <AnyConnection as Connection>::TransactionManager::commit_transaction(conn)?;
                    Ok(value)
                }
                Err(err) => {
                    // SQLite may have rolled back already (a full disk, an
                    // interrupted statement): the first error is the one to
                    // report; a failed rollback marks the connection broken
                    let _ = <AnyConnection as Connection>::TransactionManager::rollback_transaction(
                        conn,
                    );
                    Err(err)
                }
            }
        }
    }
}

/// Runs `f` as a write that must not wait for a lock: on SQLite the busy
/// timeout is lifted for its duration (on PostgreSQL, a lock is awaited
/// 100 ms at most), so when another writer holds the lock
/// it fails at once instead of holding a connection (and a read request)
/// for seconds. For bookkeeping a read may do (an API key's last use), whose
/// loss costs nothing.
pub fn write_now<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> diesel::QueryResult<T>,
) -> diesel::QueryResult<T> {
    match conn {
        AnyConnection::Postgres(_) => conn.transaction(|c| {
            c.batch_execute("SET LOCAL lock_timeout = '100ms'")?;
            f(c)
        }),
        AnyConnection::Sqlite(_) => {
            conn.batch_execute("PRAGMA busy_timeout = 0")?;
            let result = f(conn);
            conn.batch_execute(&format!("PRAGMA busy_timeout = {SQLITE_BUSY_MS}"))?;
            result
        }
    }
}

/// How long a SQLite writer waits for another writer's lock.
const SQLITE_BUSY_MS: u32 = 10_000;

/// What the pool learns of the database from the statements it runs.
#[derive(Default)]
struct Health {
    /// When a statement last ran, in ms since the pool's start.
    last_activity_ms: AtomicU64,
    /// When a statement last failed on a lost connection (ms since start, plus one; 0: never).
    last_lost_ms: AtomicU64,
    /// Statements this server could not serve (connection lost, a write
    /// refused by a read-only replica, a read cancelled by replay): a read on
    /// a replica that failed so is run again on the primary.
    refused: AtomicU64,
}

#[derive(Clone)]
pub struct Manager {
    url: DatabaseUrl,
    queries: Arc<AtomicU64>,
    epoch: Instant,
    health: Arc<Health>,
}

/// PostgreSQL connections are checked (`SELECT 1`) before use when the pool
/// has been idle this long, or lost a connection this recently: after an
/// outage or a restart of the server the idle connections are dead, and each
/// would otherwise fail the request that draws it. A busy, healthy pool
/// checks nothing.
const PG_IDLE_CHECK_MS: u64 = 1_000;
const PG_AFTER_LOSS_CHECK_MS: u64 = 60_000;

impl Manager {
    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn must_check(&self) -> bool {
        let now = self.now_ms();
        let idle = now.saturating_sub(self.health.last_activity_ms.load(Ordering::Relaxed));
        let lost = self.health.last_lost_ms.load(Ordering::Relaxed);
        idle >= PG_IDLE_CHECK_MS
            || (lost > 0 && now.saturating_sub(lost - 1) < PG_AFTER_LOSS_CHECK_MS)
    }
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        let mut conn = AnyConnection::open(&self.url).map_err(r2d2::Error::ConnectionError)?;
        // Count every statement (`kiosque_db_queries_total`, and the proof in
        // tests that a list page costs a fixed number of queries), note when
        // the pool was last active and last lost a connection.
        let queries = self.queries.clone();
        let health = self.health.clone();
        let epoch = self.epoch;
        conn.set_instrumentation(move |event: diesel::connection::InstrumentationEvent<'_>| {
            use diesel::connection::InstrumentationEvent as E;
            let now = epoch.elapsed().as_millis() as u64;
            match event {
                E::StartQuery { .. } => {
                    queries.fetch_add(1, Ordering::Relaxed);
                }
                E::FinishQuery {
                    error: Some(err), ..
                } if error::is_lost_connection(err) => {
                    health.last_lost_ms.store(now + 1, Ordering::Relaxed);
                    health.refused.fetch_add(1, Ordering::Relaxed);
                }
                E::FinishQuery {
                    error: Some(err), ..
                } if error::is_replica_refusal(err) => {
                    health.refused.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
            health.last_activity_ms.store(now, Ordering::Relaxed);
        });
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        match conn {
            // a SQLite file does not go away under an open connection
            AnyConnection::Sqlite(_) => Ok(()),
            AnyConnection::Postgres(_) if !self.must_check() => Ok(()),
            AnyConnection::Postgres(_) => conn
                .batch_execute("SELECT 1")
                .map_err(r2d2::Error::QueryError),
        }
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.is_broken()
    }
}

pub type PooledConn = r2d2::PooledConnection<Manager>;

/// SQLite's one writer per process: writers take turns on its lock, and use
/// its own connection, out of the pool, so that a writer never waits for a
/// connection that readers hold (nor readers for one a queue of writers
/// holds). WAL lets readers run beside it.
struct Writer {
    manager: Manager,
    conn: std::sync::Mutex<Option<AnyConnection>>,
}

impl Writer {
    /// Runs `f` on the writer connection, in turn with every other writer.
    fn with<T, E>(&self, f: impl FnOnce(&mut AnyConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(
                self.manager
                    .connect()
                    .map_err(|e| E::from(DbError::Unavailable(e.to_string())))?,
            );
        }
        let conn = slot.as_mut().expect("opened above");
        let done = f(conn);
        if done.is_err() {
            use diesel::r2d2::R2D2Connection;
            // a connection left in a transaction or broken is opened afresh
            if conn.is_broken() {
                *slot = None;
            }
        }
        done
    }
}

/// The shared pool. Cloning is cheap.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    queries: Arc<AtomicU64>,
    /// SQLite's writer (see [`Writer`]); shared with the companion pools.
    writer: Arc<Writer>,
    /// Woken after every committed write transaction, so that readers waiting
    /// for news (the change feed's long polls) look again at once.
    commits: Arc<tokio::sync::Notify>,
    /// Counts the commits this process has heard of (its own, and those of
    /// other nodes once a listener reports them through [`Db::wake`]): an
    /// answer computed at generation g is current while the count is g.
    generation: Arc<AtomicU64>,
    /// Who hears of the cache keys each write touches (see `touched.rs`).
    touched: touched::HookSlot,
    /// This node's id in its notifications (random per process start).
    node: u64,
    /// PostgreSQL read replicas, when configured.
    replicas: Option<Arc<Replicas>>,
}

impl Db {
    /// Builds the pool lazily: start-up does not wait for the database, and a
    /// missing database shows up as 503 answers and a failing `/readyz`.
    pub fn new(url: &DatabaseUrl, size: u32, timeout: Duration) -> Self {
        let queries = Arc::new(AtomicU64::new(0));
        let manager = Manager {
            url: url.clone(),
            queries: queries.clone(),
            epoch: Instant::now(),
            health: Arc::default(),
        };
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(0))
            .connection_timeout(timeout)
            // `is_valid` costs nothing on a busy, healthy pool: see `must_check`
            .test_on_check_out(true)
            .build_unchecked(manager.clone());
        Self {
            pool,
            backend: url.backend,
            queries,
            writer: Arc::new(Writer {
                manager,
                conn: std::sync::Mutex::new(None),
            }),
            commits: Arc::default(),
            generation: Arc::default(),
            touched: Arc::default(),
            node: rand::random::<u64>() | 1,
            replicas: None,
        }
    }

    /// Adds read replicas (PostgreSQL): reads of [`Db::run_as`] go to them
    /// when they have replayed every write this node knows of. Starts the
    /// thread that measures them; it stops with the last clone of this pool.
    pub fn with_replicas(
        mut self,
        urls: &[DatabaseUrl],
        size: u32,
        max_lag: Duration,
        check: Duration,
    ) -> Self {
        if urls.is_empty() || self.backend != Backend::Postgres {
            return self;
        }
        let replicas = Replicas::new(urls, size, max_lag, check, Instant::now());
        replicas.start(&self.writer.manager.url);
        self.replicas = Some(replicas);
        self
    }

    /// A second, small pool on the same database for background work (the
    /// webhook worker): its own connections, so that work never takes a
    /// request's, and its own query count and commit signal (its writes are
    /// bookkeeping, not news for readers). It reads from the primary only.
    /// SQLite writers of both pools still take turns.
    pub fn companion(&self, url: &DatabaseUrl, size: u32) -> Db {
        let queries = Arc::new(AtomicU64::new(0));
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(0))
            .connection_timeout(self.pool.connection_timeout())
            .test_on_check_out(true)
            .build_unchecked(Manager {
                url: url.clone(),
                queries: queries.clone(),
                epoch: Instant::now(),
                health: Arc::default(),
            });
        Db {
            pool,
            backend: self.backend,
            queries,
            writer: self.writer.clone(),
            commits: Arc::default(),
            generation: Arc::default(),
            // its writes (timed work) touch what readers of the main pool see
            touched: self.touched.clone(),
            node: self.node,
            replicas: None,
        }
    }

    /// Signalled after each write transaction of this process commits (and
    /// after each [`Db::wake`]).
    pub fn commits(&self) -> &tokio::sync::Notify {
        &self.commits
    }

    /// This node's id in its notifications.
    pub fn node(&self) -> u64 {
        self.node
    }

    /// The number of commits heard of so far (see the field's comment).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Reports another node's commit (or commits maybe missed while the
    /// listener was away). Bumps the generation, then wakes the waiters;
    /// reads stay on the primary until the replicas are known to have it.
    pub fn wake(&self) {
        if let Some(replicas) = &self.replicas {
            replicas.heard();
        }
        self.committed();
    }

    /// Reports this process's own commit.
    fn committed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.commits.notify_waiters();
    }

    /// Statements run through this pool since start.
    pub fn query_count(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection to the primary.
    pub fn get(&self) -> Result<PooledConn, DbError> {
        Ok(self.pool.get()?)
    }

    /// (connections in use, idle connections) of the primary's pool
    pub fn usage(&self) -> (u32, u32) {
        let state = self.pool.state();
        (
            state.connections - state.idle_connections,
            state.idle_connections,
        )
    }

    /// Each replica's state, lag and reads served (empty without replicas),
    /// and the reads the primary served while replicas were configured.
    pub fn replica_status(&self) -> (Vec<ReplicaStatus>, u64) {
        match &self.replicas {
            Some(r) => (r.status(), r.primary_reads.load(Ordering::Relaxed)),
            None => (Vec::new(), 0),
        }
    }

    /// Runs a read off the async workers, on a replica that has every write
    /// this node knows of when there is one (else on the primary), failing
    /// with any error type that can tell a database failure (the API's
    /// `run`, in `error.rs`, fixes it to the HTTP error). A copy of `f` may
    /// run a second time: when a replica goes away (or refuses) under it, it
    /// runs again on the primary (hence `Clone`: what a read captures is
    /// small). A read that writes bookkeeping, or must see other nodes'
    /// latest writes, uses [`Db::primary_as`].
    pub async fn run_as<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Clone + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.clone();
        let on_replica = !primary_only();
        actix_web::web::block(move || {
            touched::enter(pool.node);
            let done = pool.read_somewhere(on_replica, f);
            // a read that wrote on its own (a transaction of its own) hands over what it touched
            pool.hand_over();
            done
        })
        .await
        .map_err(|e| E::from(DbError::Other(format!("blocking task failed: {e}"))))?
    }

    /// Runs `f` on a healthy replica when allowed, else (or when the replica
    /// is lost meanwhile) on the primary.
    fn read_somewhere<T, E, F>(&self, on_replica: bool, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Clone,
        E: From<DbError>,
    {
        let pool = self;
        {
            if let Some(set) = pool.replicas.as_deref() {
                if on_replica && let Some(replica) = set.pick() {
                    match replica.pool.get() {
                        Ok(mut conn) => {
                            let before = replica.health.refused.load(Ordering::Acquire);
                            let done = f.clone()(&mut conn);
                            if done.is_ok()
                                || replica.health.refused.load(Ordering::Acquire) == before
                            {
                                set.served(Some(replica));
                                return done;
                            }
                            set.lost(replica);
                        }
                        Err(_) => set.lost(replica),
                    }
                }
                set.served(None);
            }
            let mut conn = pool.get()?;
            f(&mut conn)
        }
    }

    /// Runs work on the primary, off the async workers: a read that must
    /// see every committed write, or a single-statement write whose loss in a
    /// crash costs nothing and that tells readers no news (use
    /// [`Db::note_as`] for those on SQLite).
    pub async fn primary_as<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.clone();
        actix_web::web::block(move || {
            touched::enter(pool.node);
            let mut conn = pool.get()?;
            let done = f(&mut conn);
            // a read that wrote on its own (a transaction of its own) hands over what it touched
            pool.hand_over();
            done
        })
        .await
        .map_err(|e| E::from(DbError::Other(format!("blocking task failed: {e}"))))?
    }

    /// A write that is bookkeeping, not content (rate-limit counts): on the
    /// primary, in turn with the other writers on SQLite (no waiting on the
    /// busy timeout), without waking readers.
    pub async fn note_as<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.clone();
        actix_web::web::block(move || match pool.backend {
            Backend::Sqlite => pool.writer.with(f),
            Backend::Postgres => {
                let mut conn = pool.get()?;
                f(&mut conn)
            }
        })
        .await
        .map_err(|e| E::from(DbError::Other(format!("blocking task failed: {e}"))))?
    }

    /// Like [`Db::primary_as`], inside a write transaction ([`write_tx`]). On
    /// SQLite writers take turns on the one writer connection.
    pub async fn write_as<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        let pool = self.clone();
        actix_web::web::block(move || {
            touched::enter(pool.node);
            let done = match pool.backend {
                Backend::Sqlite => pool.writer.with(|conn| write_tx(conn, f)),
                Backend::Postgres => {
                    let mut conn = pool.get()?;
                    let done = write_tx(&mut conn, f);
                    if done.is_ok()
                        && let Some(replicas) = &pool.replicas
                    {
                        // where this commit ends: replicas serve reads again once
                        // they have replayed it (if unknown, the primary serves
                        // until the checker has read the primary's position)
                        match replicas::primary_position(&mut conn) {
                            Ok(lsn) => replicas.committed_at(lsn),
                            Err(_) => replicas.heard(),
                        }
                    }
                    done
                }
            };
            // after the commit: the keys it touched leave this node's cache
            // before the writer hears back (after a rollback too: harmless)
            pool.hand_over();
            if done.is_ok() {
                pool.committed();
            }
            done
        })
        .await
        .map_err(|e| E::from(DbError::Other(format!("blocking task failed: {e}"))))?
    }
}

/// Escapes LIKE wildcards so that user text matches literally (use with `.escape('\\')`).
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Opens one connection and applies pending migrations; used at start-up.
pub fn migrate(url: &DatabaseUrl) -> Result<usize, String> {
    let mut conn = AnyConnection::open(url).map_err(|e| e.to_string())?;
    conn.run_pending_migrations()
}
