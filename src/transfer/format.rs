//! The export format, version 1 (described for people in docs/export-format.md):
//! JSON Lines, a header line, one line per row, an end line with the counts.
//! Values are typed by their column: integers and floats as JSON numbers,
//! text as strings, booleans as `true`/`false`, timestamps as RFC 3339 UTC
//! strings with microseconds, NULL as `null`.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Error;
use super::schema::{Kind, Table};

pub const FORMAT: &str = "kiosque-export";
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// The latest migration of the database it came from: an import needs the same.
    pub schema: String,
    /// `sqlite` or `postgresql`: for information only.
    pub source: String,
    pub exported_at: String,
    /// In foreign-key order, the order of the rows that follow.
    pub tables: Vec<TableHeader>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TableHeader {
    pub name: String,
    pub columns: Vec<ColumnHeader>,
    /// The primary key's columns; rows come in this key's order.
    pub key: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ColumnHeader {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub nullable: bool,
}

impl TableHeader {
    pub fn of(table: &Table) -> Self {
        Self {
            name: table.name.clone(),
            columns: table
                .columns
                .iter()
                .map(|c| ColumnHeader {
                    name: c.name.clone(),
                    kind: c.kind.name().to_string(),
                    nullable: c.nullable,
                })
                .collect(),
            key: table
                .key
                .iter()
                .map(|&i| table.columns[i].name.clone())
                .collect(),
        }
    }
}

/// Any line after the header: a row, or the end.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub table: Option<String>,
    pub row: Option<Map<String, Value>>,
    pub end: Option<End>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct End {
    /// Rows per table: an import checks it read them all.
    pub rows: Map<String, Value>,
}

/// One value, typed by its column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Integer(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
    Boolean(Option<bool>),
    Timestamp(Option<NaiveDateTime>),
}

impl Cell {
    /// From the JSON a database built for a row (`json_array` on SQLite,
    /// `json_build_array` on PostgreSQL), whose spellings differ by backend.
    pub fn from_database(kind: Kind, value: &Value) -> Result<Cell, String> {
        Self::read(kind, value, true)
    }

    /// From the export format (strict: the spellings it writes).
    pub fn from_export(kind: Kind, value: &Value) -> Result<Cell, String> {
        Self::read(kind, value, false)
    }

    fn read(kind: Kind, value: &Value, lenient: bool) -> Result<Cell, String> {
        let bad = || format!("{value} is not a valid {}", kind.name());
        if value.is_null() {
            return Ok(match kind {
                Kind::Integer => Cell::Integer(None),
                Kind::Float => Cell::Float(None),
                Kind::Text => Cell::Text(None),
                Kind::Boolean => Cell::Boolean(None),
                Kind::Timestamp => Cell::Timestamp(None),
            });
        }
        Ok(match kind {
            Kind::Integer => Cell::Integer(Some(value.as_i64().ok_or_else(bad)?)),
            Kind::Float => {
                let f = match value {
                    // SQLite hands floats over as exact text (see export.rs)
                    Value::String(s) if lenient => s.parse::<f64>().map_err(|_| bad())?,
                    _ => value.as_f64().ok_or_else(bad)?,
                };
                if !f.is_finite() {
                    return Err(bad());
                }
                Cell::Float(Some(f))
            }
            Kind::Text => Cell::Text(Some(value.as_str().ok_or_else(bad)?.to_string())),
            Kind::Boolean => Cell::Boolean(Some(match value {
                Value::Bool(b) => *b,
                Value::Number(n) if lenient && n.as_i64() == Some(0) => false,
                Value::Number(n) if lenient && n.as_i64() == Some(1) => true,
                _ => return Err(bad()),
            })),
            Kind::Timestamp => {
                let s = value.as_str().ok_or_else(bad)?;
                Cell::Timestamp(Some(if lenient {
                    parse_stored_time(s).ok_or_else(bad)?
                } else {
                    chrono::DateTime::parse_from_rfc3339(s)
                        .map_err(|_| bad())?
                        .naive_utc()
                }))
            }
        })
    }

    pub fn to_json(&self) -> Value {
        match self {
            Cell::Integer(v) => v.map_or(Value::Null, Value::from),
            Cell::Float(v) => v.map_or(Value::Null, Value::from),
            Cell::Text(v) => v.clone().map_or(Value::Null, Value::String),
            Cell::Boolean(v) => v.map_or(Value::Null, Value::Bool),
            Cell::Timestamp(v) => v.map_or(Value::Null, |t| Value::String(format_time(t))),
        }
    }
}

/// RFC 3339 in UTC with microseconds, the precision Kiosque writes and
/// PostgreSQL keeps. A SQLite value with finer digits (a time a client sent
/// with nanoseconds) keeps them: nothing is lost between SQLite databases,
/// and PostgreSQL rounds them as it would have on the first write.
pub fn format_time(t: NaiveDateTime) -> String {
    use chrono::Timelike;
    let precision = if t.nanosecond().is_multiple_of(1_000) {
        chrono::SecondsFormat::Micros
    } else {
        chrono::SecondsFormat::Nanos
    };
    t.and_utc().to_rfc3339_opts(precision, true)
}

/// A timestamp as a database spells it in JSON: `2026-11-29 10:00:00.123456`
/// (SQLite, as diesel stores it) or `2026-11-29T10:00:00.123456` (PostgreSQL).
fn parse_stored_time(s: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

impl Header {
    /// Refuses a file that is not an export, or of a version this build cannot read.
    pub fn check(&self) -> Result<(), Error> {
        if self.format != FORMAT {
            return Err(Error::Format(format!(
                "line 1: format `{}` is not `{FORMAT}`",
                self.format
            )));
        }
        if self.version != VERSION {
            return Err(Error::Format(format!(
                "line 1: format version {} is not supported (this Kiosque reads version {VERSION})",
                self.version
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_keep_microseconds_and_read_back() {
        let t = parse_stored_time("2026-11-29 10:00:00.123456").unwrap();
        assert_eq!(format_time(t), "2026-11-29T10:00:00.123456Z");
        let whole = parse_stored_time("2026-11-29T10:00:00").unwrap();
        assert_eq!(format_time(whole), "2026-11-29T10:00:00.000000Z");
        let fine = parse_stored_time("2026-11-29 10:00:00.281818035").unwrap();
        assert_eq!(format_time(fine), "2026-11-29T10:00:00.281818035Z");
        let back = Cell::from_export(Kind::Timestamp, &Value::from(format_time(t))).unwrap();
        assert_eq!(back, Cell::Timestamp(Some(t)));
    }

    #[test]
    fn values_are_checked_against_their_column() {
        assert!(Cell::from_export(Kind::Integer, &Value::from("1")).is_err());
        assert!(Cell::from_export(Kind::Boolean, &Value::from(1)).is_err());
        assert_eq!(
            Cell::from_database(Kind::Boolean, &Value::from(1)).unwrap(),
            Cell::Boolean(Some(true))
        );
        assert_eq!(
            Cell::from_database(Kind::Float, &Value::from("0.30000000000000004")).unwrap(),
            Cell::Float(Some(0.1 + 0.2))
        );
        assert!(Cell::from_export(Kind::Timestamp, &Value::from("yesterday")).is_err());
    }
}
