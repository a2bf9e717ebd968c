//! What the database says about itself: its tables, their columns with a
//! portable type, the primary key, and the latest migration applied.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};

use super::{Error, tables};
use crate::db::AnyConnection;

/// The portable type of a column, as the export format names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Float,
    Text,
    Boolean,
    Timestamp,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Float => "float",
            Kind::Text => "text",
            Kind::Boolean => "boolean",
            Kind::Timestamp => "timestamp",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        [
            Kind::Integer,
            Kind::Float,
            Kind::Text,
            Kind::Boolean,
            Kind::Timestamp,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }

    /// From a declared (SQLite) or formatted (PostgreSQL) column type.
    fn from_declared(declared: &str) -> Option<Kind> {
        let t = declared.trim().to_ascii_lowercase();
        Some(match t.as_str() {
            "integer" | "bigint" | "smallint" | "int" => Kind::Integer,
            "double precision" | "real" | "float" | "double" => Kind::Float,
            "text" => Kind::Text,
            "boolean" | "bool" => Kind::Boolean,
            "timestamp" | "timestamp without time zone" => Kind::Timestamp,
            _ if t.starts_with("character varying") || t.starts_with("varchar") => Kind::Text,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
    pub nullable: bool,
}

/// A carried table as this database has it. Generated columns (PostgreSQL's
/// search vectors) are not listed: the database computes them again.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// Indexes into `columns`, in key order.
    pub key: Vec<usize>,
    /// A column filled from a sequence (PostgreSQL identity), to move on after an import.
    pub sequence: Option<String>,
}

#[derive(QueryableByName)]
struct NameRow {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    /// Position in the primary key, counted from 1 (0: not in it).
    #[diesel(sql_type = BigInt)]
    pk: i64,
    #[diesel(sql_type = Bool)]
    generated: bool,
    #[diesel(sql_type = Bool)]
    sequence: bool,
}

/// Every table of Kiosque's data in this database (machinery excluded).
pub fn database_tables(conn: &mut AnyConnection) -> Result<Vec<String>, Error> {
    let sql = match conn {
        AnyConnection::Sqlite(_) => {
            "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' ORDER BY name"
        }
        AnyConnection::Postgres(_) => {
            "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    };
    let rows: Vec<NameRow> = diesel::sql_query(sql).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| r.name)
        .filter(|n| !tables::is_machinery(n))
        .collect())
}

/// The latest migration applied, e.g. `20261129000008` (None: never migrated).
pub fn migration_version(conn: &mut AnyConnection) -> Result<Option<String>, Error> {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = Nullable<Text>)]
        version: Option<String>,
    }
    let v: Version =
        diesel::sql_query("SELECT MAX(version) AS version FROM __diesel_schema_migrations")
            .get_result(conn)?;
    Ok(v.version)
}

/// Checks that every table of the database is carried or left behind on
/// purpose, so that no data is silently forgotten.
pub fn check_complete(conn: &mut AnyConnection) -> Result<(), Error> {
    for name in database_tables(conn)? {
        let known = tables::CARRIED.contains(&name.as_str())
            || tables::LEFT_BEHIND.iter().any(|(t, _)| *t == name);
        if !known {
            return Err(Error::Schema(format!(
                "the database holds a table `{name}` that transfers do not know: \
                 add it to src/transfer/tables.rs"
            )));
        }
    }
    Ok(())
}

/// The carried tables, in foreign-key order, as this database defines them.
pub fn carried_tables(conn: &mut AnyConnection) -> Result<Vec<Table>, Error> {
    tables::CARRIED
        .iter()
        .map(|name| describe(conn, name))
        .collect()
}

fn describe(conn: &mut AnyConnection, name: &str) -> Result<Table, Error> {
    let rows: Vec<ColumnRow> = match conn {
        AnyConnection::Sqlite(_) => diesel::sql_query(
            "SELECT name, type AS declared, \"notnull\" <> 0 AS not_null, pk, \
                    hidden <> 0 AS generated, \
                    0 <> 0 AS sequence \
             FROM pragma_table_xinfo(?) ORDER BY cid",
        )
        .bind::<Text, _>(name)
        .load(conn)?,
        AnyConnection::Postgres(_) => diesel::sql_query(
            "SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS declared, \
                    a.attnotnull AS not_null, \
                    COALESCE((SELECT k.n FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(att, n) \
                              WHERE k.att = a.attnum), 0)::bigint AS pk, \
                    a.attgenerated <> '' AS generated, \
                    pg_get_serial_sequence(quote_ident($1), a.attname) IS NOT NULL AS sequence \
             FROM pg_attribute a \
             LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary \
             WHERE a.attrelid = to_regclass(quote_ident($1)) AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attnum",
        )
        .bind::<Text, _>(name)
        .load(conn)?,
    };
    if rows.is_empty() {
        return Err(Error::Schema(format!(
            "the database has no table `{name}`: is it migrated?"
        )));
    }
    let mut columns = Vec::new();
    let mut key: Vec<(i64, usize)> = Vec::new();
    let mut sequence = None;
    for row in rows.into_iter().filter(|r| !r.generated) {
        let kind = Kind::from_declared(&row.declared).ok_or_else(|| {
            Error::Schema(format!(
                "column `{name}.{}` has a type ({}) that transfers do not know",
                row.name, row.declared
            ))
        })?;
        if row.pk > 0 {
            key.push((row.pk, columns.len()));
        }
        if row.sequence {
            sequence = Some(row.name.clone());
        }
        columns.push(Column {
            name: row.name,
            kind,
            // SQLite's INTEGER PRIMARY KEY is never null, whatever it declares
            nullable: !row.not_null && row.pk == 0,
        });
    }
    if key.is_empty() {
        return Err(Error::Schema(format!(
            "table `{name}` has no primary key: transfers read tables in key order"
        )));
    }
    key.sort();
    Ok(Table {
        name: name.to_string(),
        columns,
        key: key.into_iter().map(|(_, i)| i).collect(),
        sequence,
    })
}
