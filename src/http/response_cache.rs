//! The response cache in front of the handlers (the store is
//! `crate::cache::responses`): one middleware for every public read.
//!
//! A handler opts in by naming the surrogate keys of what it shows
//! ([`tag`]: `article:12`, `section:3`, `list:articles`) and, when its answer
//! stops being true at a known time, that time ([`until`]). The middleware
//! then
//!
//! - sends the keys as `Surrogate-Key` and `Cache-Tag`, so that a CDN can
//!   purge by them, on every public answer;
//! - keeps a public `200` answered to an anonymous caller (no
//!   `Authorization`, no cookie, no voter token: nothing that could make the
//!   answer personal) under its normalised address (path, and query
//!   parameters sorted), and answers the same request from memory without
//!   running the handler, `304` included when `If-None-Match` or
//!   `If-Modified-Since` say the client's copy is current.
//!
//! No answer kept here varies by `Accept` or `Accept-Language`: the address
//! alone names an answer. Problem documents do speak the caller's language
//! (`Accept-Language`), but only `200`s are kept. An endpoint whose `200`
//! starts to vary must add the header to [`normalised`].
//!
//! A handler that names no keys is never cached: per-caller answers (poll
//! results for a voter, anything read with a token) stay exact by default.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue, HttpDate};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;

use crate::cache::Stored;
use crate::state::AppState;

pub const SURROGATE_KEY: HeaderName = HeaderName::from_static("surrogate-key");
pub const CACHE_TAG: HeaderName = HeaderName::from_static("cache-tag");
/// Anonymous voters identify themselves with it (`polls`): never cached.
const VOTER_TOKEN: HeaderName = HeaderName::from_static("x-voter-token");

/// The headers of an answer worth sending again from memory.
const KEPT: [HeaderName; 7] = [
    header::CONTENT_TYPE,
    header::CACHE_CONTROL,
    header::LINK,
    header::VARY,
    header::LAST_MODIFIED,
    SURROGATE_KEY,
    CACHE_TAG,
];

/// What a handler said of its answer, kept in the request's extensions.
#[derive(Debug, Default, Clone)]
struct Tags {
    keys: Vec<String>,
    until: Option<NaiveDateTime>,
}

/// Names surrogate keys of the answer being built (what it shows); an
/// answer with keys may be cached while none of them is touched.
pub fn tag<I, S>(req: &HttpRequest, keys: I)
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut ext = req.extensions_mut();
    if ext.get::<Tags>().is_none() {
        ext.insert(Tags::default());
    }
    let Some(tags) = ext.get_mut::<Tags>() else {
        return;
    };
    for k in keys {
        let k = k.into();
        if !tags.keys.contains(&k) {
            tags.keys.push(k);
        }
    }
}

/// Says the answer being built stops being true at `at` (application time),
/// if it is known: a scheduled article becomes public then.
pub fn until(req: &HttpRequest, at: Option<NaiveDateTime>) {
    let Some(at) = at else { return };
    let mut ext = req.extensions_mut();
    match ext.get_mut::<Tags>() {
        Some(t) => t.until = Some(t.until.map_or(at, |u| u.min(at))),
        None => {
            ext.insert(Tags {
                keys: Vec::new(),
                until: Some(at),
            });
        }
    }
}

/// Whether nothing in the request could make the answer personal. A
/// preview token (`?preview=`) opens an unpublished article to its holder
/// only: such a read is neither answered from the cache nor kept.
fn anonymous_read(req: &ServiceRequest) -> bool {
    let h = req.headers();
    req.method() == Method::GET
        && req.path().starts_with("/api/v1/")
        && !h.contains_key(header::AUTHORIZATION)
        && !h.contains_key(header::COOKIE)
        && !h.contains_key(VOTER_TOKEN)
        && !has_param(req.query_string(), PREVIEW)
}

/// The query parameter that carries a preview token (`articles::preview`).
const PREVIEW: &str = "preview";

fn has_param(query: &str, name: &str) -> bool {
    query
        .split('&')
        .any(|p| p.split('=').next().is_some_and(|n| n == name))
}

