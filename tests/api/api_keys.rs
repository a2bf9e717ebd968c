//! Integrators' API keys.

use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

fn keys_are_shown_once_and_work_by_scope(app: &TestApp) {
    let admin = app.admin();
    let created = app
        .key(&admin)
        .name("Rédaction mobile")
        .scopes(&["content:write", "content:read"])
        .create();
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("kq_") && secret.len() >= 40);
    assert!(secret.starts_with(created["prefix"].as_str().unwrap()));
    assert_eq!(created["scopes"], json!(["content:read", "content:write"]));
    assert_eq!(created["last_used_at"], serde_json::Value::Null);

    app.section(&secret).name("Météo").create();

    let path = created.path();
    let read = app.get(&path).bearer(&admin.token).send();
    assert!(
        !read.text().contains(&secret),
        "the secret is never shown again"
    );
    assert!(read.json().get("secret").is_none());
    assert!(read.json()["last_used_at"].is_string(), "use is recorded");
    let list = app.get("/api/v1/api-keys").bearer(&admin.token).send();
    assert!(!list.text().contains(&secret));
    assert_eq!(list.json()["meta"]["total"], 1);

    // a key cannot administer
    app.get("/api/v1/users").bearer(&secret).send().problem(403);
    app.post("/api/v1/api-keys")
        .bearer(&secret)
        .json(&json!({"name": "escalate", "scopes": ["content:write"]}))
        .send()
        .problem(403);

    assert_eq!(app.delete(&path).bearer(&admin.token).send().status, 204);
    app.get(&path).bearer(&admin.token).send().problem(404);
    app.delete(&path).bearer(&admin.token).send().problem(404);
    let p = app
        .post("/api/v1/sections")
        .bearer(&secret)
        .json(&json!({"name": "X"}))
        .send()
        .problem(401);
    assert!(p["detail"].as_str().unwrap().contains("revoked"));
    assert_eq!(
        app.get("/api/v1/api-keys")
            .bearer(&admin.token)
            .send()
            .json()["meta"]["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/api-keys?revoked=true")
            .bearer(&admin.token)
            .send()
            .json()["meta"]["total"],
        1
    );
}

fn scopes_expiry_and_forgeries(app: &TestApp) {
    let weather = app.api_key(&["weather:write"]);
    app.post("/api/v1/sections")
        .bearer(&weather)
        .json(&json!({"name": "X"}))
        .send()
        .problem(403);
    app.get("/api/v1/sections")
        .bearer("kq_not-a-real-key")
        .send()
        .problem(401);

    let admin = app.admin();
    let expiring = app
        .key(&admin)
        .name("short")
        .scopes(&["content:write"])
        .set(
            "expires_at",
            (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339(),
        )
        .create();
    let secret = expiring["secret"].as_str().unwrap();
    app.section(secret).name("A").create();
    app.state.clock.advance(chrono::Duration::hours(2));
    let p = app
        .post("/api/v1/sections")
        .bearer(secret)
        .json(&json!({"name": "B"}))
        .send()
        .problem(401);
    assert!(p["detail"].as_str().unwrap().contains("expired"));

    let admin = app.admin(); // the first admin's token expired with the clock too
    for body in [
        json!({"name": "x", "scopes": []}),
        json!({"name": "x", "scopes": ["everything"]}),
        json!({"name": "", "scopes": ["content:read"]}),
        json!({"name": "x", "scopes": ["content:read"], "expires_at": "2001-01-01T00:00:00Z"}),
        json!({"name": "x", "scopes": ["content:read"], "expires_at": "tomorrow"}),
    ] {
        app.post("/api/v1/api-keys")
            .bearer(&admin.token)
            .json(&body)
            .send()
            .problem(422);
    }
}

db_tests!(
    keys_are_shown_once_and_work_by_scope,
    scopes_expiry_and_forgeries
);
