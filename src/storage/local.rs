//! Blobs on the local disk, under one folder: `ab/cd/abcd…` (the key's first
//! two pairs of hex digits as folders keep any folder small). A write goes to
//! a temporary file in `tmp/`, hashed as it is written, flushed to the disk,
//! then renamed to its key: a reader never sees half a blob, and a crash
//! leaves only a temporary file (removed at the next start).

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::{
    Blob, BlobStore, ByteRange, Chunks, Listed, StorageError, StorageResult, StoreFuture, Stored,
    hex, valid_key,
};

/// Bytes read from the disk at a time.
const READ_CHUNK: usize = 256 * 1024;

pub struct LocalDisk {
    root: PathBuf,
}

impl LocalDisk {
    /// A store under `root`, created if missing; leftovers of interrupted
    /// writes are removed.
    pub fn open(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(root.join("tmp"))?;
        for entry in fs::read_dir(root.join("tmp"))?.flatten() {
            let _ = fs::remove_file(entry.path());
        }
        Ok(Self { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, key: &str) -> StorageResult<PathBuf> {
        if !valid_key(key) {
            return Err(StorageError::BadKey(key.chars().take(80).collect()));
        }
        Ok(self.root.join(&key[0..2]).join(&key[2..4]).join(key))
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> StorageResult<T> + Send + 'static,
) -> StorageResult<T> {
    actix_web::rt::task::spawn_blocking(f)
        .await
        .map_err(|e| StorageError::Io(std::io::Error::other(format!("blocking task: {e}"))))?
}

/// A temporary file that removes itself unless it was renamed into place.
struct Temp {
    path: PathBuf,
    file: Option<File>,
    kept: bool,
}

impl Drop for Temp {
    fn drop(&mut self) {
        self.file.take();
        if !self.kept {
            let _ = fs::remove_file(&self.path);
        }
    }
}

impl BlobStore for LocalDisk {
    fn put(&self, mut chunks: Chunks, _: Option<&'static str>) -> StoreFuture<'_, Stored> {
        Box::pin(async move {
            let name = format!("{}.part", hex(&rand::random::<[u8; 12]>()));
            let path = self.root.join("tmp").join(name);
            // The disk work runs on a blocking thread fed through a short
            // channel: at most a few chunks wait in memory.
            // `None` ends the data: a writer whose sender goes away without
            // it gives up, and its temporary file goes with it.
            let (tx, mut rx) = tokio::sync::mpsc::channel::<Option<Bytes>>(4);
            let root = self.root.clone();
            let writer = actix_web::rt::task::spawn_blocking(move || -> StorageResult<Stored> {
                let file = File::create(&path)?;
                let mut temp = Temp {
                    path,
                    file: Some(file),
                    kept: false,
                };
                let mut hasher = Sha256::new();
                let mut size = 0u64;
                loop {
                    let chunk = match rx.blocking_recv() {
                        Some(Some(chunk)) => chunk,
                        Some(None) => break,
                        None => return Err(StorageError::Aborted("the source went away".into())),
                    };
                    hasher.update(&chunk);
                    size += chunk.len() as u64;
                    temp.file.as_mut().expect("open").write_all(&chunk)?;
                }
                let file = temp.file.take().expect("open");
                file.sync_all()?;
                drop(file);
                let key = hex(&hasher.finalize());
                let target = root.join(&key[0..2]).join(&key[2..4]).join(&key);
                if target.exists() {
                    return Ok(Stored {
                        key,
                        size,
                        created: false,
                    });
                }
                fs::create_dir_all(target.parent().expect("nested"))?;
                fs::rename(&temp.path, &target)?;
                temp.kept = true;
                Ok(Stored {
                    key,
                    size,
                    created: true,
                })
            });
            let mut failed = None;
            while let Some(chunk) = chunks.next().await {
                match chunk {
                    Ok(bytes) => {
                        if tx.send(Some(bytes)).await.is_err() {
                            break; // the writer stopped: its error tells why
                        }
                    }
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            if let Some(e) = failed {
                // without the end marker the writer drops its temporary file
                drop(tx);
                drop(writer.await);
                return Err(e);
            }
            let _ = tx.send(None).await;
            drop(tx);
            writer
                .await
                .map_err(|e| StorageError::Io(std::io::Error::other(format!("writer: {e}"))))?
        })
    }

    fn get(&self, key: &str, range: Option<ByteRange>) -> StoreFuture<'_, Blob> {
        let path = self.path_of(key);
        let key = key.to_string();
        Box::pin(async move {
            let path = path?;
            let (file, size) = blocking(move || {
                let file = File::open(&path).map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => StorageError::NotFound(key),
                    _ => e.into(),
                })?;
                let size = file.metadata()?.len();
                Ok((file, size))
            })
            .await?;
            let (start, end) = match range {
                Some(r) => (r.start.min(size), r.end.saturating_add(1).min(size)),
                None => (0, size),
            };
            let state = (Some(file), start, end);
            let body = futures_util::stream::unfold(state, |(file, pos, end)| async move {
                let mut file = file?;
                if pos >= end {
                    return None;
                }
                let want = (end - pos).min(READ_CHUNK as u64) as usize;
                let read = blocking(move || {
                    let mut buf = vec![0u8; want];
                    file.seek(SeekFrom::Start(pos))?;
                    file.read_exact(&mut buf)?;
                    Ok((file, buf))
                })
                .await;
                match read {
                    Ok((file, buf)) => {
                        Some((Ok(Bytes::from(buf)), (Some(file), pos + want as u64, end)))
                    }
                    Err(e) => Some((Err(e), (None, end, end))),
                }
            });
            Ok(Blob {
                size,
                body: Box::pin(body),
            })
        })
    }

    fn delete(&self, key: &str) -> StoreFuture<'_, bool> {
        let path = self.path_of(key);
        Box::pin(async move {
            let path = path?;
            blocking(move || match fs::remove_file(&path) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(e.into()),
            })
            .await
        })
    }

    fn exists(&self, key: &str) -> StoreFuture<'_, bool> {
        let path = self.path_of(key);
        Box::pin(async move {
            let path = path?;
            blocking(move || Ok(path.is_file())).await
        })
    }

