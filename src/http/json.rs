//! A strict JSON body extractor: checks the content type and size, reports
//! syntax errors as 400 and wrong types, unknown or missing fields as 422 with
//! the JSON path of the field, then runs the type's validation.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::validate::Validate;
use crate::error::{AppError, FieldError};
use crate::state::AppState;

pub struct Json<T>(pub T);

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

pub fn is_json_content_type(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let essence = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"))
        })
        .unwrap_or(false)
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.config.max_body_bytes)
            .unwrap_or(262_144);
        let content_type_ok = is_json_content_type(req);
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(AppError::unsupported_media_type(
                    "the request body must be JSON, sent with `Content-Type: application/json`",
                ));
            }
            if declared_len.is_some_and(|n| n > limit) {
                return Err(AppError::payload_too_large(limit));
            }
            let mut body = BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk
                    .map_err(|e| AppError::bad_request(format!("could not read the body: {e}")))?;
                if body.len() + chunk.len() > limit {
                    return Err(AppError::payload_too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            let value = parse::<T>(&body)?;
            value.validate().map_err(AppError::validation)?;
            Ok(Json(value))
        })
    }
}

/// Parses a JSON document into `T`, mapping serde's errors onto the contract.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(AppError::malformed_json(
            "the request body is empty; a JSON object was expected",
        ));
    }
    // every body of this API is an object: serde would otherwise read a
    // struct from an array, field by position
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first != Some(b'{') {
        serde_json::from_slice::<serde::de::IgnoredAny>(body)
            .map_err(|e| classify(e, String::new()))?;
        return Err(AppError::validation(vec![FieldError::new(
            "",
            "the body must be a JSON object",
        )]));
    }
    if has_nul_escape(body) {
        let fields = nul_fields(body);
        if !fields.is_empty() {
            return Err(AppError::validation(
                fields
                    .into_iter()
                    .map(|f| FieldError::new(f, "must not contain NUL characters (\\u0000)"))
                    .collect(),
            ));
        }
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        classify(inner, path)
    })?;
    de.end().map_err(|e| classify(e, String::new()))?;
    Ok(value)
}

/// Whether the body spells a NUL character (`\u0000`) anywhere. A backslash
/// only occurs inside strings, and an escaped backslash is skipped whole, so
/// `"\\u0000"` (a backslash, then the text `u0000`) is not one.
fn has_nul_escape(body: &[u8]) -> bool {
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\\' {
            if body.get(i + 1) == Some(&b'u')
                && body.get(i + 2..i + 6).is_some_and(|h| h == b"0000")
            {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// The JSON paths of the strings (values or keys) holding a NUL character.
/// No database stores one alike (PostgreSQL refuses it), so no string of any
/// body may carry one.
fn nul_fields(body: &[u8]) -> Vec<String> {
    fn walk(value: &serde_json::Value, path: &str, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) if s.contains('\0') => out.push(path.to_string()),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}[{i}]"), out);
                }
            }
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    let here = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    if key.contains('\0') {
                        out.push(here.replace('\0', "\\u0000"));
                    } else {
                        walk(item, &here, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        walk(&value, "", &mut out);
    }
    out
}

fn classify(err: serde_json::Error, path: String) -> AppError {
    use serde_json::error::Category;
    let full = err.to_string();
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            AppError::malformed_json(format!("the body is not valid JSON: {full}"))
        }
        Category::Data => {
            // serde appends " at line L column C"; the JSON path says more.
            let message = full
                .rsplit_once(" at line ")
                .map(|(m, _)| m.to_string())
                .unwrap_or(full);
            let field = if let Some(name) = backticked(&message, "unknown field `") {
                join_path(&path, &name)
            } else if let Some(name) = backticked(&message, "missing field `") {
                join_path(&path, &name)
            } else if path == "." {
                String::new()
            } else {
                path
            };
            let message = if message.starts_with("unknown field") {
                format!("{message}; this field does not exist or may not be set here")
            } else {
                message
            };
            AppError::validation(vec![FieldError::new(field, message)])
        }
    }
}

fn backticked(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next().map(str::to_string)
}

fn join_path(parent: &str, name: &str) -> String {
    if parent.is_empty() || parent == "." {
        name.to_string()
    } else {
        // serde_path_to_error names the unknown key itself as the last segment
        if parent.rsplit('.').next() == Some(name) {
            parent.to_string()
        } else {
            format!("{parent}.{name}")
        }
    }
}

/// For a field of an update that may be absent (leave as is), `null` (clear)
/// or a value: `#[serde(default, deserialize_with = "crate::http::json::nullable")]`.
pub fn nullable<'de, T: serde::Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_are_found_wherever_they_hide() {
        assert!(!has_nul_escape(br#"{"a": "\\u0000"}"#));
        assert!(has_nul_escape(br#"{"a": "x\u0000"}"#));
        assert_eq!(
            nul_fields(br#"{"a": {"b": ["ok", "x\u0000"]}, "c\u0000": 1}"#),
            ["a.b[1]", "c\\u0000"]
        );
        assert!(nul_fields(br#"{"a": "\\u0000"}"#).is_empty());
    }
}
