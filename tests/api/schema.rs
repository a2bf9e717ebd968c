//! `src/db/schema.rs` is written by hand: this checks it against the
//! database the migrations build, on each backend. Every table and column of
//! schema.rs must exist with the same nullability and type family, and the
//! migrated database must have nothing schema.rs does not declare, except:
//!
//! - `__diesel_schema_migrations`, diesel's own bookkeeping;
//! - SQLite's `sqlite_*` tables and the FTS5 search indexes (`*_fts`) with
//!   their shadow tables (`*_fts_data`, `_idx`, `_content`, `_docsize`,
//!   `_config`), queried with raw SQL by `src/db/search.rs`;
//! - PostgreSQL's generated `tsvector` search columns, likewise.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use kiosque::config::Backend;

use crate::db_tests;
use crate::helpers::TestApp;

/// A column as far as this check cares: its type family and nullability.
#[derive(Debug, Clone, PartialEq)]
struct Column {
    family: &'static str,
    nullable: bool,
}

type Tables = BTreeMap<String, BTreeMap<String, Column>>;

/// The family of a diesel SQL type (`BigInt`, `Nullable<Text>`…).
fn diesel_family(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "BigInt" | "Integer" | "SmallInt" | "Int8" | "Int4" | "Int2" => "integer",
        "Text" | "VarChar" | "Varchar" => "text",
        "Bool" => "bool",
        "Timestamp" | "Timestamptz" | "Date" | "Time" => "timestamp",
        "Double" | "Float" | "Float8" | "Float4" | "Numeric" => "float",
        "Binary" | "Bytea" => "binary",
        _ => return None,
    })
}

/// The family of a type as the database reports it (SQLite's declared
/// type, PostgreSQL's `data_type`).
fn sql_family(ty: &str) -> Option<&'static str> {
    let ty = ty.to_lowercase();
    let base = ty.split('(').next().unwrap_or("").trim();
    Some(match base {
        "integer" | "int" | "bigint" | "smallint" | "int8" | "int4" | "int2" => "integer",
        "text" | "varchar" | "character varying" | "character" | "char" => "text",
        "boolean" | "bool" => "bool",
        "timestamp"
        | "datetime"
        | "date"
        | "time"
        | "timestamp without time zone"
        | "timestamp with time zone" => "timestamp",
        "real" | "double" | "double precision" | "float" | "numeric" => "float",
        "blob" | "bytea" => "binary",
        _ => return None,
    })
}

/// The `diesel::table!` blocks of schema.rs.
fn declared(source: &str) -> Tables {
    let mut tables = Tables::new();
    let mut lines = source.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line != "diesel::table! {" {
            continue;
        }
        let head = lines.next().expect("a table! block names its table");
        let name = head.split_whitespace().next().unwrap();
        // `schema.name`: only the name counts here
        let name = name.rsplit('.').next().unwrap().to_string();
        let mut columns = BTreeMap::new();
        let mut sql_name: Option<String> = None;
        for line in lines.by_ref() {
            if line == "}" {
                break;
            }
            if let Some(rest) = line.strip_prefix("#[sql_name = \"") {
                sql_name = Some(rest.trim_end_matches("\"]").to_string());
                continue;
            }
            let Some((column, ty)) = line.split_once("->") else {
                continue; // comments and attributes
            };
            let ty = ty.trim().trim_end_matches(',').trim();
            let (nullable, ty) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (true, inner.trim_end_matches('>')),
                None => (false, ty),
            };
            let ty = ty.rsplit("::").next().unwrap();
            let family = diesel_family(ty).unwrap_or_else(|| {
                panic!("schema.rs: {name}.{}: unknown type {ty}", column.trim())
            });
            let column = sql_name.take().unwrap_or_else(|| column.trim().to_string());
            columns.insert(column, Column { family, nullable });
        }
        tables.insert(name, columns);
    }
    tables
}

