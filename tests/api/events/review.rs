//! An association submits its event; an editor reviews it.

use chrono::Duration;
use serde_json::json;

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

fn an_association_submits_its_concert(app: &TestApp) {
    let association = app.member();
    let editor = app.editor();
    app.post("/api/v1/events")
        .bearer(&association.token)
        .json(&with(
            event("Concert", app, Duration::days(3), 2),
            json!({"status": "published"}),
        ))
        .send()
        .problem(403);
    let concert = post(
        app,
        &association.token,
        event("Concert", app, Duration::days(3), 2),
    );
    assert_eq!(concert["status"], "pending");
    assert_eq!(concert["time_zone"], "Europe/Paris");
    assert!(titles(app, "").is_empty());
    app.get(&path(&concert)).send().problem(404);
    app.get(&format!("{}.ics", path(&concert)))
        .send()
        .problem(404);
    app.get(&path(&concert))
        .bearer(&app.member().token)
        .send()
        .problem(404);

    let rejected = app
        .patch(&path(&concert))
        .bearer(&editor.token)
        .json(&json!({"status": "rejected", "rejection_reason": "Précisez l'horaire"}))
        .send()
        .ok();
    assert_eq!(rejected["rejection_reason"], "Précisez l'horaire");
    let mine = app
        .get("/api/v1/events?mine=true")
        .bearer(&association.token)
        .send()
        .ok();
    assert_eq!(mine["data"][0]["status"], "rejected");
    assert_eq!(mine["data"][0]["rejection_reason"], "Précisez l'horaire");
    app.patch(&path(&concert))
        .bearer(&association.token)
        .json(&json!({"status": "pending", "description": "À 20 h 30."}))
        .send()
        .ok();
    app.patch(&path(&concert))
        .bearer(&association.token)
        .json(&json!({"status": "published"}))
        .send()
        .problem(403);
    let live = app
        .patch(&path(&concert))
        .bearer(&editor.token)
        .json(&json!({"status": "published"}))
        .send()
        .ok();
    assert_eq!(live["status"], "published");
    assert_eq!(titles(app, ""), ["Concert"]);
    app.patch(&path(&concert))
        .bearer(&editor.token)
        .json(&json!({"status": "rejected", "rejection_reason": "non"}))
        .send()
        .problem(422);
}

db_tests!(an_association_submits_its_concert);