/// The path and its query parameters in a fixed order: `?b=2&a=1` and
/// `?a=1&b=2` name the same answer.
fn normalised(path: &str, query: &str) -> String {
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if params.is_empty() {
        return path.to_string();
    }
    params.sort_unstable();
    format!("{path}?{}", params.join("&"))
}

/// The client's validators, taken out of the request so that the handler
/// builds a full answer (to keep) and this module answers them.
#[derive(Default)]
struct Validators {
    if_none_match: Option<HeaderValue>,
    if_modified_since: Option<HeaderValue>,
}

impl Validators {
    fn take(headers: &mut HeaderMap) -> Self {
        Self {
            if_none_match: headers.remove(header::IF_NONE_MATCH).next(),
            if_modified_since: headers.remove(header::IF_MODIFIED_SINCE).next(),
        }
    }

    fn of(headers: &HeaderMap) -> Self {
        Self {
            if_none_match: headers.get(header::IF_NONE_MATCH).cloned(),
            if_modified_since: headers.get(header::IF_MODIFIED_SINCE).cloned(),
        }
    }

    /// Whether a copy with `etag` (and `last_modified`) is current:
    /// `If-None-Match` decides when sent (weak comparison), else
    /// `If-Modified-Since`.
    fn not_modified(&self, etag: &str, last_modified: Option<&HeaderValue>) -> bool {
        if let Some(tags) = &self.if_none_match {
            return tags.to_str().is_ok_and(|tags| {
                tags.split(',')
                    .map(str::trim)
                    .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
            });
        }
        let date = |v: &HeaderValue| {
            v.to_str()
                .ok()
                .and_then(|v| v.parse::<HttpDate>().ok())
                .map(std::time::SystemTime::from)
        };
        match (
            self.if_modified_since.as_ref().and_then(date),
            last_modified.and_then(date),
        ) {
            (Some(since), Some(modified)) => modified <= since,
            _ => false,
        }
    }
}

/// Serves anonymous reads from the cache, keeps what handlers tag, and
/// sends the keys of public answers.
pub async fn serve(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let cache = &state.responses;
    let key =
        (cache.is_on() && anonymous_read(&req)).then(|| normalised(req.path(), req.query_string()));
    let Some(key) = key else {
        let res = next.call(req).await?.map_into_boxed_body();
        return Ok(with_keys(res));
    };

    let now = state.clock.now();
    if let Some(stored) = cache.get(&key, now) {
        let validators = Validators::of(req.headers());
        let res = answer(&stored, &validators, now, state.config.public_max_age);
        return Ok(req.into_response(res));
    }

    let validators = Validators::take(req.headers_mut());
    // before the handler reads: a write committing meanwhile makes its
    // answer refused rather than kept stale
    let ticket = cache.ticket();
    let res = with_keys(next.call(req).await?.map_into_boxed_body());
    let tags = res.request().extensions().get::<Tags>().cloned();
    let etag = res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (Some(tags), Some(etag), StatusCode::OK, true) =
        (tags, etag, res.status(), is_public(res.headers()))
    else {
        return Ok(answered_conditionally(res, &validators));
    };
    if tags.keys.is_empty() {
        return Ok(answered_conditionally(res, &validators));
    }

    let (http_req, http_res) = res.into_parts();
    let (head, body) = http_res.into_parts();
    let body = actix_web::body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?;
    let stored = Stored {
        body,
        etag,
        headers: KEPT
            .iter()
            .filter_map(|name| head.headers().get(name).map(|v| (name.clone(), v.clone())))
            .collect(),
        keys: tags.keys,
        until: tags.until,
        stored: Instant::now(),
    };
    let res = answer(&stored, &validators, now, state.config.public_max_age);
    cache.put(ticket, key, stored);
    Ok(ServiceResponse::new(http_req, res))
}

fn is_public(headers: &HeaderMap) -> bool {
    headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("public"))
}

