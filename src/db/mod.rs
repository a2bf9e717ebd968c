//! One pool over either backend. The backend is chosen from the URL scheme
//! (never by trying each driver in turn), and each SQLite connection is set up
//! for safe concurrent use before it enters the pool.

pub mod schema;
pub mod search;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::{Backend, DatabaseUrl};
use crate::error::AppError;

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
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000;
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = FULL;
                     PRAGMA foreign_keys = ON;",
                )
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
                    <AnyConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
                    Err(err)
                }
            }
        }
    }
}

pub struct Manager {
    url: DatabaseUrl,
    queries: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        let mut conn = AnyConnection::open(&self.url).map_err(r2d2::Error::ConnectionError)?;
        // Count every statement: `kiosque_db_queries_total`, and the proof in
        // tests that a list page costs a fixed number of queries.
        let queries = self.queries.clone();
        conn.set_instrumentation(move |event: diesel::connection::InstrumentationEvent<'_>| {
            if matches!(
                event,
                diesel::connection::InstrumentationEvent::StartQuery { .. }
            ) {
                queries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        });
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.is_broken()
    }
}

pub type PooledConn = r2d2::PooledConnection<Manager>;

/// The shared pool. Cloning is cheap.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    queries: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Db {
    /// Builds the pool lazily: start-up does not wait for the database, and a
    /// missing database shows up as 503 answers and a failing `/readyz`.
    pub fn new(url: &DatabaseUrl, size: u32, timeout: Duration) -> Self {
        let queries = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(0))
            .connection_timeout(timeout)
            .test_on_check_out(false)
            .build_unchecked(Manager {
                url: url.clone(),
                queries: queries.clone(),
            });
        Self {
            pool,
            backend: url.backend,
            queries,
        }
    }

    /// Statements run through this pool since start.
    pub fn query_count(&self) -> u64 {
        self.queries.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn get(&self) -> Result<PooledConn, AppError> {
        self.pool
            .get()
            .map_err(|e| AppError::unavailable(e.to_string()))
    }

    /// (connections in use, idle connections)
    pub fn usage(&self) -> (u32, u32) {
        let state = self.pool.state();
        (
            state.connections - state.idle_connections,
            state.idle_connections,
        )
    }

    /// Runs blocking database work off the async workers.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
    }

    /// Like [`Db::run`], inside a write transaction ([`write_tx`]).
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| write_tx(conn, f)).await
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
