//! Blobs in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Garage,
//! moto), through the `object_store` crate: `{prefix}/{sha256}`, flat (the
//! service needs no folders to stay fast), so a CDN or the bucket's own
//! address can serve a public blob as `{base}/{sha256}`.
//!
//! A write hashes the chunks as they pass. A small blob (under one part)
//! is held until its end, then, its key known, stored in one request, or
//! not at all when the bucket already has it. A larger one goes up as a
//! multipart upload under a temporary key (`{prefix}/tmp/…`), a few parts
//! in memory at most, then is copied to its key (unless already there) and
//! the temporary object removed: a reader never sees half a blob.
//!
//! Every request runs on this module's own small runtime, bounded in time
//! and retries: a store that fails or does not answer is
//! [`StorageError::Unavailable`], never a hung request. (The server's
//! workers each run their own single-threaded runtime; connections made on
//! one and reused from another would break when the first is busy or gone.)

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Location;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, GetOptions, ObjectStore, ObjectStoreExt,
    PutMultipartOptions, PutOptions, PutPayload, RetryConfig, WriteMultipart,
};
use sha2::{Digest, Sha256};

use super::{
    Blob, BlobStore, ByteRange, Chunks, Listed, StorageError, StorageResult, StoreFuture, Stored,
    hex, valid_key,
};
use crate::config::S3Settings;

/// Size of a multipart upload's parts (S3's smallest), and the size under
/// which a blob goes up in one request.
const PART: usize = 5 * 1024 * 1024;
/// Parts of one upload in flight at once.
const PARTS_IN_FLIGHT: usize = 2;
/// Chunks of a read waiting for the client.
const READ_AHEAD: usize = 2;

pub struct S3 {
    store: Arc<AmazonS3>,
    prefix: String,
    /// Bound on a whole operation (all its retries included).
    deadline: Duration,
}

/// The runtime every request to the store runs on, made once per process
/// and never dropped.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kiosque-s3")
            .enable_all()
            .build()
            .expect("the S3 client's runtime starts")
    })
}

/// Runs `work` on the store's runtime, within `deadline`; dropping the
/// returned future stops the work.
async fn on_runtime<T: Send + 'static>(
    deadline: Duration,
    work: impl Future<Output = StorageResult<T>> + Send + 'static,
) -> StorageResult<T> {
    let mut task = AbortOnDrop(runtime().spawn(async move {
        match tokio::time::timeout(deadline, work).await {
            Ok(done) => done,
            Err(_) => Err(StorageError::Unavailable(format!(
                "no answer within {} s",
                deadline.as_secs()
            ))),
        }
    }));
    match (&mut task.0).await {
        Ok(done) => done,
        Err(e) => Err(StorageError::Unavailable(format!(
            "the S3 task failed: {e}"
        ))),
    }
}

/// A task on the store's runtime that stops when its awaiting side goes away
/// (a client that hung up mid-upload).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn fault(e: object_store::Error) -> StorageError {
    match e {
        object_store::Error::NotFound { path, .. } => StorageError::NotFound(path),
        other => StorageError::Unavailable(other.to_string()),
    }
}

fn typed(content_type: Option<&'static str>) -> Attributes {
    let mut attributes = Attributes::new();
    if let Some(ct) = content_type {
        attributes.insert(Attribute::ContentType, ct.into());
    }
    attributes
}

