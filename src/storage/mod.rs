//! Blobs: stored bytes under content-addressed keys (the SHA-256 of the
//! bytes, in lower-case hex). A [`BlobStore`] takes bytes as a stream of
//! chunks, hashing them as they pass, so no upload is ever held whole in
//! memory; identical bytes land under the same key and are stored once.
//! Reads take an optional byte range. The local disk ([`local::LocalDisk`])
//! is the default backend; S3-compatible object storage ([`s3::S3`]) serves
//! several nodes. This part knows nothing of media or HTTP.

pub mod local;
pub mod s3;

use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use bytes::Bytes;
use futures_util::Stream;

/// What a store can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The key names no blob.
    #[error("no blob `{0}`")]
    NotFound(String),
    /// The source of a `put` gave up (a refused upload, a broken connection):
    /// nothing was stored. The source's own error is kept for the caller.
    #[error("the upload stopped: {0}")]
    Aborted(Box<dyn std::error::Error + Send + Sync>),
    /// A key that is not a SHA-256 in hex.
    #[error("`{0}` is not a blob key")]
    BadKey(String),
    /// A remote store that failed or did not answer in time: the request
    /// may succeed later.
    #[error("the blob store is unavailable: {0}")]
    Unavailable(String),
    #[error("storage failure: {0}")]
    Io(#[from] std::io::Error),
}

pub type StorageResult<T> = Result<T, StorageError>;

/// Chunks of bytes, in order.
pub type Chunks = Pin<Box<dyn Stream<Item = StorageResult<Bytes>> + Send>>;

pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = StorageResult<T>> + Send + 'a>>;

/// A blob just written (or found already there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The SHA-256 of the bytes, in hex: the blob's key.
    pub key: String,
    pub size: u64,
    /// `false` when the same bytes were already stored.
    pub created: bool,
}

/// Bytes `start..=end` of a blob (both inclusive, as HTTP ranges count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

impl ByteRange {
    pub fn len(&self) -> u64 {
        self.end - self.start + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

/// A blob being read: its whole size, and the bytes asked for.
pub struct Blob {
    pub size: u64,
    pub body: Chunks,
}

/// A key and when it was written, for housekeeping.
#[derive(Debug, Clone)]
pub struct Listed {
    pub key: String,
    pub modified: SystemTime,
}

/// Where blobs live. Every method is safe to call from the async workers:
/// backends do their blocking work elsewhere.
pub trait BlobStore: Send + Sync + 'static {
    /// Stores the bytes of `chunks` under their SHA-256. A failing chunk
    /// stops the write and leaves nothing behind. `content_type` is kept
    /// where the store can serve the blob itself (an S3 bucket behind a CDN).
    fn put(&self, chunks: Chunks, content_type: Option<&'static str>) -> StoreFuture<'_, Stored>;

    /// The blob `key`, whole or the bytes of `range` (which the caller has
    /// checked against the size; a range past the end is cut at the end).
    fn get(&self, key: &str, range: Option<ByteRange>) -> StoreFuture<'_, Blob>;

    /// Removes the blob; `false` when there was none.
    fn delete(&self, key: &str) -> StoreFuture<'_, bool>;

    /// Whether the blob is there.
    fn exists(&self, key: &str) -> StoreFuture<'_, bool>;

    /// Every blob, for housekeeping.
    fn list(&self) -> StoreFuture<'_, Vec<Listed>>;

    /// A short name for logs (`local`, `s3`).
    fn name(&self) -> &'static str;
}

/// Opens the store the settings name: the local folder `dir`, or a bucket.
pub fn open(
    storage: &crate::config::Storage,
    dir: &std::path::Path,
) -> Result<std::sync::Arc<dyn BlobStore>, String> {
    Ok(match storage {
        crate::config::Storage::Local => std::sync::Arc::new(
            local::LocalDisk::open(dir)
                .map_err(|e| format!("cannot open the media folder {}: {e}", dir.display()))?,
        ),
        crate::config::Storage::S3(settings) => std::sync::Arc::new(s3::S3::open(settings)?),
    })
}

/// Stores bytes already in memory (a generated variant).
pub async fn put_bytes(
    store: &dyn BlobStore,
    bytes: Vec<u8>,
    content_type: Option<&'static str>,
) -> StorageResult<Stored> {
    let one = futures_util::stream::once(async move { Ok(Bytes::from(bytes)) });
    store.put(Box::pin(one), content_type).await
}

/// The whole blob in memory (for decoding an image of bounded size).
pub async fn read_all(store: &dyn BlobStore, key: &str) -> StorageResult<Vec<u8>> {
    use futures_util::StreamExt;
    let mut blob = store.get(key, None).await?;
    let mut out = Vec::with_capacity(usize::try_from(blob.size).unwrap_or(0));
    while let Some(chunk) = blob.body.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

/// Whether `key` is a SHA-256 in lower-case hex (the only keys a store takes,
/// so a key never walks out of its folder).
pub fn valid_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
