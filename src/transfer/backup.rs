//! `backup` writes a consistent copy of a live database; `restore` loads one
//! into an empty database (of either backend).
//!
//! On SQLite the copy is a SQLite file (`VACUUM INTO`: one read transaction,
//! writers carry on); on PostgreSQL it is the portable export, so restoring
//! needs no PostgreSQL tools. A restore reads either kind of file through the
//! same import, so a SQLite backup can also restore into PostgreSQL.
//! (Kiosque stores no media yet; when it does, their blobs belong here.)

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use diesel::prelude::*;

use super::{Error, Summary, export_to, import};
use crate::config::DatabaseUrl;
use crate::db::AnyConnection;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// What `backup` wrote.
#[derive(Debug)]
pub enum Backup {
    /// A SQLite database file.
    SqliteFile,
    /// A portable export.
    Export(Summary),
}

/// Writes a consistent snapshot of the database at `url` to `to`, replacing
/// `to` only once the copy is complete.
pub fn backup(url: &DatabaseUrl, to: &Path) -> Result<Backup, Error> {
    let partial = partial_path(to);
    let _ = std::fs::remove_file(&partial);
    let mut conn = AnyConnection::open(url)?;
    let result = match &mut conn {
        AnyConnection::Sqlite(c) => {
            let target = partial.to_str().ok_or_else(|| {
                Error::Format(format!("{} is not a UTF-8 path", partial.display()))
            })?;
            diesel::sql_query(format!("VACUUM INTO '{}'", target.replace('\'', "''")))
                .execute(c)
                .map(|_| Backup::SqliteFile)
                .map_err(Error::from)
        }
        AnyConnection::Postgres(_) => (|| {
            let mut out = BufWriter::new(File::create(&partial)?);
            let summary = export_to(&mut conn, &mut out)?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            Ok(Backup::Export(summary))
        })(),
    };
    match result {
        Ok(kind) => {
            std::fs::rename(&partial, to)?;
            Ok(kind)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn partial_path(to: &Path) -> PathBuf {
    let mut name = to.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    to.with_file_name(name)
}

/// Loads what `backup` (or `export`) wrote into the database at `url`: it
/// must be empty unless `replace`, and migrated to the backup's version.
pub fn restore(url: &DatabaseUrl, from: &Path, replace: bool) -> Result<Summary, Error> {
    let options = super::import::Options { replace };
    let mut start = [0u8; 16];
    let is_sqlite = {
        let mut file = File::open(from)?;
        let n = file.read(&mut start)?;
        n == start.len() && &start == SQLITE_MAGIC
    };
    if !is_sqlite {
        let mut input = BufReader::new(File::open(from)?);
        return import(url, &mut input, options);
    }
    let path = from
        .to_str()
        .ok_or_else(|| Error::Format(format!("{} is not a UTF-8 path", from.display())))?;
    let mut source = AnyConnection::Sqlite(SqliteConnection::establish(path)?);
    let (version, wanted) = (
        super::schema::migration_version(&mut source)?,
        super::schema::migration_version(&mut AnyConnection::open(url)?)?,
    );
    if version != wanted {
        return Err(Error::Schema(format!(
            "the backup comes from a database at migration {}, this one is at {}: \
             restore with the Kiosque version that wrote it (then upgrade)",
            version.as_deref().unwrap_or("none"),
            wanted.as_deref().unwrap_or("none"),
        )));
    }
    // The backup file is read as an export, streamed through a pipe into the
    // import: the whole database never sits in memory.
    let (reader, writer) = std::io::pipe()?;
    let exporter = std::thread::spawn(move || {
        let mut out = BufWriter::new(writer);
        export_to(&mut source, &mut out).and_then(|s| {
            out.flush()?;
            Ok(s)
        })
    });
    let imported = import(url, &mut BufReader::new(reader), options);
    let exported = exporter
        .join()
        .map_err(|_| Error::Format("reading the backup failed".into()))?;
    match (exported, imported) {
        // a stream cut short is explained by the reading side's error
        (Err(e), Err(Error::Format(_))) => Err(e),
        (_, imported) => imported,
    }
}
