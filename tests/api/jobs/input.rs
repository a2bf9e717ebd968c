//! Bad offers: refused on the right field, or neutralised; the limits the
//! OpenAPI document states are the ones enforced.

use chrono::Duration;
use serde_json::{Value, json};

use super::*;
use crate::db_tests;
use crate::helpers::{TestApp, at};

fn hostile_input_is_refused_or_neutralised(app: &TestApp) {
    let editor = app.editor();
    let job = post(
        app,
        &editor.token,
        with(
            offer(app, "Piège"),
            json!({"status": "published",
                   "description": "<script>alert(1)</script>[clic](javascript:alert(1)) <img src=x onerror=alert(1)>"}),
        ),
    );
    let html = job["description_html"].as_str().unwrap();
    for bad in ["<script", "href=\"javascript:", "onerror="] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }

    let cases: Vec<(Value, &str)> = vec![
        (with(offer(app, "X"), json!({"title": ""})), "title"),
        (with(offer(app, "X"), json!({"apply": {}})), "apply"),
        (
            with(
                offer(app, "X"),
                json!({"apply": {"url": "http://insecure.example"}}),
            ),
            "apply.url",
        ),
        (
            with(
                offer(app, "X"),
                json!({"apply": {"email": "pas-une-adresse"}}),
            ),
            "apply.email",
        ),
        (
            with(
                offer(app, "X"),
                json!({"salary": {"min_cents": 5000, "max_cents": 10, "period": "month"}}),
            ),
            "salary.max_cents",
        ),
        (
            with(
                offer(app, "X"),
                json!({"salary": {"min_cents": 5000, "currency": "euros", "period": "month"}}),
            ),
            "salary.currency",
        ),
        (
            with(
                offer(app, "X"),
                json!({"location": {"city": "Brest", "postal_code": "<b>"}}),
            ),
            "location.postal_code",
        ),
        (
            with(
                offer(app, "X"),
                json!({"company": {"name": "A", "website": "javascript:alert(1)"}}),
            ),
            "company.website",
        ),
        (
            with(
                offer(app, "X"),
                json!({"published_at": at(app, Duration::days(2)), "expires_at": at(app, Duration::days(1))}),
            ),
            "expires_at",
        ),
        (
            with(offer(app, "X"), json!({"contract_type": "cdi-chantier"})),
            "contract_type",
        ),
        (
            with(offer(app, "X"), json!({"status": "rejected"})),
            "status",
        ),
        (with(offer(app, "X"), json!({"salaire": 3})), "salaire"),
    ];
    for (body, field) in cases {
        let p = app
            .post("/api/v1/jobs")
            .bearer(&editor.token)
            .json(&body)
            .send()
            .problem(422);
        assert!(
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"].as_str().unwrap().starts_with(field)),
            "{field}: {p}"
        );
    }
    app.post("/api/v1/jobs")
        .bearer(&editor.token)
        .raw("application/json", "{\"title\":")
        .send()
        .problem(400);
    app.post("/api/v1/jobs")
        .bearer(&editor.token)
        .raw("text/plain", "hello")
        .send()
        .problem(415);
    for p in ["/api/v1/jobs/abc", "/api/v1/jobs/0", "/api/v1/jobs/999999"] {
        app.get(p).send().problem(404);
    }
    app.patch("/api/v1/jobs/999999")
        .bearer(&editor.token)
        .json(&json!({"title": "x"}))
        .send()
        .problem(404);
}

/// A limit the OpenAPI document states for a field (`maxLength`, `maximum`…).
fn documented(schema: &str, field: &str, key: &str) -> i64 {
    let doc = serde_json::to_value(kiosque::routes::openapi()).unwrap();
    doc["components"]["schemas"][schema]["properties"][field][key]
        .as_i64()
        .unwrap_or_else(|| panic!("{schema}.{field} documents no {key}"))
}

fn refused_on(app: &TestApp, token: &str, body: &Value, field: &str) {
    let p = app
        .post("/api/v1/jobs")
        .bearer(token)
        .json(body)
        .send()
        .problem(422);
    assert!(
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == field),
        "{field}: {p}"
    );
}

fn the_documented_limits_are_the_enforced_ones(app: &TestApp) {
    let editor = app.editor();
    let title = documented("CreateJob", "title", "maxLength") as usize;
    let name = documented("Company", "name", "maxLength") as usize;
    let city = documented("JobLocation", "city", "maxLength") as usize;
    let cents = documented("Salary", "max_cents", "maximum");
    let at_limit = |extra: i64| {
        json!({
            "company": {"name": "é".repeat(name + extra as usize)},
            "location": {"city": "Q".repeat(city + extra as usize), "postal_code": " 29000 "},
            "salary": {"max_cents": cents + extra, "period": "year", "currency": "EUR"},
        })
    };
    // at each limit: accepted (lengths count characters, not bytes)
    post(
        app,
        &editor.token,
        with(offer(app, &"é".repeat(title)), at_limit(0)),
    );
    // one past it: refused, on that field
    let past = with(offer(app, &"é".repeat(title + 1)), at_limit(1));
    for field in ["title", "company.name", "location.city", "salary.max_cents"] {
        refused_on(app, &editor.token, &past, field);
    }
    // the documented patterns: currency and postal code
    for (extra, field) in [
        (
            json!({"salary": {"min_cents": 1, "period": "year", "currency": "eur"}}),
            "salary.currency",
        ),
        (
            json!({"location": {"city": "Quimper", "postal_code": "29"}}),
            "location.postal_code",
        ),
    ] {
        refused_on(app, &editor.token, &with(offer(app, "X"), extra), field);
    }
}

db_tests!(
    hostile_input_is_refused_or_neutralised,
    the_documented_limits_are_the_enforced_ones,
);
