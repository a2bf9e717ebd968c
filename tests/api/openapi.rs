//! The OpenAPI document: committed, current, complete.

use crate::db_tests;
use crate::helpers::TestApp;
use serde_json::Value;

fn generated() -> Value {
    serde_json::from_str(&kiosque::routes::openapi().to_pretty_json().unwrap()).unwrap()
}

#[test]
fn committed_document_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let committed: Value = serde_json::from_str(&committed).unwrap_or(Value::Null);
    assert!(
        committed == generated(),
        "openapi/openapi.json is stale: regenerate it with `cargo run -- openapi -o openapi/openapi.json`"
    );
}

#[test]
fn every_operation_documents_its_errors_and_security() {
    let doc = generated();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 10);
    let public_writes = [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/verify-email",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/complete",
        "/api/v1/auth/sign-in-link",
        "/api/v1/auth/sign-in-link/complete",
        "/api/v1/unsubscribe",
        "/api/v1/auth/email-change/complete",
    ];
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|k| k.starts_with('2')),
                "{method} {path} documents no success"
            );
            assert!(op["tags"].is_array(), "{method} {path} has no tag");
            let writes = method != "get";
            if writes && !public_writes.contains(&path.as_str()) {
                assert!(
                    op["security"].is_array(),
                    "{method} {path} documents no security"
                );
                for code in ["401", "403"] {
                    assert!(responses.contains_key(code), "{method} {path} lacks {code}");
                }
            }
            if op["requestBody"].is_object() {
                for code in ["400", "415", "422"] {
                    assert!(responses.contains_key(code), "{method} {path} lacks {code}");
                }
            }
            if path.contains('{') && !path.starts_with("/api/v1/auth") {
                assert!(responses.contains_key("404"), "{method} {path} lacks 404");
            }
        }
    }
    let problem = &doc["components"]["schemas"]["Problem"];
    for field in ["type", "title", "status", "detail"] {
        assert!(
            problem["properties"][field].is_object(),
            "Problem lacks {field}"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

fn served_document_is_the_generated_one(app: &TestApp) {
    let res = app.get("/api/v1/openapi.json").send();
    assert_eq!(res.json(), generated());
    let etag = res.header("etag").unwrap().to_string();
    let again = app
        .get("/api/v1/openapi.json")
        .header("If-None-Match", &etag)
        .send();
    assert_eq!(again.status, 304);
}

db_tests!(served_document_is_the_generated_one);

/// The limits a client reads in the document are the ones validation enforces.
#[test]
fn request_schemas_state_the_enforced_limits() {
    use kiosque::auth::password;
    use kiosque::polls::dto::{MAX_OPTIONS, MIN_OPTIONS};
    let doc = generated();
    let schemas = &doc["components"]["schemas"];
    let prop = |schema: &str, field: &str| schemas[schema]["properties"][field].clone();
    for (schema, field) in [("Register", "password"), ("ChangePassword", "new_password")] {
        let p = prop(schema, field);
        assert_eq!(p["minLength"], password::MIN_LEN, "{schema}.{field}");
        assert_eq!(p["maxLength"], password::MAX_LEN, "{schema}.{field}");
    }
    let options = prop("CreatePoll", "options");
    assert_eq!(options["minItems"], MIN_OPTIONS);
    assert_eq!(options["maxItems"], MAX_OPTIONS);
    assert_eq!(prop("CastVote", "options")["maxItems"], MAX_OPTIONS);
    for (schema, field) in [
        ("CreateArticle", "slug"),
        ("UpdateArticle", "slug"),
        ("CreateSection", "slug"),
        ("UpdateSection", "slug"),
        ("CreateTag", "slug"),
        ("UpdateTag", "slug"),
        ("UpdateMe", "slug"),
        ("UpdateUser", "slug"),
    ] {
        let p = prop(schema, field);
        assert_eq!(p["maxLength"], 120, "{schema}.{field}");
        assert!(
            p["pattern"].is_string(),
            "{schema}.{field} states no pattern"
        );
    }
    for (schema, field) in [
        ("Cover", "url"),
        ("CreateArticle", "video_url"),
        ("UpdateArticle", "video_url"),
        ("UpdateMe", "avatar_url"),
        ("UpdateUser", "avatar_url"),
    ] {
        let p = prop(schema, field);
        assert_eq!(p["format"], "uri", "{schema}.{field}");
        assert!(
            p["pattern"]
                .as_str()
                .is_some_and(|r| r.starts_with("^https://")),
            "{schema}.{field} does not require https"
        );
    }
}
