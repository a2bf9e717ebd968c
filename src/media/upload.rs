//! Receiving a file: a `multipart/form-data` form (the `file` field and
//! metadata fields) or a raw body with its `Content-Type`. The bytes flow to
//! the blob store as they arrive (a few chunks in memory at most); on the
//! way the first bytes decide the format, and the size is held to the
//! kind's limit (and a member's quota). A refusal stops the transfer and
//! leaves nothing stored.

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Payload};
use futures_util::{Stream, StreamExt};

use super::requests::UploadFields;
use crate::error::{AppError, AppResult, FieldError};
use crate::imaging::sniff::SNIFF_BYTES;
use crate::imaging::{Format, Kind, Sniffed, sniff};
use crate::state::AppState;
use crate::storage::{Chunks, StorageError, StorageResult, Stored};

/// What an upload delivered.
pub struct Received {
    pub stored: Stored,
    pub format: Format,
    pub fields: UploadFields,
    pub file_name: String,
}

/// The bounds one upload is held to.
pub struct Bounds<'a> {
    pub state: &'a AppState,
    /// Bytes left of a member's quota (`None`: no quota).
    pub quota_left: Option<u64>,
    /// Whether the caller may upload a file of this kind.
    pub may_upload: &'a dyn Fn(Kind) -> AppResult<()>,
}

impl Bounds<'_> {
    fn limit(&self, kind: Kind) -> u64 {
        let m = &self.state.config.media;
        match kind {
            Kind::Image => m.max_image_bytes,
            Kind::Document => m.max_document_bytes,
            Kind::Video => m.max_video_bytes,
            Kind::Audio => m.max_audio_bytes,
        }
    }
}

pub async fn receive(
    req: &HttpRequest,
    payload: Payload,
    mut fields: UploadFields,
    bounds: &Bounds<'_>,
) -> AppResult<Received> {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        return receive_form(req, payload, fields, bounds).await;
    }
    if content_type.starts_with("multipart/") {
        return Err(AppError::unsupported_media_type(
            "send the file as multipart/form-data or as the raw body",
        ));
    }
    let declared = (!content_type.is_empty()).then_some(content_type);
    let (stored, format) = store(payload, declared, bounds).await?;
    let file_name = clean_name(fields.file_name.take().unwrap_or_default());
    Ok(Received {
        stored,
        format,
        fields,
        file_name,
    })
}

async fn receive_form(
    req: &HttpRequest,
    payload: Payload,
    mut fields: UploadFields,
    bounds: &Bounds<'_>,
) -> AppResult<Received> {
    let mut file: Option<(Stored, Format, String)> = None;
    let got = read_form(req, payload, &mut fields, bounds, &mut file).await;
    if let Err(e) = got {
        // a form refused after its file was stored leaves nothing behind
        let new = file.filter(|(s, _, _)| s.created).map(|(s, _, _)| s.key);
        super::work::forget_blob(bounds.state, new).await;
        return Err(e);
    }
    let Some((stored, format, part_name)) = file else {
        return Err(AppError::invalid(
            "file",
            "the form has no `file` field with the file",
        ));
    };
    let name = fields.file_name.take().unwrap_or(part_name);
    Ok(Received {
        stored,
        format,
        fields,
        file_name: clean_name(name),
    })
}

async fn read_form(
    req: &HttpRequest,
    payload: Payload,
    fields: &mut UploadFields,
    bounds: &Bounds<'_>,
    file: &mut Option<(Stored, Format, String)>,
) -> AppResult<()> {
    let bad = |e: actix_multipart::MultipartError| {
        AppError::bad_request(format!("the multipart body is malformed: {e}"))
    };
    let mut form = actix_multipart::Multipart::new(req.headers(), payload);
    let mut errors = Vec::new();
    let mut count = 0;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(bad)?;
        count += 1;
        if count > 20 {
            return Err(AppError::bad_request("too many form fields (at most 20)"));
        }
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            if file.is_some() {
                return Err(AppError::invalid("file", "send one file per upload"));
            }
            let part_name = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .unwrap_or("")
                .to_string();
            let declared = field
                .content_type()
                .map(|m| m.essence_str().to_ascii_lowercase());
            let (stored, format) = store(field, declared, bounds).await?;
            *file = Some((stored, format, part_name));
            continue;
        }
        let text = match field.bytes(8 * 1024).await {
            Ok(Ok(bytes)) => String::from_utf8(bytes.to_vec())
                .map_err(|_| AppError::invalid(name.clone(), "must be UTF-8 text"))?,
            Ok(Err(e)) => return Err(bad(e)),
            Err(_) => return Err(AppError::invalid(name, "longer than 8 KiB")),
        };
        if let Err(e) = fields.set(&name, text) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    Ok(())
}

/// The last segment of a client's file name, without control characters, at
/// most 255 characters.
fn clean_name(raw: String) -> String {
    raw.rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(255)
        .collect::<String>()
        .trim()
        .to_string()
}

fn abort(e: AppError) -> StorageError {
    StorageError::Aborted(Box::new(e))
}

