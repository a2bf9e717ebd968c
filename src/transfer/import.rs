//! Reading an export into a database, in one transaction: the whole file or
//! nothing. The target must have the file's schema version and be empty
//! (or `replace` is asked: its data goes in the same transaction).

use std::collections::HashMap;
use std::io::BufRead;

use diesel::prelude::*;
use serde_json::Value;

use super::format::{Cell, Header, Line};
use super::schema::{self, Table};
use super::{Error, Query, Summary, bind, placeholder, quoted};
use crate::config::{Backend, DatabaseUrl};
use crate::db::{AnyConnection, write_tx};

/// Bind parameters per INSERT (far below SQLite's and PostgreSQL's limits).
const BINDS_PER_INSERT: usize = 4_000;

#[derive(Debug, Default, Clone, Copy)]
pub struct Options {
    /// Delete the target's data first (in the same transaction) instead of refusing.
    pub replace: bool,
}

/// Imports the export read from `input` into the database at `url`, which
/// must be migrated to the file's schema version.
pub fn import(
    url: &DatabaseUrl,
    input: &mut dyn BufRead,
    options: Options,
) -> Result<Summary, Error> {
    let mut conn = AnyConnection::open(url)?;
    let summary = import_from(&mut conn, input, options)?;
    // fresh statistics for the planners (autovacuum may be off), and on
    // PostgreSQL a visibility map, so that counts and deep pages read the
    // indexes alone (VACUUM runs outside the import's transaction, here)
    let refresh = match conn {
        AnyConnection::Postgres(_) => "VACUUM ANALYZE",
        AnyConnection::Sqlite(_) => "ANALYZE",
    };
    diesel::sql_query(refresh).execute(&mut conn)?;
    Ok(summary)
}

pub fn import_from(
    conn: &mut AnyConnection,
    input: &mut dyn BufRead,
    options: Options,
) -> Result<Summary, Error> {
    let mut reader = Lines {
        input,
        number: 0,
        buf: String::new(),
    };
    let header: Header = match reader.next()? {
        Some((_, line)) => serde_json::from_str(line)
            .map_err(|e| Error::Format(format!("line 1 is not an export header: {e}")))?,
        None => return Err(Error::Format("the file is empty".into())),
    };
    header.check()?;
    let target_version = schema::migration_version(conn)?.unwrap_or_default();
    if header.schema != target_version {
        return Err(Error::Schema(format!(
            "the file comes from a database at migration {}, this one is at {}: \
             import with the Kiosque version that wrote the file (then upgrade), \
             or migrate this database to the same version",
            header.schema,
            if target_version.is_empty() {
                "none"
            } else {
                &target_version
            }
        )));
    }
    schema::check_complete(conn)?;
    let tables = schema::carried_tables(conn)?;
    check_tables(&header, &tables)?;

    write_tx(conn, |conn| {
        if let AnyConnection::Sqlite(_) = conn {
            // rows referencing later rows of their own table are checked at commit
            diesel::sql_query("PRAGMA defer_foreign_keys = ON").execute(conn)?;
        }
        make_room(conn, &tables, options)?;
        let summary = load_rows(conn, &mut reader, &tables)?;
        restart_sequences(conn, &tables)?;
        // running nodes drop what they cached, at commit
        crate::signal::touch_everything(conn)?;
        Ok(summary)
    })
}

/// The file's tables and columns must be exactly the target's.
fn check_tables(header: &Header, tables: &[Table]) -> Result<(), Error> {
    let names: Vec<&str> = header.tables.iter().map(|t| t.name.as_str()).collect();
    let expected: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    if names != expected {
        return Err(Error::Schema(format!(
            "the file carries the tables {names:?}, this database expects {expected:?}"
        )));
    }
    for (file, table) in header.tables.iter().zip(tables) {
        let mut theirs: Vec<(&str, &str)> = file
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.kind.as_str()))
            .collect();
        let mut ours: Vec<(&str, &str)> = table
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.kind.name()))
            .collect();
        theirs.sort();
        ours.sort();
        if theirs != ours {
            return Err(Error::Schema(format!(
                "table `{}`: the file's columns {theirs:?} differ from this database's {ours:?}",
                table.name
            )));
        }
    }
    Ok(())
}

fn make_room(conn: &mut AnyConnection, tables: &[Table], options: Options) -> Result<(), Error> {
    #[derive(QueryableByName)]
    struct Any {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    for table in tables {
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM {}) AS found",
            quoted(&table.name)
        );
        let rows: Any = diesel::sql_query(sql).get_result(conn)?;
        if rows.found && !options.replace {
            return Err(Error::NotEmpty(table.name.clone()));
        }
    }
    if options.replace {
        for table in tables.iter().rev() {
            diesel::sql_query(format!("DELETE FROM {}", quoted(&table.name))).execute(conn)?;
        }
    }
    Ok(())
}

struct Lines<'a> {
    input: &'a mut dyn BufRead,
    number: u64,
    buf: String,
}

