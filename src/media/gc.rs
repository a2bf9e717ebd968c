//! Housekeeping: blobs that no media item nor variant names any more (an
//! upload refused after it was stored, a crash between a blob and its row,
//! a deletion whose clean-up failed) are removed once older than a grace
//! period, so an upload in flight is never taken.

use std::time::{Duration, SystemTime};

use super::queries;
use crate::db::Db;
use crate::error::AppResult;
use crate::storage::BlobStore;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Collected {
    /// Blobs named by the library.
    pub kept: usize,
    /// Unnamed blobs removed (or, on a dry run, that would be).
    pub removed: usize,
    /// Unnamed blobs younger than the grace period, left for now.
    pub young: usize,
}

pub async fn collect(
    store: &dyn BlobStore,
    db: &Db,
    grace: Duration,
    dry_run: bool,
) -> AppResult<Collected> {
    let named: std::collections::HashSet<String> = db
        .run(|c| Ok(queries::all_blobs(c)?))
        .await?
        .into_iter()
        .collect();
    let listed = store.list().await.map_err(super::work::storage_error)?;
    let now = SystemTime::now();
    let mut out = Collected::default();
    for blob in listed {
        if named.contains(&blob.key) {
            out.kept += 1;
            continue;
        }
        let age = now.duration_since(blob.modified).unwrap_or_default();
        if age < grace {
            out.young += 1;
            continue;
        }
        // named meanwhile? checked again just before removing
        let key = blob.key.clone();
        if db.run(move |c| Ok(queries::blob_in_use(c, &key)?)).await? {
            out.kept += 1;
            continue;
        }
        if !dry_run {
            store
                .delete(&blob.key)
                .await
                .map_err(super::work::storage_error)?;
        }
        out.removed += 1;
    }
    Ok(out)
}
