//! Documents served from the in-memory cache (`crate::cache`): built once
//! from the database, then answered from memory, with an `ETag`, a
//! `Last-Modified` and 304 for a client whose copy is current. Feeds and
//! sitemaps go through [`serve`]; their builders say when the document stops
//! being true on its own (a scheduled item going public, an offer expiring).

use std::sync::Arc;
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HttpDate};
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDateTime;

use super::conditional::etag_of;
use crate::cache::Document;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// What a builder hands back.
pub struct Built {
    pub body: Vec<u8>,
    pub content_type: &'static str,
    /// When the document stops being true by the passing of time alone.
    pub until: Option<NaiveDateTime>,
}

/// The document at the request's path: from memory while current, else
/// built by `build` (given a connection and the application time) and kept.
/// These documents take no query parameters (400), so the path alone names them.
pub async fn serve<F>(req: &HttpRequest, state: &AppState, build: F) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut AnyConnection, NaiveDateTime) -> AppResult<Built> + Clone + Send + 'static,
{
    if !req.query_string().is_empty() {
        return Err(AppError::bad_request(
            "this document takes no query parameters",
        ));
    }
    let key = req.path();
    let now = state.clock.now();
    let ttl = state.config.site.cache_ttl;
    let document = match state.documents.get(key, state.db.generation(), now, ttl) {
        Some(document) => document,
        None => {
            // read before building: a commit during the build makes the
            // entry outdated at once rather than wrongly current
            let generation = state.db.generation();
            let built = state.db.run(move |c| build(c, now)).await?;
            let etag = etag_of(&built.body);
            // unchanged bytes keep their date, so If-Modified-Since still
            // matches; new bytes date from now (a deletion makes a feed
            // change without any newer item in it)
            let last_modified = match state.documents.last(key) {
                Some(previous) if previous.etag == etag => previous.last_modified,
                _ => whole_seconds(now),
            };
            let document = Arc::new(Document {
                etag,
                body: built.body.into(),
                content_type: built.content_type,
                last_modified,
                generation,
                until: built.until,
                built: Instant::now(),
            });
            state.documents.put(key, document.clone());
            document
        }
    };
    Ok(respond(req, &document, now, state.config.public_max_age))
}

fn whole_seconds(t: NaiveDateTime) -> NaiveDateTime {
    use chrono::SubsecRound;
    t.trunc_subsecs(0)
}

fn http_date(t: NaiveDateTime) -> HttpDate {
    let secs = t.and_utc().timestamp().max(0) as u64;
    HttpDate::from(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

/// Whether the client's copy is current: `If-None-Match` decides when sent,
/// else `If-Modified-Since`.
fn not_modified(req: &HttpRequest, document: &Document) -> bool {
    if let Some(tags) = req.headers().get(header::IF_NONE_MATCH) {
        return tags.to_str().is_ok_and(|tags| {
            tags.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == document.etag)
        });
    }
    req.headers()
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<HttpDate>().ok())
        .is_some_and(|since| {
            let since = std::time::SystemTime::from(since);
            let modified = std::time::SystemTime::from(http_date(document.last_modified));
            modified <= since
        })
}

/// 200 with the document, or 304. Shared caches may keep it for the public
/// lifetime, never past the time it stops being true.
pub fn respond(
    req: &HttpRequest,
    document: &Document,
    now: NaiveDateTime,
    max_age: u32,
) -> HttpResponse {
    let max_age = match document.until {
        Some(until) => (until - now).num_seconds().clamp(0, i64::from(max_age)),
        None => i64::from(max_age),
    };
    let status = if not_modified(req, document) {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, document.etag.as_str()))
        .insert_header((header::LAST_MODIFIED, http_date(document.last_modified)))
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={max_age}")));
    if status == StatusCode::NOT_MODIFIED {
        return res.finish();
    }
    res.content_type(document.content_type)
        .body(document.body.clone())
}
