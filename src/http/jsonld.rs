//! JSON-LD documents (schema.org) as search engines and sites read them:
//! served as `application/ld+json`, written safe to paste into a
//! `<script>` element. Each resource builds its own document (`jobs::jsonld`,
//! `articles::jsonld`).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

use super::{Freshness, respond};

/// `doc` as `application/ld+json`, with `respond`'s ETag, caching and 304.
///
/// Sites paste this document into `<script type="application/ld+json">`, where
/// a string holding `</script>` would end the element and let what follows
/// run: so the body is written script-safe (see [`script_safe`]). The ETag is
/// computed on the plain serialisation, which the safe one follows one to one.
pub fn respond_ld(req: &HttpRequest, freshness: Freshness, doc: &Value) -> HttpResponse {
    let mut res = respond(req, freshness, doc);
    if res.status() == StatusCode::OK
        && let Ok(plain) = serde_json::to_string(doc)
    {
        res = res.set_body(script_safe(&plain)).map_into_boxed_body();
    }
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json"),
    );
    res
}

/// Rewrites serialised JSON so that no `<`, `>` or `&` (nor U+2028 and
/// U+2029, line ends to JavaScript) appears raw: each becomes its `\uXXXX`
/// escape. Those characters only ever stand inside strings in JSON, where the
/// escape means the same character, so the document parses back unchanged.
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::script_safe;

    #[test]
    fn script_safe_json_parses_back_to_the_same_strings() {
        let original = serde_json::json!({
            "title": "</script><script>alert(1)</script> & co \u{2028}\u{2029}",
            "path": "a\\<b",
        });
        let safe = script_safe(&original.to_string());
        for raw in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!safe.contains(raw), "{raw:?} left in {safe}");
        }
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, original);
    }
}
