//! Image work for the library: the analysis of an upload and the rendering
//! of an image's variants, on the bounded pool (503 with `Retry-After` when
//! it is full), each rendering shared by simultaneous requests.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header;

use super::dto::presets;
use super::model::{MediaRow, NewVariant};
use super::queries;
use crate::error::{AppError, AppResult};
use crate::imaging::{self, Analysis, Format, ImagingError, plan};
use crate::state::AppState;
use crate::storage::{StorageError, put_bytes, read_all};

/// 503: every place of the image pool is taken.
pub fn busy() -> AppError {
    AppError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "media_busy",
        "the server is busy with other images; try again in a moment",
    )
    .with_header(header::RETRY_AFTER, "2")
}

pub fn storage_error(e: StorageError) -> AppError {
    match e {
        StorageError::NotFound(_) => AppError::not_found("the file of this media item is missing"),
        StorageError::Unavailable(cause) => {
            // the cause names the store's address, never its credentials
            tracing::warn!(%cause, "media storage unavailable");
            AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "the media storage does not answer; try again in a moment",
            )
            .with_header(header::RETRY_AFTER, "5")
        }
        other => AppError::internal(format!("media storage: {other}")),
    }
}

fn imaging_error(e: ImagingError) -> AppError {
    match e {
        ImagingError::TooManyPixels { .. } => {
            AppError::unprocessable("image_too_large", e.to_string())
        }
        ImagingError::Corrupt(_) => AppError::unprocessable("unreadable_image", e.to_string()),
        ImagingError::Encode(_) => AppError::internal(e.to_string()),
    }
}

/// Checks an uploaded image (pixel count from its header first, then a
/// decode) and describes it.
pub async fn analyse(state: &AppState, key: &str, format: Format) -> AppResult<Analysis> {
    let place = state.images.pool.place().map_err(|_| busy())?;
    let bytes = read_all(&*state.blobs, key).await.map_err(storage_error)?;
    let max = state.config.media.max_pixels;
    match state
        .images
        .pool
        .run(place, move || imaging::analyse(&bytes, format, max))
        .await
    {
        Some(result) => result.map_err(imaging_error),
        None => Err(AppError::internal("the image analysis failed")),
    }
}

/// Makes sure the variants of `row`'s current version exist: renders them
/// all from one decode when they do not, once however many requests ask at
/// the same time.
pub async fn ensure_variants(
    state: &actix_web::web::Data<AppState>,
    row: &MediaRow,
) -> AppResult<()> {
    let key = format!("{}:{}", row.id, row.version());
    let (s, r) = (state.clone(), row.clone());
    let outcome = state
        .images
        .flights
        .run(key, move || async move {
            render(&s, &r)
                .await
                .map_err(|e| Arc::new(e) as Arc<dyn std::error::Error + Send + Sync>)
        })
        .await;
    outcome.map_err(|e| match e.downcast_ref::<AppError>() {
        Some(app) => app.clone(),
        None => AppError::internal(e.to_string()),
    })
}

