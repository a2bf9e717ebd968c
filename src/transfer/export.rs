//! Reading a database out, table by table in foreign-key order, rows in
//! primary-key order, a batch at a time, inside one read-only snapshot: the
//! server may keep writing meanwhile, the export is still one moment's state.

use std::io::Write;

use diesel::connection::Connection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::Value;

use super::format::{Cell, FORMAT, Header, TableHeader, VERSION};
use super::schema::{self, Kind, Table};
use super::{Error, Query, Summary, bind, placeholder, quoted};
use crate::config::{Backend, DatabaseUrl};
use crate::db::AnyConnection;

/// Rows read per query: memory stays bounded whatever the table's size.
const BATCH: i64 = 500;

/// Exports the database at `url` to `out`.
pub fn export(url: &DatabaseUrl, out: &mut dyn Write) -> Result<Summary, Error> {
    let mut conn = AnyConnection::open(url)?;
    export_to(&mut conn, out)
}

/// Exports through an open connection (left as it was found).
pub fn export_to(conn: &mut AnyConnection, out: &mut dyn Write) -> Result<Summary, Error> {
    let pending = conn.has_pending_migrations().map_err(Error::Schema)?;
    if pending {
        return Err(Error::Schema(
            "the database has pending migrations: run `kiosque migrate` first".into(),
        ));
    }
    let backend = conn.backend();
    conn.transaction(|conn| {
        if backend == Backend::Postgres {
            // one snapshot for every table (must be the transaction's first statement)
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(conn)?;
        }
        schema::check_complete(conn)?;
        let schema_version = schema::migration_version(conn)?
            .ok_or_else(|| Error::Schema("the database was never migrated".into()))?;
        let tables = schema::carried_tables(conn)?;
        let header = Header {
            format: FORMAT.into(),
            version: VERSION,
            schema: schema_version,
            source: match backend {
                Backend::Sqlite => "sqlite",
                Backend::Postgres => "postgresql",
            }
            .into(),
            exported_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            tables: tables.iter().map(TableHeader::of).collect(),
        };
        write_line(out, &header)?;
        let mut summary = Summary::default();
        for table in &tables {
            let n = export_table(conn, backend, table, out)?;
            summary.rows.push((table.name.clone(), n));
        }
        let rows: Vec<(String, Value)> = summary
            .rows
            .iter()
            .map(|(t, n)| (t.clone(), Value::from(*n)))
            .collect();
        #[derive(serde::Serialize)]
        struct Counts<'a> {
            rows: Ordered<'a>,
        }
        #[derive(serde::Serialize)]
        struct EndLine<'a> {
            end: Counts<'a>,
        }
        let end = EndLine {
            end: Counts {
                rows: Ordered(&rows),
            },
        };
        write_line(out, &end)?;
        out.flush()?;
        Ok(summary)
    })
}

/// A JSON object whose members keep the given order (the columns' order).
struct Ordered<'a>(&'a [(String, Value)]);

impl serde::Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
struct RowLine<'a> {
    table: &'a str,
    row: Ordered<'a>,
}

fn write_line(out: &mut dyn Write, value: &impl serde::Serialize) -> Result<(), Error> {
    serde_json::to_writer(&mut *out, value).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    row: String,
}

fn export_table(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &Table,
    out: &mut dyn Write,
) -> Result<u64, Error> {
    let mut after: Option<Vec<Cell>> = None;
    let mut count = 0;
    loop {
        let mut query: Query =
            diesel::sql_query(select_sql(backend, table, after.is_some())).into_boxed();
        for cell in after.take().unwrap_or_default() {
            query = bind(query, cell);
        }
        let batch: Vec<JsonRow> = query.load(conn)?;
        let full = batch.len() as i64 == BATCH;
        for raw in batch {
            let values: Vec<Value> = serde_json::from_str(&raw.row).map_err(|e| {
                Error::Format(format!("table `{}`: unreadable row: {e}", table.name))
            })?;
            let mut row = Vec::with_capacity(values.len());
            let mut cells = Vec::with_capacity(values.len());
            for (column, value) in table.columns.iter().zip(&values) {
                let cell = Cell::from_database(column.kind, value).map_err(|e| {
                    Error::Format(format!("column `{}.{}`: {e}", table.name, column.name))
                })?;
                row.push((column.name.clone(), cell.to_json()));
                cells.push(cell);
            }
            let line = RowLine {
                table: &table.name,
                row: Ordered(&row),
            };
            write_line(out, &line)?;
            count += 1;
            after = Some(table.key.iter().map(|&i| cells[i].clone()).collect());
        }
        if !full {
            return Ok(count);
        }
    }
}

/// One batch of a table as JSON arrays (the database does the encoding, so
/// any number of columns reads through one statically typed query), after
/// the key of the previous batch's last row.
fn select_sql(backend: Backend, table: &Table, after: bool) -> String {
    let values: Vec<String> = table
        .columns
        .iter()
        .map(|c| match (backend, c.kind) {
            // SQLite's JSON rounds floats to 15 digits; 17 read back exactly
            (Backend::Sqlite, Kind::Float) => format!(
                "CASE WHEN {0} IS NULL THEN NULL ELSE printf('%!.17g', {0}) END",
                quoted(&c.name)
            ),
            _ => quoted(&c.name),
        })
        .collect();
    let key: Vec<String> = table
        .key
        .iter()
        .map(|&i| quoted(&table.columns[i].name))
        .collect();
    let array = match backend {
        Backend::Sqlite => format!("json_array({})", values.join(", ")),
        Backend::Postgres => format!("json_build_array({})::text", values.join(", ")),
    };
    let mut sql = format!("SELECT {array} AS row FROM {}", quoted(&table.name));
    if after {
        let marks: Vec<String> = (1..=key.len()).map(|n| placeholder(backend, n)).collect();
        sql += &format!(" WHERE ({}) > ({})", key.join(", "), marks.join(", "));
    }
    sql += &format!(" ORDER BY {} LIMIT {BATCH}", key.join(", "));
    sql
}