/// Streams `source` into the blob store through the checks.
async fn store<S, E>(
    source: S,
    declared: Option<String>,
    bounds: &Bounds<'_>,
) -> AppResult<(Stored, Format)>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<StorageResult<Bytes>>(4);
    let chunks: Chunks = Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }));
    // the store learns the type as soon as the first bytes decide it (before
    // any byte reaches it), so a bucket can serve the blob with its type
    let (typed_tx, typed_rx) = tokio::sync::oneshot::channel::<&'static str>();
    let pump = pump(source, declared, bounds, tx, typed_tx);
    let put = async move {
        let content_type = typed_rx.await.ok();
        bounds.state.blobs.put(chunks, content_type).await
    };
    let (stored, format) = futures_util::future::join(put, pump).await;
    match stored {
        Ok(stored) => Ok((
            stored,
            format.ok_or_else(|| AppError::internal("no format after a complete upload"))?,
        )),
        Err(StorageError::Aborted(e)) => match e.downcast::<AppError>() {
            Ok(app) => Err(*app),
            Err(other) => Err(AppError::bad_request(format!(
                "the upload stopped: {other}"
            ))),
        },
        Err(e) => Err(super::work::storage_error(e)),
    }
}

/// Moves chunks from the client to the store, deciding the format from the
/// first bytes and holding the size to its bound. Returns the format once
/// every byte has passed.
async fn pump<S, E>(
    mut source: S,
    declared: Option<String>,
    bounds: &Bounds<'_>,
    tx: tokio::sync::mpsc::Sender<StorageResult<Bytes>>,
    typed: tokio::sync::oneshot::Sender<&'static str>,
) -> Option<Format>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut head: Vec<u8> = Vec::new();
    let mut format: Option<Format> = None;
    let mut limit = u64::MAX;
    let mut total = 0u64;
    let mut ended = false;
    let mut typed = Some(typed);
    loop {
        let chunk = match source.next().await {
            Some(Ok(chunk)) => Some(chunk),
            Some(Err(e)) => {
                let e = AppError::bad_request(format!("the upload broke off: {e}"));
                let _ = tx.send(Err(abort(e))).await;
                return None;
            }
            None => {
                ended = true;
                None
            }
        };
        let bytes = match (format, chunk) {
            (Some(_), Some(chunk)) => chunk,
            (Some(_), None) => return format,
            (None, chunk) => {
                if let Some(c) = chunk {
                    head.extend_from_slice(&c);
                }
                if head.len() < SNIFF_BYTES && !ended {
                    continue;
                }
                match decide(&head, declared.as_deref(), bounds) {
                    Ok((f, l)) => {
                        format = Some(f);
                        limit = l;
                        if let Some(t) = typed.take() {
                            let _ = t.send(f.content_type());
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(abort(e))).await;
                        return None;
                    }
                }
                Bytes::from(std::mem::take(&mut head))
            }
        };
        total += bytes.len() as u64;
        if total > limit {
            let kind = format.map(Format::kind).unwrap_or(Kind::Document);
            let e = if bounds.quota_left.is_some_and(|q| q < bounds.limit(kind)) {
                AppError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "quota_exceeded",
                    format!(
                        "this file would pass your upload quota ({} bytes left)",
                        bounds.quota_left.unwrap_or(0)
                    ),
                )
            } else {
                AppError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!(
                        "a file of kind {} may not be larger than {limit} bytes",
                        kind.as_str()
                    ),
                )
            };
            let _ = tx.send(Err(abort(e))).await;
            return None;
        }
        if !bytes.is_empty() && tx.send(Ok(bytes)).await.is_err() {
            return None; // the store gave up; its error is the answer
        }
        if ended {
            return format;
        }
    }
}

/// The format of the first bytes, checked against the declared type, the
/// caller's rights and the limit of its kind.
fn decide(head: &[u8], declared: Option<&str>, bounds: &Bounds<'_>) -> AppResult<(Format, u64)> {
    let format = match sniff(head) {
        Sniffed::Known(f) => f,
        Sniffed::Empty => {
            return Err(AppError::unprocessable("empty_file", "the file is empty"));
        }
        Sniffed::Svg => {
            return Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "svg_refused",
                "SVG files are refused: they can carry scripts; upload a PNG or WebP instead",
            ));
        }
        Sniffed::Unknown => {
            return Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unknown_media_type",
                "the file is none of the accepted formats: JPEG, PNG, WebP, GIF, PDF, MP4, WebM, MP3, M4A, Ogg",
            ));
        }
    };
    if let Some(d) = declared
        && !is_generic(d)
        && !format.answers_to(d)
    {
        return Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "media_type_mismatch",
            format!(
                "the file was sent as `{d}` but its bytes are {}; send its true type or application/octet-stream",
                format.content_type()
            ),
        ));
    }
    (bounds.may_upload)(format.kind())?;
    let mut limit = bounds.limit(format.kind());
    if let Some(q) = bounds.quota_left {
        limit = limit.min(q);
    }
    Ok((format, limit))
}

/// Declared types that say nothing about the file.
fn is_generic(declared: &str) -> bool {
    let essence = declared.split(';').next().unwrap_or("").trim();
    matches!(
        essence,
        "application/octet-stream" | "binary/octet-stream" | "application/x-www-form-urlencoded"
    )
}

/// Field errors of the metadata, for the caller to report.
pub fn check(fields: &UploadFields) -> Result<(), Vec<FieldError>> {
    use crate::http::Validate;
    fields.validate()
}
