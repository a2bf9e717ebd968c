//! Bad events are refused on the right field; the limits the OpenAPI
//! document states are the ones enforced.

use chrono::Duration;
use serde_json::{Value, json};

use super::*;
use crate::db_tests;
use crate::helpers::{TestApp, at};

fn bad_events_are_refused(app: &TestApp) {
    let editor = app.editor();
    let e = publish(
        app,
        &editor.token,
        with(
            event("Piège", app, Duration::days(1), 1),
            json!({"description": "<script>alert(1)</script><img src=x onerror=alert(1)>"}),
        ),
    );
    let html = e["description_html"].as_str().unwrap();
    assert!(
        !html.contains("<script") && !html.contains("onerror="),
        "{html}"
    );

    let base = || event("X", app, Duration::days(1), 2);
    let cases: Vec<(Value, &str)> = vec![
        (
            with(base(), json!({"ends_at": at(app, Duration::days(-1))})),
            "ends_at",
        ),
        (
            with(base(), json!({"time_zone": "Mars/Olympus"})),
            "time_zone",
        ),
        (
            with(
                base(),
                json!({"venue": {"name": "A", "address": "", "city": "B", "postal_code": "29000",
                                            "latitude": 91.0, "longitude": 2.0}}),
            ),
            "venue.latitude",
        ),
        (
            with(
                base(),
                json!({"venue": {"name": "A", "address": "", "city": "B", "postal_code": "29000",
                                            "latitude": 45.0}}),
            ),
            "venue",
        ),
        (with(base(), json!({"price": {}})), "price"),
        (
            with(
                base(),
                json!({"price": {"free": true, "amount_cents": 500}}),
            ),
            "price.amount_cents",
        ),
        (with(base(), json!({"link": "javascript:alert(1)"})), "link"),
        (
            with(
                base(),
                json!({"image": {"url": "https://i.example/a.jpg", "alt": ""}}),
            ),
            "image.alt",
        ),
        (
            with(base(), json!({"category": "Tout et rien"})),
            "category",
        ),
        (with(base(), json!({"starts_at": "demain"})), "starts_at"),
    ];
    for (body, field) in cases {
        let p = app
            .post("/api/v1/events")
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
    // an update that would end before the start
    app.patch(&path(&e))
        .bearer(&editor.token)
        .json(&json!({"starts_at": at(app, Duration::days(5))}))
        .send()
        .problem(422);
    app.get("/api/v1/events/abc").send().problem(404);
}

/// A limit the OpenAPI document states for a field (`maxLength`, `maximum`…).
fn documented(schema: &str, field: &str, key: &str) -> f64 {
    let doc = serde_json::to_value(kiosque::routes::openapi()).unwrap();
    doc["components"]["schemas"][schema]["properties"][field][key]
        .as_f64()
        .unwrap_or_else(|| panic!("{schema}.{field} documents no {key}"))
}

fn the_documented_limits_are_the_enforced_ones(app: &TestApp) {
    let editor = app.editor();
    let len = |schema: &str, field: &str| documented(schema, field, "maxLength") as usize;
    let (title, organizer) = (len("CreateEvent", "title"), len("CreateEvent", "organizer"));
    let (venue, address) = (len("Venue", "name"), len("Venue", "address"));
    let (alt, category) = (len("Image", "alt"), len("CreateEvent", "category"));
    let amount = documented("Price", "amount_cents", "maximum") as i64;
    let (lat, lon) = (
        documented("Venue", "latitude", "maximum"),
        documented("Venue", "longitude", "minimum"),
    );
    let body = |extra: usize, shift: f64| {
        with(
            event(&"é".repeat(title + extra), app, Duration::days(3), 2),
            json!({
                "organizer": "o".repeat(organizer + extra),
                "venue": {"name": "v".repeat(venue + extra), "address": "a".repeat(address + extra),
                          "city": "Brest", "postal_code": "29200",
                          "latitude": lat + shift, "longitude": lon - shift},
                "price": {"amount_cents": amount + extra as i64, "currency": "EUR"},
                "image": {"url": "https://img.example/a.jpg", "alt": "i".repeat(alt + extra)},
                "category": format!("c{}", "1".repeat(category - 1 + extra)),
            }),
        )
    };
    // at each limit: accepted (lengths count characters, not bytes)
    post(app, &editor.token, body(0, 0.0));
    // one past it: refused, on that field
    let p = app
        .post("/api/v1/events")
        .bearer(&editor.token)
        .json(&body(1, 0.5))
        .send()
        .problem(422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "title",
        "organizer",
        "venue.name",
        "venue.address",
        "venue.latitude",
        "venue.longitude",
        "price.amount_cents",
        "image.alt",
        "category",
    ] {
        assert!(fields.contains(&field), "{field}: {p}");
    }
}

db_tests!(
    bad_events_are_refused,
    the_documented_limits_are_the_enforced_ones,
);