    fn list(&self) -> StoreFuture<'_, Vec<Listed>> {
        let root = self.root.clone();
        Box::pin(async move {
            blocking(move || {
                let mut out = Vec::new();
                for a in fs::read_dir(&root)?.flatten() {
                    if !a.path().is_dir() || a.file_name() == "tmp" {
                        continue;
                    }
                    for b in fs::read_dir(a.path())?.flatten() {
                        for f in fs::read_dir(b.path())?.flatten() {
                            let key = f.file_name().to_string_lossy().to_string();
                            if valid_key(&key) {
                                let modified = f.metadata()?.modified()?;
                                out.push(Listed { key, modified });
                            }
                        }
                    }
                }
                Ok(out)
            })
            .await
        })
    }

    fn name(&self) -> &'static str {
        "local"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{put_bytes, read_all};

    fn chunks(parts: Vec<&'static [u8]>) -> Chunks {
        Box::pin(futures_util::stream::iter(
            parts.into_iter().map(|p| Ok(Bytes::from_static(p))),
        ))
    }

    fn store() -> (LocalDisk, PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("kiosque-blobs-{}", hex(&rand::random::<[u8; 6]>())));
        (LocalDisk::open(&dir).unwrap(), dir)
    }

    #[actix_web::test]
    async fn stores_once_by_content_and_reads_ranges() {
        let (disk, dir) = store();
        let a = disk
            .put(chunks(vec![b"hello ", b"world"]), None)
            .await
            .unwrap();
        // sha256("hello world")
        assert_eq!(
            a.key,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!((a.size, a.created), (11, true));
        let b = put_bytes(&disk, b"hello world".to_vec(), None)
            .await
            .unwrap();
        assert_eq!((b.key.as_str(), b.created), (a.key.as_str(), false));
        assert_eq!(read_all(&disk, &a.key).await.unwrap(), b"hello world");
        let mut part = disk
            .get(&a.key, Some(ByteRange { start: 6, end: 9 }))
            .await
            .unwrap();
        let mut got = Vec::new();
        while let Some(c) = part.body.next().await {
            got.extend_from_slice(&c.unwrap());
        }
        assert_eq!((part.size, got.as_slice()), (11, &b"worl"[..]));
        assert_eq!(disk.list().await.unwrap().len(), 1);
        assert!(disk.exists(&a.key).await.unwrap());
        assert!(disk.delete(&a.key).await.unwrap());
        assert!(!disk.delete(&a.key).await.unwrap());
        assert!(matches!(
            disk.get(&a.key, None).await,
            Err(StorageError::NotFound(_))
        ));
        assert!(matches!(
            disk.get("../../etc/passwd", None).await,
            Err(StorageError::BadKey(_))
        ));
        let _ = fs::remove_dir_all(dir);
    }

    #[actix_web::test]
    async fn a_failing_source_leaves_nothing() {
        let (disk, dir) = store();
        let bad: Chunks = Box::pin(futures_util::stream::iter(vec![
            Ok(Bytes::from_static(b"part")),
            Err(StorageError::Aborted("refused".into())),
        ]));
        assert!(matches!(
            disk.put(bad, None).await,
            Err(StorageError::Aborted(_))
        ));
        assert!(disk.list().await.unwrap().is_empty());
        assert_eq!(fs::read_dir(dir.join("tmp")).unwrap().count(), 0);
        let _ = fs::remove_dir_all(dir);
    }
}