fn ignored_table(name: &str) -> bool {
    name == "__diesel_schema_migrations" || name.starts_with("sqlite_") || name.contains("_fts")
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    r#type: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The tables and columns of the migrated database; columns whose type
/// has no family here come back as `?type`.
fn migrated(app: &TestApp) -> Tables {
    let target = &app.state.config.database.target;
    let mut tables = Tables::new();
    let unknown = |ty: &str| -> &'static str { Box::leak(format!("?{ty}").into_boxed_str()) };
    match app.backend() {
        Backend::Sqlite => {
            let mut conn = SqliteConnection::establish(target).unwrap();
            let names: Vec<Name> =
                diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .load(&mut conn)
                    .unwrap();
            for Name { name } in names {
                if ignored_table(&name) {
                    continue;
                }
                let cols: Vec<SqliteColumn> = diesel::sql_query(
                    "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)",
                )
                .bind::<Text, _>(&name)
                .load(&mut conn)
                .unwrap();
                let columns = cols
                    .into_iter()
                    .map(|c| {
                        let family = sql_family(&c.r#type).unwrap_or_else(|| unknown(&c.r#type));
                        // an INTEGER PRIMARY KEY is the rowid: never null
                        let nullable = c.notnull == 0 && c.pk == 0;
                        (c.name, Column { family, nullable })
                    })
                    .collect();
                tables.insert(name, columns);
            }
        }
        Backend::Postgres => {
            let mut conn = PgConnection::establish(target).unwrap();
            let cols: Vec<PgColumn> = diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                        data_type::text AS data_type, is_nullable::text AS is_nullable \
                 FROM information_schema.columns WHERE table_schema = 'public'",
            )
            .load(&mut conn)
            .unwrap();
            for c in cols {
                if ignored_table(&c.table_name) || c.data_type == "tsvector" {
                    continue;
                }
                let family = sql_family(&c.data_type).unwrap_or_else(|| unknown(&c.data_type));
                tables.entry(c.table_name).or_default().insert(
                    c.column_name,
                    Column {
                        family,
                        nullable: c.is_nullable == "YES",
                    },
                );
            }
            // tables without a column still count as tables
            let bare: Vec<Count> = diesel::sql_query(
                "SELECT count(*) AS n FROM information_schema.tables t WHERE table_schema = 'public' \
                 AND NOT EXISTS (SELECT 1 FROM information_schema.columns c \
                                 WHERE c.table_schema = 'public' AND c.table_name = t.table_name)",
            )
            .load(&mut conn)
            .unwrap();
            assert_eq!(bare[0].n, 0, "a table without columns");
        }
    }
    tables
}

/// Every difference between what schema.rs declares and what was migrated.
fn differences(declared: &Tables, migrated: &Tables) -> Vec<String> {
    let mut out = Vec::new();
    for (table, columns) in declared {
        let Some(real) = migrated.get(table) else {
            out.push(format!(
                "table {table}: in schema.rs, missing from the database"
            ));
            continue;
        };
        for (column, want) in columns {
            match real.get(column) {
                None => out.push(format!(
                    "column {table}.{column}: in schema.rs, missing from the database"
                )),
                Some(got) => {
                    if got.family != want.family {
                        out.push(format!(
                            "column {table}.{column}: schema.rs says {}, the database has {}",
                            want.family, got.family
                        ));
                    }
                    if got.nullable != want.nullable {
                        let says = |n: bool| if n { "nullable" } else { "NOT NULL" };
                        out.push(format!(
                            "column {table}.{column}: schema.rs says {}, the database has {}",
                            says(want.nullable),
                            says(got.nullable)
                        ));
                    }
                }
            }
        }
        for column in real.keys().filter(|c| !columns.contains_key(*c)) {
            out.push(format!(
                "column {table}.{column}: in the database, missing from schema.rs"
            ));
        }
    }
    for table in migrated.keys().filter(|t| !declared.contains_key(*t)) {
        out.push(format!(
            "table {table}: in the database, missing from schema.rs"
        ));
    }
    out
}

fn schema_rs_matches_the_migrations(app: &TestApp) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs");
    let source = std::fs::read_to_string(path).expect("src/db/schema.rs is readable");
    let declared = declared(&source);
    assert!(
        declared.contains_key("articles") && declared.len() >= 10,
        "schema.rs was parsed: {:?}",
        declared.keys().collect::<Vec<_>>()
    );
    let found = differences(&declared, &migrated(app));
    assert!(
        found.is_empty(),
        "src/db/schema.rs and the migrations ({:?}) differ:\n{}",
        app.backend(),
        found.join("\n")
    );
}

/// The check itself finds what it should: a column gone, one too many, a
/// changed type and nullability, a table on either side only.
fn the_schema_check_names_every_difference(_app: &TestApp) {
    let declared = declared(
        "diesel::table! {\n    a (id) {\n        id -> BigInt,\n        t -> Nullable<Text>,\n        \
         gone -> Bool,\n    }\n}\n\ndiesel::table! {\n    only_here (id) {\n        id -> BigInt,\n    }\n}\n",
    );
    let col = |family, nullable| Column { family, nullable };
    let mut migrated = Tables::new();
    migrated.insert(
        "a".into(),
        BTreeMap::from([
            ("id".into(), col("integer", false)),
            ("t".into(), col("integer", false)),
            ("extra".into(), col("text", true)),
        ]),
    );
    migrated.insert("only_there".into(), BTreeMap::new());
    let found = differences(&declared, &migrated);
    assert_eq!(
        found,
        [
            "column a.gone: in schema.rs, missing from the database",
            "column a.t: schema.rs says text, the database has integer",
            "column a.t: schema.rs says nullable, the database has NOT NULL",
            "column a.extra: in the database, missing from schema.rs",
            "table only_here: in schema.rs, missing from the database",
            "table only_there: in the database, missing from schema.rs",
        ]
    );
}

db_tests!(
    schema_rs_matches_the_migrations,
    the_schema_check_names_every_difference
);