async fn render(state: &actix_web::web::Data<AppState>, row: &MediaRow) -> AppResult<()> {
    let version = row.version();
    let settings = &state.config.media;
    let plans = plan(
        row.width.unwrap_or(1).max(1) as u32,
        row.height.unwrap_or(1).max(1) as u32,
        &presets(settings),
        (row.focal_x, row.focal_y),
    );
    let (id, v) = (row.id, version.clone());
    let have = state
        .db
        .run(move |c| {
            Ok(queries::variants_of(c, id)?
                .into_iter()
                .filter(|r| r.version == v)
                .count())
        })
        .await?;
    if have >= plans.len() * imaging::Encoding::ALL.len() {
        return Ok(()); // made meanwhile, here or on another node
    }
    let format = Format::from_content_type(&row.content_type)
        .ok_or_else(|| AppError::internal("an image row of an unknown type"))?;
    let place = state.images.pool.place().map_err(|_| busy())?;
    let bytes = read_all(&*state.blobs, &row.sha256)
        .await
        .map_err(storage_error)?;
    let (max, quality) = (settings.max_pixels, settings.jpeg_quality);
    let job_plans = plans.clone();
    let rendered = state
        .images
        .pool
        .run(place, move || {
            imaging::render(&bytes, format, max, &job_plans, quality)
        })
        .await
        .ok_or_else(|| AppError::internal("rendering the variants failed"))?
        .map_err(imaging_error)?;
    state.images.rendered();
    let now = state.clock.now();
    let mut news = Vec::new();
    for r in rendered {
        let stored = put_bytes(&*state.blobs, r.bytes, Some(r.encoding.content_type()))
            .await
            .map_err(storage_error)?;
        news.push(NewVariant {
            media_id: row.id,
            version: version.clone(),
            preset: r.preset,
            format: r.encoding.extension().to_string(),
            sha256: stored.key,
            size_bytes: stored.size as i64,
            width: r.width as i32,
            height: r.height as i32,
            created_at: now,
        });
    }
    let (id, v) = (row.id, version.clone());
    let stale = state
        .db
        .write(move |c| {
            for n in &news {
                if queries::variant(c, n.media_id, &n.version, &n.preset, &n.format)?.is_none() {
                    queries::insert_variant(c, n)?;
                }
            }
            let stale = queries::drop_stale_variants(c, id, &v)?;
            let mut unused = Vec::new();
            for s in stale {
                if !queries::blob_in_use(c, &s.sha256)? {
                    unused.push(s.sha256);
                }
            }
            Ok::<_, AppError>(unused)
        })
        .await?;
    for sha in stale {
        let _ = state.blobs.delete(&sha).await;
    }
    Ok(())
}

/// How long an audio or video blob lasts, from its headers (`None` when
/// they do not say, or cannot be read: never a reason to refuse a file).
pub async fn measure(state: &AppState, key: &str, size: u64, format: Format) -> Option<i64> {
    use crate::imaging::duration as d;
    let store = &*state.blobs;
    match format {
        Format::Mp4 | Format::M4a => {
            // the top-level boxes, to `moov` (at the start or the end)
            let mut at = 0u64;
            for _ in 0..64 {
                let head = read_at(store, key, at, 16).await?;
                let (kind, len, header) = d::mp4_box(&head, size.checked_sub(at)?)?;
                if &kind == b"moov" {
                    if len > 16 * 1024 * 1024 {
                        return None;
                    }
                    let moov = read_at(store, key, at, len).await?;
                    return d::mp4_mvhd_ms(moov.get(header..)?);
                }
                at += len;
            }
            None
        }
        Format::Webm => d::webm_ms(&read_at(store, key, 0, 256 * 1024).await?),
        Format::Ogg => {
            let head = read_at(store, key, 0, 4096).await?;
            let from = size.saturating_sub(64 * 1024);
            let tail = read_at(store, key, from, size - from).await?;
            d::ogg_ms(&head, &tail)
        }
        Format::Mp3 => {
            let head = read_at(store, key, 0, 16).await?;
            let skip = d::id3_len(&head) as u64;
            let frame = read_at(store, key, skip, 4096).await?;
            d::mp3_ms(&frame, size.checked_sub(skip)?, 0)
        }
        _ => None,
    }
}

/// Up to `len` bytes of a blob from `offset`.
async fn read_at(
    store: &dyn crate::storage::BlobStore,
    key: &str,
    offset: u64,
    len: u64,
) -> Option<Vec<u8>> {
    use futures_util::StreamExt;
    if len == 0 {
        return None;
    }
    let range = crate::storage::ByteRange {
        start: offset,
        end: offset + len - 1,
    };
    let mut blob = store.get(key, Some(range)).await.ok()?;
    if offset >= blob.size {
        return None;
    }
    let mut out = Vec::new();
    while let Some(chunk) = blob.body.next().await {
        out.extend_from_slice(&chunk.ok()?);
    }
    Some(out)
}

/// Removes a blob no row names (an upload refused after it was stored).
pub async fn forget_blob(state: &AppState, key: Option<String>) {
    let Some(key) = key else { return };
    let k = key.clone();
    if let Ok(false) = state
        .db
        .run(move |c| Ok(queries::blob_in_use(c, &k)?))
        .await
    {
        let _ = state.blobs.delete(&key).await;
    }
}