impl Lines<'_> {
    /// The next non-blank line (its number, its text without the line end).
    fn next(&mut self) -> Result<Option<(u64, &str)>, Error> {
        loop {
            self.buf.clear();
            if self.input.read_line(&mut self.buf)? == 0 {
                return Ok(None);
            }
            self.number += 1;
            if !self.buf.trim().is_empty() {
                return Ok(Some((self.number, self.buf.trim_end_matches(['\r', '\n']))));
            }
        }
    }
}

fn load_rows(
    conn: &mut AnyConnection,
    reader: &mut Lines<'_>,
    tables: &[Table],
) -> Result<Summary, Error> {
    let position: HashMap<&str, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let mut summary = Summary::default();
    let mut current = 0;
    let mut batch: Vec<Vec<Cell>> = Vec::new();
    loop {
        let Some((at, text)) = reader.next()? else {
            return Err(Error::Format(
                "the file ends before its end line: it is truncated".into(),
            ));
        };
        let line: Line =
            serde_json::from_str(text).map_err(|e| Error::Format(format!("line {at}: {e}")))?;
        if let Some(end) = line.end {
            flush(conn, &tables[current], &mut batch)?;
            check_counts(&summary, &end.rows)?;
            if let Some((after, _)) = reader.next()? {
                return Err(Error::Format(format!(
                    "line {after}: nothing may follow the end line"
                )));
            }
            return Ok(summary);
        }
        let (Some(name), Some(mut row)) = (line.table, line.row) else {
            return Err(Error::Format(format!(
                "line {at}: a line is a row (`table` and `row`) or the end (`end`)"
            )));
        };
        let index = *position.get(name.as_str()).ok_or_else(|| {
            Error::Format(format!("line {at}: `{name}` is not a table of the header"))
        })?;
        if index < current {
            return Err(Error::Format(format!(
                "line {at}: a row of `{name}` after rows of `{}`: tables must come in the header's order",
                tables[current].name
            )));
        }
        if index != current {
            flush(conn, &tables[current], &mut batch)?;
            current = index;
        }
        let table = &tables[current];
        let mut cells = Vec::with_capacity(table.columns.len());
        for column in &table.columns {
            let value = row.remove(&column.name).ok_or_else(|| {
                Error::Format(format!("line {at}: the row has no `{}`", column.name))
            })?;
            cells.push(Cell::from_export(column.kind, &value).map_err(|e| {
                Error::Format(format!("line {at}: `{}.{}`: {e}", name, column.name))
            })?);
        }
        if let Some(extra) = row.keys().next() {
            return Err(Error::Format(format!(
                "line {at}: `{name}` has no column `{extra}`"
            )));
        }
        batch.push(cells);
        summary.count(&name);
        if (batch.len() + 1) * table.columns.len() > BINDS_PER_INSERT {
            flush(conn, table, &mut batch)?;
        }
    }
}

fn check_counts(summary: &Summary, expected: &serde_json::Map<String, Value>) -> Result<(), Error> {
    for (table, n) in expected {
        let read = summary
            .rows
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, n)| *n);
        if n.as_u64() != Some(read) {
            return Err(Error::Format(format!(
                "the end line counts {n} rows of `{table}`, the file holds {read}"
            )));
        }
    }
    Ok(())
}

fn flush(conn: &mut AnyConnection, table: &Table, batch: &mut Vec<Vec<Cell>>) -> Result<(), Error> {
    if batch.is_empty() {
        return Ok(());
    }
    let backend = conn.backend();
    let columns: Vec<String> = table.columns.iter().map(|c| quoted(&c.name)).collect();
    let mut n = 0;
    let tuples: Vec<String> = batch
        .iter()
        .map(|_| {
            let marks: Vec<String> = (0..columns.len())
                .map(|_| {
                    n += 1;
                    placeholder(backend, n)
                })
                .collect();
            format!("({})", marks.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        quoted(&table.name),
        columns.join(", "),
        tuples.join(", ")
    );
    let mut query: Query = diesel::sql_query(sql).into_boxed();
    for cell in batch.drain(..).flatten() {
        query = bind(query, cell);
    }
    query.execute(conn)?;
    Ok(())
}

/// PostgreSQL: identity sequences continue after the highest imported id,
/// so the next insert does not collide. (SQLite takes max(rowid) + 1 itself.)
fn restart_sequences(conn: &mut AnyConnection, tables: &[Table]) -> Result<(), Error> {
    if conn.backend() != Backend::Postgres {
        return Ok(());
    }
    for table in tables {
        if let Some(column) = &table.sequence {
            diesel::sql_query(format!(
                "SELECT setval(pg_get_serial_sequence('{t}', '{c}'), COALESCE(MAX({qc}), 0) + 1, false) FROM {qt}",
                t = quoted(&table.name).replace('\'', "''"),
                c = column.replace('\'', "''"),
                qc = quoted(column),
                qt = quoted(&table.name),
            ))
            .execute(conn)?;
        }
    }
    Ok(())
}
