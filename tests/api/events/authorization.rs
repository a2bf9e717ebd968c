//! Every write on events × every kind of caller.

use chrono::Duration;
use serde_json::json;

use super::*;
use crate::db_tests;
use crate::helpers::{Action, Matrix, TestApp};

fn many_submissions(c: &mut kiosque::config::Config) {
    c.submissions_per_hour = 1_000;
}

fn who_may_write_events(app: &TestApp) {
    let owner = app.member();
    let editor = app.editor();
    let (other, author, admin) = (app.member(), app.author(), app.admin());
    let (write_key, read_key) = (
        app.api_key(&["content:write"]),
        app.api_key(&["content:read"]),
    );
    let pending = || {
        app.event(&owner)
            .title("Kermesse")
            .starts_in(Duration::days(4), 3)
            .create()
    };
    let published = || {
        let e = pending();
        app.patch(&e.path())
            .bearer(&editor.token)
            .json(&json!({"status": "published"}))
            .send()
            .ok();
        e
    };
    let mut m = Matrix::new(app, &editor)
        .anonymous("anonymous")
        .caller("owner", &owner)
        .caller("other member", &other)
        .caller("author", &author)
        .caller("editor", &editor)
        .caller("admin", &admin)
        .caller("key content:write", &write_key)
        .caller("key content:read", &read_key);
    m.row("submit", [401, 201, 201, 201, 201, 201, 201, 403], |_| {
        Action::post("/api/v1/events")
            .json(event("Bal", app, Duration::days(1), 2))
            .unchanged("/api/v1/events?status=pending&limit=100")
    });
    m.row(
        "edit pending",
        [401, 200, 404, 404, 200, 200, 200, 403],
        |_| {
            let e = pending();
            Action::patch(e.path())
                .json(json!({"title": "Bal masqué"}))
                .unchanged(e.path())
        },
    );
    m.row("reject", [401, 403, 404, 404, 200, 200, 200, 403], |_| {
        let e = pending();
        Action::patch(e.path())
            .json(json!({"status": "rejected", "rejection_reason": "doublon"}))
            .unchanged(e.path())
    });
    m.row(
        "edit published",
        [401, 403, 403, 403, 200, 200, 200, 403],
        |_| {
            let e = published();
            Action::patch(e.path())
                .json(json!({"title": "Bal masqué"}))
                .unchanged(e.path())
        },
    );
    m.row(
        "delete pending",
        [401, 204, 404, 404, 204, 204, 204, 403],
        |_| {
            let e = pending();
            Action::delete(e.path()).unchanged(e.path())
        },
    );
    m.row(
        "delete published",
        [401, 403, 403, 403, 204, 204, 204, 403],
        |_| {
            let e = published();
            Action::delete(e.path()).unchanged(e.path())
        },
    );
    m.run();
}

db_tests!(config = many_submissions; who_may_write_events);
