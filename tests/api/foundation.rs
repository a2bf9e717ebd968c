//! The contract every endpoint shares: problem documents for bad input,
//! operations endpoints, request ids, security headers, CORS.

use crate::db_tests;
use crate::helpers::TestApp;
use kiosque::config::Config;
use serde_json::json;

fn health_and_readiness(app: &TestApp) {
    assert_eq!(app.get("/healthz").send().ok()["status"], "ok");
    let ready = app.get("/readyz").send().ok();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["migrations_applied"], true);
    let expected = match app.backend() {
        kiosque::config::Backend::Sqlite => "sqlite",
        kiosque::config::Backend::Postgres => "postgres",
    };
    assert_eq!(ready["database"], expected);
}

fn metrics_count_requests_by_route(app: &TestApp) {
    app.get("/api/v1/sections").send().ok();
    app.get("/api/v1/sections/nope").send().problem(404);
    let res = app.get("/metrics").send();
    assert_eq!(res.status, 200);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text();
    assert!(
        text.contains(
            r#"kiosque_http_requests_total{method="GET",route="/api/v1/sections",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"route="/api/v1/sections/{id}",status="404"} 1"#));
    assert!(text.contains("kiosque_http_request_duration_seconds_bucket"));
    assert!(text.contains(r#"kiosque_db_pool_connections{state="idle"}"#));
}

fn unknown_routes_and_methods_are_problems(app: &TestApp) {
    let p = app.get("/api/v1/nothing-here").send().problem(404);
    assert_eq!(p["code"], "not_found");
    let res = app.put("/api/v1/sections").json(&json!({})).send();
    let p = res.problem(405);
    assert_eq!(p["code"], "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET, POST"));
    let res = app.post("/api/v1/sections/economie").send();
    res.problem(405);
    assert_eq!(res.header("allow"), Some("GET, PATCH, DELETE"));
    // the most specific route decides: `/events/{id}.ics` is not `/events/{id}`
    let res = app.request("OPTIONS", "/api/v1/events/7.ics").send();
    res.problem(405);
    assert_eq!(res.header("allow"), Some("GET"));
}

fn head_answers_like_get_without_a_body(app: &TestApp) {
    let get = app.get("/api/v1/sections").send();
    let head = app.request("HEAD", "/api/v1/sections").send();
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("etag"), get.header("etag"));
    assert_eq!(head.header("content-type"), Some("application/json"));
    assert_eq!(
        app.request("HEAD", "/api/v1/sections/nope").send().status,
        404
    );
}

fn bad_bodies_are_refused_with_the_right_status(app: &TestApp) {
    let editor = app.editor();
    let post = || app.post("/api/v1/sections").bearer(&editor.token);

    let p = post()
        .raw("application/json", "{\"name\": ")
        .send()
        .problem(400);
    assert_eq!(p["code"], "malformed_json");
    post().raw("application/json", "").send().problem(400);
    post()
        .raw("application/json", "{\"name\":\"A\"} trailing")
        .send()
        .problem(400);

    let p = post().json(&json!({"name": 42})).send().problem(422);
    assert_eq!(p["errors"][0]["field"], "name");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expected a string")
    );

    let p = post()
        .json(&json!({"name": "Sport", "colour": "red"}))
        .send()
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "colour");

    let p = post().json(&json!({})).send().problem(422);
    assert_eq!(p["errors"][0]["field"], "name");

    let p = post().json(&json!({"name": "   "})).send().problem(422);
    assert_eq!(p["errors"][0]["message"], "must not be empty");

    let p = post().raw("text/plain", "name=Sport").send().problem(415);
    assert_eq!(p["code"], "unsupported_media_type");
    post().raw("", "{\"name\":\"Sport\"}").send().problem(415);

    let huge = format!(
        "{{\"name\":\"Sport\",\"description\":\"{}\"}}",
        "x".repeat(300_000)
    );
    let p = post().raw("application/json", huge).send().problem(413);
    assert_eq!(p["code"], "payload_too_large");

    // nothing was half-written
    assert_eq!(app.get("/api/v1/sections").send().ok()["meta"]["total"], 0);
}

fn bad_query_parameters_are_refused(app: &TestApp) {
    let cases = [
        (
            "/api/v1/sections?colour=red",
            "unknown query parameter `colour`",
        ),
        (
            "/api/v1/sections?limit=0",
            "limit must be between 1 and 100",
        ),
        (
            "/api/v1/sections?limit=101",
            "limit must be between 1 and 100",
        ),
        ("/api/v1/sections?limit=abc", "invalid query parameter"),
        ("/api/v1/sections?page=0", "page must be"),
        (
            "/api/v1/sections?page=1&cursor=abc",
            "either `page` or `cursor`",
        ),
        (
            "/api/v1/sections?cursor=not-a-cursor",
            "cursor is not valid",
        ),
        (
            "/api/v1/sections?sort=secret_field",
            "cannot sort by `secret_field`",
        ),
        (
            "/api/v1/tags?q=1%27%20OR%201=1--&limit=1;DROP%20TABLE%20tags",
            "invalid query parameter",
        ),
    ];
    for (path, expected) in cases {
        let p = app.get(path).send().problem(400);
        assert!(
            p["detail"].as_str().unwrap().contains(expected),
            "{path}: {}",
            p["detail"]
        );
    }
    // SQL in a filter is only text
    let res = app.get("/api/v1/tags?q=%27%20OR%201=1--").send().ok();
    assert_eq!(res["meta"]["total"], 0);
}

