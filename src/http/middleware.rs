//! The middleware around every request: a request id (taken from
//! `X-Request-Id` or generated, and echoed), a timeout, security headers,
//! problem documents for any error response that is not one yet, metrics and
//! one log line.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use rand::RngCore;

use crate::error::{AppError, Lang, PROBLEM_JSON};
use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, for logs.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| {
            let mut bytes = [0u8; 12];
            rand::rng().fill_bytes(&mut bytes);
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        })
}

pub async fn around(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    // HEAD is answered as GET without the body: same status and headers
    let head = req.method() == actix_web::http::Method::HEAD;
    if head {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let id = request_id(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let timeout = state
        .as_ref()
        .map(|s| s.config.request_timeout)
        .unwrap_or(std::time::Duration::from_secs(30));
    let method = if head {
        "HEAD".to_string()
    } else {
        req.method().to_string()
    };
    let is_docs = req.path().starts_with("/docs");

    let seen = Seen {
        id: &id,
        method: &method,
        head,
        is_docs,
        started,
        state: state.as_ref(),
    };

    // Text no database can store is refused before anything reads it.
    if let Err(refusal) = super::edge::check_text(&req) {
        return Ok(refuse(req, refusal, &seen));
    }

    // No token where the operation requires one: 401 before the body is read
    // (a missing token must not come back as a validation error).
    if !req.headers().contains_key(header::AUTHORIZATION)
        && req
            .app_data::<web::Data<super::fallback::ApiDocument>>()
            .is_some_and(|d| d.routes.requires_token(req.method().as_str(), req.path()))
    {
        let refusal = AppError::unauthorized("this operation needs a token: sign in first");
        return Ok(refuse(req, refusal, &seen));
    }

    // Searches are the expensive reads: each client gets its share, and only
    // so many run at once, waiting briefly for a place.
    let searching = state.as_ref().filter(|_| super::edge::is_search(&req));
    let _place = match searching {
        None => None,
        Some(s) => {
            let ip = crate::auth::limits::client_ip(req.request(), s.config.trust_proxy);
            let per_hour = s.config.search_per_minute.saturating_mul(60);
            if let Err(refusal) = s.limit("search", ip, per_hour, s.config.search_burst).await {
                return Ok(refuse(req, refusal, &seen));
            }
            match s.search.enter().await {
                Ok(place) => Some(place),
                Err(refusal) => return Ok(refuse(req, refusal, &seen)),
            }
        }
    };

    // Errors that escape the services (a refused CORS request, a timeout) have
    // no request left to answer with: return them as problem documents.
    let res = match actix_web::rt::time::timeout(timeout, next.call(req)).await {
        Ok(Ok(res)) => res.map_into_boxed_body(),
        Ok(Err(err)) => {
            let status = err.as_response_error().status_code();
            let code = if status.is_server_error() {
                "internal_error"
            } else {
                "bad_request"
            };
            tracing::info!(target: "kiosque::http", request_id = %id, method = %method, status = status.as_u16(), "request refused: {err}");
            return Err(AppError::new(status, code, err.to_string()).into());
        }
        Err(_) => {
            tracing::warn!(target: "kiosque::http", request_id = %id, method = %method, "request timed out");
            return Err(AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "request_timeout",
                format!("the request took longer than {} s", timeout.as_secs()),
            )
            .with_header(header::RETRY_AFTER, "5")
            .into());
        }
    };

    Ok(finish(res, &seen))
}

/// Answers `req` with `refusal` without serving it.
fn refuse(req: ServiceRequest, refusal: AppError, seen: &Seen<'_>) -> ServiceResponse<BoxBody> {
    let lang = lang_of(req.request());
    let res = req
        .into_response(refusal.response_in(lang))
        .map_into_boxed_body();
    finish(res, seen)
}

/// What the middleware noted of a request before serving it.
struct Seen<'a> {
    id: &'a str,
    method: &'a str,
    head: bool,
    is_docs: bool,
    started: Instant,
    state: Option<&'a web::Data<AppState>>,
}

/// Problem documents for plain errors, security headers, metrics, the log line.
fn finish(mut res: ServiceResponse<BoxBody>, seen: &Seen<'_>) -> ServiceResponse<BoxBody> {
    let Seen {
        id,
        method,
        head,
        is_docs,
        started,
        state,
    } = *seen;
    let status = res.status();
    if status.as_u16() >= 400 && !is_problem(&res) {
        res = into_problem(res);
    } else if is_problem(&res) {
        res = in_language(res);
    }
    if head {
        res = res.map_body(|_, _| BoxBody::new(actix_web::body::None::new()));
    }

    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(id) {
        headers.insert(REQUEST_ID, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if is_docs {
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
        } else {
            "default-src 'none'; frame-ancestors 'none'"
        }),
    );

    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "<unmatched>".to_string());
    let elapsed = started.elapsed();
    if let Some(state) = state {
        state
            .metrics
            .observe(method, &route, status.as_u16(), elapsed.as_secs_f64());
    }
    tracing::info!(
        target: "kiosque::http",
        request_id = %id,
        method = %method,
        route = %route,
        path = %res.request().path(),
        status = res.status().as_u16(),
        latency_ms = (elapsed.as_secs_f64() * 1000.0),
        "request"
    );
    res
}

/// The language the caller reads problem documents in.
fn lang_of(req: &actix_web::HttpRequest) -> Lang {
    Lang::negotiate(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// A problem document rendered again in the caller's language, when the
/// error it came from is known (every `AppError` a handler or an extractor
/// returns); the headers set on the way (CORS…) are kept.
fn in_language(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let lang = lang_of(res.request());
    let Some(error) = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .cloned()
    else {
        return res;
    };
    let (req, old) = res.into_parts();
    let mut fresh = error.response_in(lang);
    keep_headers(&old, &mut fresh);
    ServiceResponse::new(req, fresh)
}

/// Copies onto a new problem document the headers of the answer it
/// replaces, but for those of its body.
fn keep_headers(old: &actix_web::HttpResponse<BoxBody>, fresh: &mut actix_web::HttpResponse) {
    for (name, value) in old.headers() {
        let body = [
            header::CONTENT_TYPE,
            header::CONTENT_LENGTH,
            header::CONTENT_LANGUAGE,
        ];
        if body.contains(name) || fresh.headers().get(name) == Some(value) {
            continue;
        }
        if name == header::VARY || !fresh.headers().contains_key(name) {
            fresh.headers_mut().append(name.clone(), value.clone());
        } else {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
}

fn is_problem(res: &ServiceResponse<BoxBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

/// Replaces a plain error response (from actix itself or a middleware) with a
/// problem document of the same status, keeping its headers.
fn into_problem(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let (req, old) = res.into_parts();
    let detail = match status {
        StatusCode::NOT_FOUND => format!("no resource at {}", req.path()),
        StatusCode::METHOD_NOT_ALLOWED => {
            format!("{} is not allowed on {}", req.method(), req.path())
        }
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large".to_string(),
        _ => status
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_string(),
    };
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal_error",
        _ => "bad_request",
    };
    let mut fresh = AppError::new(status, code, detail).response_in(lang_of(&req));
    keep_headers(&old, &mut fresh);
    ServiceResponse::new(req, fresh)
}
