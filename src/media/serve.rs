//! Sending a file or a variant: ETag and `If-None-Match`, cache policy,
//! and one byte range (`Range: bytes=…` → 206, 416 when it cannot be
//! satisfied). The bytes stream from the store.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::work::storage_error;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::storage::ByteRange;

/// What to send.
pub struct Sending<'a> {
    pub sha256: &'a str,
    pub size: u64,
    pub content_type: &'a str,
    /// Readable by anyone (shared caches may keep it for a year).
    pub public: bool,
}

/// What a `Range` header asks, against a blob of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Ranged {
    /// No range (or one this server ignores: several ranges, another unit).
    Whole,
    Part(ByteRange),
    Unsatisfiable,
}

pub fn parse_range(raw: Option<&str>, size: u64) -> Ranged {
    let Some(spec) = raw.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        return Ranged::Whole;
    };
    if spec.contains(',') {
        return Ranged::Whole; // several ranges: the whole file is a valid answer
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Ranged::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    let range = match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
        // the last b bytes
        _ if a.is_empty() => match b.parse::<u64>() {
            Ok(0) | Err(_) => return Ranged::Unsatisfiable,
            Ok(n) => ByteRange {
                start: size.saturating_sub(n),
                end: size.saturating_sub(1),
            },
        },
        (Some(start), None) if b.is_empty() => ByteRange {
            start,
            end: size.saturating_sub(1),
        },
        (Some(start), Some(end)) if end >= start => ByteRange {
            start,
            end: end.min(size.saturating_sub(1)),
        },
        _ => return Ranged::Whole, // malformed: ignored, as RFC 9110 allows
    };
    if size == 0 || range.start >= size {
        return Ranged::Unsatisfiable;
    }
    Ranged::Part(range)
}

pub async fn send(
    req: &HttpRequest,
    state: &AppState,
    what: Sending<'_>,
) -> AppResult<HttpResponse> {
    let etag = format!("\"{}\"", &what.sha256[..32.min(what.sha256.len())]);
    let cache = if what.public {
        "public, max-age=31536000, immutable"
    } else {
        "private, no-cache"
    };
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*")
        });
    if fresh {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish());
    }
    let range = parse_range(
        req.headers()
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok()),
        what.size,
    );
    let part = match range {
        Ranged::Unsatisfiable => {
            return Err(AppError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                format!(
                    "the file has {} bytes; the range asked lies outside",
                    what.size
                ),
            )
            .with_header(header::CONTENT_RANGE, format!("bytes */{}", what.size)));
        }
        Ranged::Part(r) => Some(r),
        Ranged::Whole => None,
    };
    let blob = state
        .blobs
        .get(what.sha256, part)
        .await
        .map_err(storage_error)?;
    let length = part.map_or(blob.size, |r| r.len());
    let mut res = HttpResponse::build(if part.is_some() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    });
    res.insert_header((header::CONTENT_TYPE, what.content_type))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ACCEPT_RANGES, HeaderValue::from_static("bytes")));
    if !what.public {
        res.insert_header((header::VARY, HeaderValue::from_static("Authorization")));
    }
    if let Some(r) = part {
        res.insert_header((
            header::CONTENT_RANGE,
            format!("bytes {}-{}/{}", r.start, r.end, blob.size),
        ));
    }
    let body = blob
        .body
        .map(|chunk| chunk.map_err(|e| std::io::Error::other(e.to_string())));
    Ok(res.no_chunking(length).streaming(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_range() {
        let r = |s: &str| parse_range(Some(s), 100);
        assert_eq!(r("bytes=0-9"), Ranged::Part(ByteRange { start: 0, end: 9 }));
        assert_eq!(
            r("bytes=90-"),
            Ranged::Part(ByteRange { start: 90, end: 99 })
        );
        assert_eq!(
            r("bytes=-5"),
            Ranged::Part(ByteRange { start: 95, end: 99 })
        );
        assert_eq!(
            r("bytes=95-500"),
            Ranged::Part(ByteRange { start: 95, end: 99 })
        );
        assert_eq!(r("bytes=100-"), Ranged::Unsatisfiable);
        assert_eq!(r("bytes=0-1,5-6"), Ranged::Whole);
        assert_eq!(r("items=0-1"), Ranged::Whole);
        assert_eq!(r("bytes=5-1"), Ranged::Whole);
        assert_eq!(parse_range(None, 100), Ranged::Whole);
    }
}