impl S3 {
    /// A client for the bucket of `settings` (no request is made yet: a
    /// bucket that is down at start makes requests fail later, with 503).
    pub fn open(settings: &S3Settings) -> Result<Self, String> {
        let timeout = settings.timeout;
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_allow_http(settings.allow_http)
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(settings.allow_http)
                    .with_timeout(timeout)
                    .with_connect_timeout(settings.connect_timeout),
            )
            .with_retry(RetryConfig {
                backoff: BackoffConfig {
                    init_backoff: Duration::from_millis(100),
                    max_backoff: Duration::from_secs(2),
                    base: 2.0,
                },
                max_retries: settings.retries,
                retry_timeout: timeout,
            });
        if let Some(endpoint) = &settings.endpoint {
            // path-style addressing: what MinIO, Garage and moto expect
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false);
        }
        if let (Some(id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
        }
        let store = builder
            .build()
            .map_err(|e| format!("KIOSQUE_S3_*: the S3 client cannot be made: {e}"))?;
        let s3 = Self {
            store: Arc::new(store),
            prefix: settings.prefix.clone(),
            // a whole operation: a few requests, each bounded, and their retries
            deadline: timeout * 3 + Duration::from_secs(5),
        };
        s3.sweep_temporaries();
        Ok(s3)
    }

    fn under_prefix(prefix: &str, name: &str) -> Location {
        if prefix.is_empty() {
            Location::from(name)
        } else {
            Location::from(format!("{prefix}/{name}"))
        }
    }

    fn location(&self, key: &str) -> StorageResult<Location> {
        if !valid_key(key) {
            return Err(StorageError::BadKey(key.chars().take(80).collect()));
        }
        Ok(Self::under_prefix(&self.prefix, key))
    }

    /// Removes, in the background, temporary objects a day old (uploads
    /// that a crash or a lost connection interrupted).
    fn sweep_temporaries(&self) {
        let store = self.store.clone();
        let tmp = Self::under_prefix(&self.prefix, "tmp");
        runtime().spawn(async move {
            let cutoff = chrono::Utc::now() - chrono::Duration::days(1);
            let mut listed = store.list(Some(&tmp));
            while let Some(Ok(meta)) = listed.next().await {
                if meta.last_modified < cutoff {
                    let _ = store.delete(&meta.location).await;
                }
            }
        });
    }
}

/// Whether `location` is there.
async fn present(store: &AmazonS3, location: &Location) -> StorageResult<bool> {
    match store.head(location).await {
        Ok(_) => Ok(true),
        Err(object_store::Error::NotFound { .. }) => Ok(false),
        Err(e) => Err(fault(e)),
    }
}

/// The body of a write, on the store's runtime.
async fn write(
    store: Arc<AmazonS3>,
    prefix: String,
    mut chunks: Chunks,
    content_type: Option<&'static str>,
) -> StorageResult<Stored> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut small: Vec<Bytes> = Vec::new();
    let mut held = 0usize;
    let mut big: Option<(Location, WriteMultipart)> = None;
    while let Some(chunk) = chunks.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                if let Some((_, upload)) = big {
                    let _ = upload.abort().await;
                }
                return Err(e);
            }
        };
        hasher.update(&chunk);
        size += chunk.len() as u64;
        if let Some((_, upload)) = big.as_mut() {
            if let Err(e) = upload.wait_for_capacity(PARTS_IN_FLIGHT).await {
                if let Some((_, upload)) = big {
                    let _ = upload.abort().await;
                }
                return Err(fault(e));
            }
            upload.put(chunk);
            continue;
        }
        held += chunk.len();
        small.push(chunk);
        if held >= PART {
            // too big for one request: a multipart upload under a temporary name
            let name = format!("tmp/{}.part", hex(&rand::random::<[u8; 12]>()));
            let temp = S3::under_prefix(&prefix, &name);
            let options = PutMultipartOptions {
                attributes: typed(content_type),
                ..Default::default()
            };
            let upload = store
                .put_multipart_opts(&temp, options)
                .await
                .map_err(fault)?;
            let mut upload = WriteMultipart::new_with_chunk_size(upload, PART);
            for c in small.drain(..) {
                upload.put(c);
            }
            big = Some((temp, upload));
        }
    }
    let key = hex(&hasher.finalize());
    let target = S3::under_prefix(&prefix, &key);
    match big {
        None => {
            if present(&store, &target).await? {
                return Ok(Stored {
                    key,
                    size,
                    created: false,
                });
            }
            let payload: PutPayload = small.into_iter().collect();
            let options = PutOptions {
                attributes: typed(content_type),
                ..Default::default()
            };
            store
                .put_opts(&target, payload, options)
                .await
                .map_err(fault)?;
            Ok(Stored {
                key,
                size,
                created: true,
            })
        }
        Some((temp, upload)) => {
            upload.finish().await.map_err(fault)?;
            let placed: StorageResult<bool> = async {
                if present(&store, &target).await? {
                    return Ok(false);
                }
                store.copy(&temp, &target).await.map_err(fault)?;
                Ok(true)
            }
            .await;
            let _ = store.delete(&temp).await;
            Ok(Stored {
                key,
                size,
                created: placed?,
            })
        }
    }
}