fn request_ids_and_security_headers(app: &TestApp) {
    let res = app
        .get("/api/v1/sections")
        .header("X-Request-Id", "trace-abc-123")
        .send();
    assert_eq!(res.header("x-request-id"), Some("trace-abc-123"));
    let generated = app.get("/api/v1/sections").send();
    let id = generated.header("x-request-id").unwrap();
    assert!(id.len() >= 16 && id != "trace-abc-123");
    let hostile = app
        .get("/api/v1/sections")
        .header("X-Request-Id", "<script>")
        .send();
    assert_ne!(hostile.header("x-request-id"), Some("<script>"));
    for res in [&generated, &app.get("/api/v1/nope").send()] {
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(res.header("x-frame-options"), Some("DENY"));
        assert!(
            res.header("content-security-policy")
                .unwrap()
                .contains("default-src 'none'")
        );
    }
}

fn cors_allows_only_configured_origins(app: &TestApp) {
    let allowed = app
        .request("OPTIONS", "/api/v1/sections")
        .header("Origin", "https://front.example")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send();
    assert_eq!(allowed.status, 200);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://front.example")
    );
    let simple = app
        .get("/api/v1/sections")
        .header("Origin", "https://front.example")
        .send();
    assert_eq!(
        simple.header("access-control-allow-origin"),
        Some("https://front.example")
    );
    assert!(
        simple
            .header("access-control-expose-headers")
            .unwrap()
            .contains("etag")
    );
    let other = app
        .get("/api/v1/sections")
        .header("Origin", "https://evil.example")
        .send();
    // the browser, seeing no allow header, keeps the answer from the page
    assert_eq!(other.header("access-control-allow-origin"), None);
}

fn docs_are_served_offline(app: &TestApp) {
    let redirect = app.get("/docs").send();
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("/docs/"));
    let page = app.get("/docs/").send();
    assert_eq!(page.status, 200);
    assert!(page.text().contains("swagger-ui"));
    assert!(!page.text().contains("://cdn"), "no asset from a CDN");
    let init = app.get("/docs/swagger-initializer.js").send();
    assert_eq!(init.status, 200);
    assert!(init.text().contains("/api/v1/openapi.json"));
    let bundle = app.get("/docs/swagger-ui-bundle.js").send();
    assert_eq!(bundle.status, 200);
    assert!(bundle.body.len() > 100_000);
}

db_tests!(
    health_and_readiness,
    metrics_count_requests_by_route,
    unknown_routes_and_methods_are_problems,
    head_answers_like_get_without_a_body,
    bad_bodies_are_refused_with_the_right_status,
    bad_query_parameters_are_refused,
    request_ids_and_security_headers,
    cors_allows_only_configured_origins,
    docs_are_served_offline,
);

/// The test's own database, made unreachable: a server that does not answer,
/// or a file that cannot be opened.
fn unreachable_database(config: &mut Config) {
    let lost = match config.database.backend {
        kiosque::config::Backend::Postgres => "postgres://postgres@127.0.0.1:1/none",
        kiosque::config::Backend::Sqlite => "sqlite:///proc/kiosque-no-such-folder/lost.db",
    };
    config.database = kiosque::config::DatabaseUrl::parse(lost).unwrap();
    config.db_connect_timeout = std::time::Duration::from_secs(1);
}

fn a_lost_database_answers_503_with_retry_after(app: &TestApp) {
    let res = app.get("/api/v1/sections").send();
    let p = res.problem(503);
    assert_eq!(p["code"], "database_unavailable");
    assert!(res.header("retry-after").is_some());
    assert!(!res.text().contains("127.0.0.1:1"), "no internals leak");
    app.get("/readyz").send().problem(503);
    assert_eq!(app.get("/healthz").send().status, 200, "alive all the same");
}

db_tests!(config = unreachable_database; a_lost_database_answers_503_with_retry_after);

fn a_missing_token_is_refused_before_the_body_is_read(app: &TestApp) {
    // invalid bodies, no token: the caller learns to sign in first, not what is wrong with the body
    for (method, path) in [
        ("POST", "/api/v1/sections"),
        ("PATCH", "/api/v1/articles/42"),
        ("POST", "/api/v1/comments/moderation"),
    ] {
        let res = app
            .request(method, path)
            .raw("application/json", "{\"ids\": [\"0\"]}")
            .send();
        res.problem(401);
        assert!(res.header("www-authenticate").is_some());
    }
    // where a token is optional (a guest may try), the body is read as usual
    let p = app
        .post("/api/v1/polls/1/votes")
        .raw("application/json", "[1]")
        .send()
        .problem(422);
    assert_eq!(p["detail"], "the body must be a JSON object");
    // a JSON array is not an object, even when its items would fill the fields
    let editor = app.editor();
    let p = app
        .post("/api/v1/sections")
        .bearer(&editor.token)
        .raw("application/json", "[\"Sport\"]")
        .send()
        .problem(422);
    assert_eq!(p["detail"], "the body must be a JSON object");
    app.post("/api/v1/sections")
        .bearer(&editor.token)
        .raw("application/json", "[\"Sport\"")
        .send()
        .problem(400);
    // an empty cursor is no cursor
    app.get("/api/v1/sections?page=1&cursor=").send().ok();
}

db_tests!(a_missing_token_is_refused_before_the_body_is_read);