/// Adds `Surrogate-Key` and `Cache-Tag` to a public answer whose handler
/// named keys.
fn with_keys(mut res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    if !matches!(res.status(), StatusCode::OK | StatusCode::NOT_MODIFIED)
        || !is_public(res.headers())
    {
        return res;
    }
    let keys = res
        .request()
        .extensions()
        .get::<Tags>()
        .map(|t| t.keys.clone())
        .unwrap_or_default();
    if keys.is_empty() {
        return res;
    }
    if let (Ok(space), Ok(comma)) = (
        HeaderValue::from_str(&keys.join(" ")),
        HeaderValue::from_str(&keys.join(",")),
    ) {
        res.headers_mut().insert(SURROGATE_KEY, space);
        res.headers_mut().insert(CACHE_TAG, comma);
    }
    res
}

/// A full answer the cache did not keep, turned into 304 when the client's
/// validators (taken out before the handler ran) say its copy is current.
fn answered_conditionally(
    res: ServiceResponse<BoxBody>,
    validators: &Validators,
) -> ServiceResponse<BoxBody> {
    if validators.if_none_match.is_none() && validators.if_modified_since.is_none() {
        return res;
    }
    let current = res.status() == StatusCode::OK
        && res
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|etag| {
                validators.not_modified(etag, res.headers().get(header::LAST_MODIFIED))
            });
    if !current {
        return res;
    }
    let (req, full) = res.into_parts();
    let mut not_modified = HttpResponse::NotModified().finish();
    for (name, value) in full.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            not_modified
                .headers_mut()
                .append(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(req, not_modified)
}

/// 200 with the kept answer, or 304. Shared caches may keep it for the
/// public lifetime, never past the time it stops being true.
fn answer(
    stored: &Stored,
    validators: &Validators,
    now: NaiveDateTime,
    max_age: u32,
) -> HttpResponse {
    let not_modified = validators.not_modified(
        &stored.etag,
        stored
            .headers
            .iter()
            .find(|(n, _)| n == header::LAST_MODIFIED)
            .map(|(_, v)| v),
    );
    let mut res = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    for (name, value) in &stored.headers {
        if not_modified && name == header::CONTENT_TYPE {
            continue;
        }
        res.insert_header((name.clone(), value.clone()));
    }
    if let Ok(etag) = HeaderValue::from_str(&stored.etag) {
        res.insert_header((header::ETAG, etag));
    }
    if let Some(until) = stored.until {
        let left = (until - now).num_seconds().clamp(0, i64::from(max_age));
        res.insert_header((header::CACHE_CONTROL, format!("public, max-age={left}")));
    }
    if not_modified {
        res.finish()
    } else {
        res.body(stored.body.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_order_does_not_matter() {
        assert_eq!(
            normalised("/api/v1/articles", "section=a&limit=5"),
            normalised("/api/v1/articles", "limit=5&section=a")
        );
        assert_eq!(normalised("/api/v1/articles", ""), "/api/v1/articles");
        assert_eq!(normalised("/api/v1/articles", "&"), "/api/v1/articles");
        assert_ne!(
            normalised("/api/v1/articles", "page=2"),
            normalised("/api/v1/articles", "page=3")
        );
    }

    #[test]
    fn a_preview_parameter_is_found_by_name_only() {
        assert!(has_param("preview=abc", PREVIEW));
        assert!(has_param("a=1&preview=", PREVIEW));
        assert!(has_param("preview", PREVIEW));
        assert!(!has_param("previews=1&x=preview", PREVIEW));
        assert!(!has_param("", PREVIEW));
    }

    #[test]
    fn validators_compare_weakly_and_prefer_the_etag() {
        let v = Validators {
            if_none_match: Some(HeaderValue::from_static("W/\"a\", \"b\"")),
            if_modified_since: None,
        };
        assert!(v.not_modified("\"a\"", None));
        assert!(v.not_modified("\"b\"", None));
        assert!(!v.not_modified("\"c\"", None));
        let none = Validators::default();
        assert!(!none.not_modified("\"a\"", None));
    }
}
