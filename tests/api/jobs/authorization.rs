//! Every write on offers × every kind of caller.

use serde_json::json;

use super::*;
use crate::db_tests;
use crate::helpers::{Action, DENIED, HIDDEN, Matrix, OK, TestApp, UNAUTH};

fn many_submissions(c: &mut kiosque::config::Config) {
    c.submissions_per_hour = 1_000;
}

fn who_may_write_offers(app: &TestApp) {
    let owner = app.member();
    let editor = app.editor();
    let (other, author, admin) = (app.member(), app.author(), app.admin());
    let (write_key, read_key) = (
        app.api_key(&["content:write"]),
        app.api_key(&["content:read"]),
    );
    let pending = || app.job(&owner).title("En attente").create();
    let published = || {
        let j = pending();
        app.patch(&j.path())
            .bearer(&editor.token)
            .json(&json!({"status": "published"}))
            .send()
            .ok();
        j
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
    m.row("submit", [UNAUTH, OK, OK, OK, OK, OK, OK, DENIED], |_| {
        Action::post("/api/v1/jobs")
            .json(offer(app, "Nouveau"))
            .unchanged("/api/v1/jobs?status=pending&limit=100")
    });
    m.row(
        "publish directly",
        [UNAUTH, DENIED, DENIED, DENIED, OK, OK, OK, DENIED],
        |_| {
            Action::post("/api/v1/jobs")
                .json(with(offer(app, "Direct"), json!({"status": "published"})))
                .unchanged("/api/v1/jobs?limit=100")
        },
    );
    m.row(
        "edit pending",
        [UNAUTH, OK, HIDDEN, HIDDEN, OK, OK, OK, DENIED],
        |_| {
            let j = pending();
            Action::patch(j.path())
                .json(json!({"title": "Modifié"}))
                .unchanged(j.path())
        },
    );
    m.row(
        "approve",
        [UNAUTH, DENIED, HIDDEN, HIDDEN, OK, OK, OK, DENIED],
        |_| {
            let j = pending();
            Action::patch(j.path())
                .json(json!({"status": "published"}))
                .unchanged(j.path())
        },
    );
    m.row(
        "edit published",
        [UNAUTH, DENIED, DENIED, DENIED, OK, OK, OK, DENIED],
        |_| {
            let j = published();
            Action::patch(j.path())
                .json(json!({"title": "Modifié"}))
                .unchanged(j.path())
        },
    );
    m.row(
        "delete pending",
        [UNAUTH, OK, HIDDEN, HIDDEN, OK, OK, OK, DENIED],
        |_| {
            let j = pending();
            Action::delete(j.path()).unchanged(j.path())
        },
    );
    m.row(
        "delete published",
        [UNAUTH, DENIED, DENIED, DENIED, OK, OK, OK, DENIED],
        |_| {
            let j = published();
            Action::delete(j.path()).unchanged(j.path())
        },
    );
    m.row(
        "review queue",
        [UNAUTH, DENIED, DENIED, DENIED, OK, OK, OK, OK],
        |_| Action::get("/api/v1/jobs?status=pending"),
    );
    m.run();
}

db_tests!(config = many_submissions; who_may_write_offers);
