//! Refusals at the edge, before a handler or the database sees the request:
//! text no database stores alike (a NUL character, bytes that are not UTF-8)
//! in the path or the query string, and the gate that bounds full-text
//! searches so that cheap reads keep their latency.

use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;

use crate::error::AppError;

/// A NUL or invalid UTF-8 in the path or a query parameter, after
/// percent-decoding: 400 `invalid_text`, the same on both databases.
pub fn check_text(req: &ServiceRequest) -> Result<(), AppError> {
    if !clean(&percent_decode(req.uri().path().as_bytes(), false)) {
        return Err(refusal("the path".to_string()));
    }
    for part in req.query_string().split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let name_bytes = percent_decode(name.as_bytes(), true);
        if !clean(&name_bytes) {
            return Err(refusal("a query parameter's name".to_string()));
        }
        if !clean(&percent_decode(value.as_bytes(), true)) {
            return Err(refusal(format!(
                "the query parameter `{}`",
                String::from_utf8_lossy(&name_bytes)
            )));
        }
    }
    Ok(())
}

fn refusal(place: String) -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "invalid_text",
        format!("{place} contains a NUL character or bytes that are not UTF-8"),
    )
}

fn clean(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

/// `%XX` → the byte; in a query, `+` → space. A malformed escape stays as is.
fn percent_decode(raw: &[u8], plus_is_space: bool) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Whether the request is a full-text search: a GET with a non-empty `q`.
pub fn is_search(req: &ServiceRequest) -> bool {
    req.method() == actix_web::http::Method::GET
        && req.query_string().split('&').any(|p| {
            p.split_once('=')
                .is_some_and(|(k, v)| k == "q" && !v.is_empty() && v.bytes().any(|b| b != b'+'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_a_server() {
        assert_eq!(percent_decode(b"a%00b", false), b"a\0b");
        assert_eq!(percent_decode(b"a+b%2", true), b"a b%2");
        assert_eq!(percent_decode(b"%e9t%C3%A9", false), b"\xe9t\xc3\xa9");
        assert!(!clean(&percent_decode(b"%e9t", false)));
        assert!(clean(&percent_decode(b"%C3%A9t%C3%A9", false)));
    }
}
