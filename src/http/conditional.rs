//! Conditional requests: every read carries an `ETag` computed from the exact
//! bytes sent, `If-None-Match` answers 304, and `If-Match` on an update is
//! compared with the ETag the caller would read now (412 when stale).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::pagination::{Page, PageRequest};
use crate::error::AppError;
use crate::state::AppState;

/// Who may keep a copy of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Published content read anonymously: shared caches may keep it briefly.
    Public,
    /// Anything read with credentials, or not public: only the client's own cache, revalidated.
    Private,
}

pub fn etag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("\"{}\"", URL_SAFE_NO_PAD.encode(&digest[..16]))
}

fn header_matches(value: &str, etag: &str, weak: bool) -> bool {
    value.split(',').map(str::trim).any(|candidate| {
        if candidate == "*" {
            return true;
        }
        let candidate = if weak {
            candidate.strip_prefix("W/").unwrap_or(candidate)
        } else {
            candidate
        };
        candidate == etag
    })
}

/// Whether the request's `If-None-Match` names `etag` (weak comparison, as
/// RFC 9110 asks for GET): the client's copy is current and gets a 304.
pub fn client_has(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| header_matches(v, etag, true))
}

/// 200 with the JSON body, its ETag and cache policy; 304 when the client's copy is current.
pub fn respond<T: Serialize>(req: &HttpRequest, freshness: Freshness, body: &T) -> HttpResponse {
    respond_with(req, freshness, body, None)
}

/// A list page, with its `Link` header.
pub fn respond_page<T: Serialize>(
    req: &HttpRequest,
    freshness: Freshness,
    page: &Page<T>,
    paged: &PageRequest,
) -> HttpResponse {
    respond_with(req, freshness, page, page.link_header(paged))
}

fn respond_with<T: Serialize>(
    req: &HttpRequest,
    freshness: Freshness,
    body: &T,
    link: Option<String>,
) -> HttpResponse {
    let bytes = match serde_json::to_vec(body) {
        Ok(b) => b,
        Err(e) => {
            return actix_web::ResponseError::error_response(&AppError::internal(format!(
                "serialising a response: {e}"
            )));
        }
    };
    let etag = etag_of(&bytes);
    let max_age = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.config.public_max_age)
        .unwrap_or(60);
    let cache_control = match freshness {
        Freshness::Public => format!("public, max-age={max_age}"),
        Freshness::Private => "private, no-cache".to_string(),
    };
    let not_modified = client_has(req, &etag);
    let mut res = HttpResponse::build(if not_modified {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    });
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::VARY, HeaderValue::from_static("Authorization")));
    if let Some(link) = link {
        res.insert_header((header::LINK, link));
    }
    if not_modified {
        return res.finish();
    }
    res.content_type("application/json").body(bytes)
}

/// The `If-Match` header of an update, taken out of the request so it can
/// travel into the database closure. Send `If-Match` with the ETag you read;
/// a stale one is refused with 412.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(Option<String>);

impl utoipa::IntoParams for IfMatch {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        vec![
            ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(utoipa::openapi::Required::False)
                .description(Some("ETag of the version you read"))
                .schema(Some(utoipa::openapi::ObjectBuilder::new().schema_type(
                    utoipa::openapi::schema::SchemaType::from_iter([
                        utoipa::openapi::Type::String,
                        utoipa::openapi::Type::Null,
                    ]),
                )))
                .build(),
        ]
    }
}

impl actix_web::FromRequest for IfMatch {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(match req.headers().get(header::IF_MATCH) {
            None => Ok(IfMatch(None)),
            Some(v) => v
                .to_str()
                .map(|v| IfMatch(Some(v.to_string())))
                .map_err(|_| AppError::bad_request("If-Match is not a valid header value")),
        })
    }
}

impl IfMatch {
    /// Compares with the ETag of `current`, the representation the caller would read now.
    pub fn check<T: Serialize>(&self, current: &T) -> Result<(), AppError> {
        let Some(value) = &self.0 else {
            return Ok(());
        };
        let bytes = serde_json::to_vec(current)
            .map_err(|e| AppError::internal(format!("serialising for If-Match: {e}")))?;
        if header_matches(value, &etag_of(&bytes), false) {
            Ok(())
        } else {
            Err(AppError::precondition_failed(
                "the resource changed since you read it (If-Match does not match its ETag); read it again",
            ))
        }
    }
}

impl crate::auth::Caller {
    /// Whether responses for this caller may be kept by shared caches.
    pub fn freshness(&self) -> Freshness {
        if self.is_anonymous() {
            Freshness::Public
        } else {
            Freshness::Private
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_lists_and_weak_tags() {
        assert!(header_matches("\"a\", \"b\"", "\"b\"", false));
        assert!(header_matches("W/\"b\"", "\"b\"", true));
        assert!(!header_matches("W/\"b\"", "\"b\"", false));
        assert!(header_matches("*", "\"x\"", false));
        assert!(!header_matches("\"c\"", "\"b\"", true));
    }
}
