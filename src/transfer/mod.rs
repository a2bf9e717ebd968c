//! Moving a site's data out and in: `export` / `import` in a portable,
//! versioned, streamed format (JSON Lines, see `format` and
//! docs/export-format.md) that works between SQLite and PostgreSQL, and
//! `backup` / `restore` built on it.
//!
//! This works on tables, not on resources: the list of tables is in
//! `tables`, their columns come from the database itself.

pub mod backup;
pub mod export;
pub mod format;
pub mod import;
pub mod schema;
pub mod tables;

use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Bool, Double, Nullable, Text, Timestamp};

pub use backup::{backup, restore};
pub use export::{export, export_to};
pub use import::{import, import_from};

use crate::config::Backend;
use crate::db::MultiBackend;
use format::Cell;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The target already holds data, and replacing it was not asked for.
    #[error(
        "the database is not empty (table `{0}` has rows): import into an empty database, or pass --force to replace its data"
    )]
    NotEmpty(String),
    /// The file is not a readable export.
    #[error("{0}")]
    Format(String),
    /// The database's schema does not fit the file or the transfer.
    #[error("{0}")]
    Schema(String),
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("cannot connect: {0}")]
    Connection(#[from] diesel::ConnectionError),
}

/// What a transfer moved: rows per table, in the order they went.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub rows: Vec<(String, u64)>,
}

impl Summary {
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }

    fn count(&mut self, table: &str) {
        match self.rows.iter_mut().find(|(t, _)| t == table) {
            Some((_, n)) => *n += 1,
            None => self.rows.push((table.to_string(), 1)),
        }
    }
}

type Query = BoxedSqlQuery<'static, MultiBackend, SqlQuery>;

fn bind(query: Query, cell: Cell) -> Query {
    match cell {
        Cell::Integer(v) => query.bind::<Nullable<BigInt>, _>(v),
        Cell::Float(v) => query.bind::<Nullable<Double>, _>(v),
        Cell::Text(v) => query.bind::<Nullable<Text>, _>(v),
        Cell::Boolean(v) => query.bind::<Nullable<Bool>, _>(v),
        Cell::Timestamp(v) => query.bind::<Nullable<Timestamp>, _>(v),
    }
}

/// The `n`-th bind placeholder (from 1) in raw SQL.
fn placeholder(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_string(),
        Backend::Postgres => format!("${n}"),
    }
}

/// An identifier, quoted for both backends (names come from the schema).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