impl BlobStore for S3 {
    fn put(&self, chunks: Chunks, content_type: Option<&'static str>) -> StoreFuture<'_, Stored> {
        let (store, prefix) = (self.store.clone(), self.prefix.clone());
        // a large upload may take long: its bound is the time without progress,
        // which the client's per-request timeout gives; this is only a backstop
        let deadline = self.deadline.max(Duration::from_secs(3600));
        Box::pin(on_runtime(
            deadline,
            write(store, prefix, chunks, content_type),
        ))
    }

    fn get(&self, key: &str, range: Option<ByteRange>) -> StoreFuture<'_, Blob> {
        let location = self.location(key);
        let store = self.store.clone();
        let deadline = self.deadline;
        Box::pin(async move {
            let location = location?;
            let (size, rx) = on_runtime(deadline, async move {
                let options =
                    GetOptions::new().with_range(range.map(|r| r.start..r.end.saturating_add(1)));
                let found = store.get_opts(&location, options).await.map_err(fault)?;
                let size = found.meta.size;
                let mut body = found.into_stream();
                // the bytes are read on the store's runtime and handed over
                // through a short channel: a slow client holds a few chunks
                let (tx, rx) = tokio::sync::mpsc::channel::<StorageResult<Bytes>>(READ_AHEAD);
                runtime().spawn(async move {
                    while let Some(chunk) = body.next().await {
                        let failed = chunk.is_err();
                        if tx.send(chunk.map_err(fault)).await.is_err() || failed {
                            break;
                        }
                    }
                });
                Ok((size, rx))
            })
            .await?;
            let body = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|chunk| (chunk, rx))
            });
            Ok(Blob {
                size,
                body: Box::pin(body),
            })
        })
    }

    fn delete(&self, key: &str) -> StoreFuture<'_, bool> {
        let location = self.location(key);
        let store = self.store.clone();
        let deadline = self.deadline;
        Box::pin(async move {
            let location = location?;
            on_runtime(deadline, async move {
                // S3 answers a deletion the same whether the object was there
                if !present(&store, &location).await? {
                    return Ok(false);
                }
                store.delete(&location).await.map_err(fault)?;
                Ok(true)
            })
            .await
        })
    }

    fn exists(&self, key: &str) -> StoreFuture<'_, bool> {
        let location = self.location(key);
        let store = self.store.clone();
        let deadline = self.deadline;
        Box::pin(async move {
            let location = location?;
            on_runtime(deadline, async move { present(&store, &location).await }).await
        })
    }

    fn list(&self) -> StoreFuture<'_, Vec<Listed>> {
        let store = self.store.clone();
        let prefix = self.prefix.clone();
        // a listing pages through the whole bucket: a longer bound
        let deadline = self.deadline * 4;
        Box::pin(on_runtime(deadline, async move {
            let root = (!prefix.is_empty()).then(|| Location::from(prefix.as_str()));
            let mut listed = store.list(root.as_ref());
            let mut out = Vec::new();
            while let Some(meta) = listed.next().await {
                let meta = meta.map_err(fault)?;
                let name = meta.location.filename().unwrap_or("");
                // only blobs straight under the prefix (not `tmp/…`)
                if valid_key(name) && meta.location == S3::under_prefix(&prefix, name) {
                    out.push(Listed {
                        key: name.to_string(),
                        modified: SystemTime::from(meta.last_modified),
                    });
                }
            }
            Ok(out)
        }))
    }

    fn name(&self) -> &'static str {
        "s3"
    }
}
