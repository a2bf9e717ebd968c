//! Sections: the first resource through the whole chain, and the shared list
//! and caching machinery seen through it.

use crate::db_tests;
use crate::helpers::TestApp;
use serde_json::{Value, json};

/// Creates the section `body` through the section builder.
fn create(app: &TestApp, token: &str, body: Value) -> Value {
    app.section(token).with(body).create().json
}

fn editors_manage_sections(app: &TestApp) {
    let editor = app.editor();
    let eco = create(
        app,
        &editor.token,
        json!({"name": "Économie locale", "position": 2}),
    );
    assert_eq!(eco["slug"], "economie-locale");
    assert!(eco["id"].is_string(), "ids are strings");
    let by_slug = app.get("/api/v1/sections/economie-locale").send().ok();
    let by_id = app
        .get(&format!("/api/v1/sections/{}", eco["id"].as_str().unwrap()))
        .send()
        .ok();
    assert_eq!(by_slug, by_id);
    assert_eq!(by_slug["name"], "Économie locale");

    // a second section with the same name gets the next free slug
    let twin = create(app, &editor.token, json!({"name": "Economie locale"}));
    assert_eq!(twin["slug"], "economie-locale-2");
    // an explicit slug that is taken is a conflict
    let p = app
        .post("/api/v1/sections")
        .bearer(&editor.token)
        .json(&json!({"name": "Autre", "slug": "economie-locale"}))
        .send()
        .problem(409);
    assert!(p["detail"].as_str().unwrap().contains("slug"));
    // slugs that could pass for ids, or are not slugs, are refused
    for slug in ["2026", "Has Spaces", "-edge", "a--b"] {
        let p = app
            .post("/api/v1/sections")
            .bearer(&editor.token)
            .json(&json!({"name": "X", "slug": slug}))
            .send()
            .problem(422);
        assert_eq!(p["errors"][0]["field"], "slug");
    }

    let path = format!("/api/v1/sections/{}", eco["id"].as_str().unwrap());
    let updated = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"description": "L'actualité économique du territoire"}))
        .send()
        .ok();
    assert_eq!(
        updated["description"],
        "L'actualité économique du territoire"
    );
    assert_eq!(updated["name"], "Économie locale", "absent fields are kept");

    assert_eq!(app.delete(&path).bearer(&editor.token).send().status, 204);
    app.get(&path).send().problem(404);
    app.delete(&path).bearer(&editor.token).send().problem(404);
}

fn lists_paginate_by_page_and_cursor(app: &TestApp) {
    let editor = app.editor();
    for (i, name) in ["Sport", "Culture", "Economie", "Faits divers", "Politique"]
        .iter()
        .enumerate()
    {
        create(app, &editor.token, json!({"name": name, "position": i}));
    }
    let first = app.get("/api/v1/sections?limit=2").send();
    let body = first.json();
    assert_eq!(body["meta"]["total"], 5);
    assert_eq!(body["meta"]["page"], 1);
    let names: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Sport", "Culture"], "navigation order by default");
    let link = first.header("link").unwrap();
    assert!(
        link.contains("rel=\"next\"") && link.contains("page=2") && link.contains("limit=2"),
        "{link}"
    );
    assert!(!link.contains("rel=\"prev\""));

    let last = app.get("/api/v1/sections?limit=2&page=3").send();
    assert_eq!(last.json()["data"].as_array().unwrap().len(), 1);
    assert_eq!(last.json()["meta"]["next_cursor"], Value::Null);
    let link = last.header("link").unwrap();
    assert!(
        link.contains("rel=\"prev\"") && !link.contains("rel=\"next\""),
        "{link}"
    );

    let sorted = app.get("/api/v1/sections?sort=-name&limit=100").send().ok();
    let names: Vec<&str> = sorted["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Sport", "Politique", "Faits divers", "Economie", "Culture"]
    );

    // walking the cursors visits every section once
    let mut seen = Vec::new();
    let mut url = "/api/v1/sections?limit=2&sort=name".to_string();
    loop {
        let page = app.get(&url).send().ok();
        assert_eq!(
            page["meta"]["page"],
            if seen.is_empty() {
                json!(1)
            } else {
                Value::Null
            }
        );
        for s in page["data"].as_array().unwrap() {
            seen.push(s["name"].as_str().unwrap().to_string());
        }
        match page["meta"]["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/sections?limit=2&sort=name&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["Culture", "Economie", "Faits divers", "Politique", "Sport"]
    );
    // a cursor is bound to its own sort and filters
    let c = app.get("/api/v1/sections?limit=2&sort=name").send().ok()["meta"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    app.get(&format!("/api/v1/sections?limit=2&sort=-name&cursor={c}"))
        .send()
        .problem(400);
}

fn reads_are_cacheable_and_updates_conditional(app: &TestApp) {
    let editor = app.editor();
    let s = create(app, &editor.token, json!({"name": "Sport"}));
    let path = format!("/api/v1/sections/{}", s["id"].as_str().unwrap());

    let read = app.get(&path).send();
    let etag = read.header("etag").unwrap().to_string();
    assert!(etag.starts_with('"'));
    assert_eq!(read.header("cache-control"), Some("public, max-age=60"));
    let staff_read = app.get(&path).bearer(&editor.token).send();
    assert_eq!(
        staff_read.header("cache-control"),
        Some("private, no-cache")
    );

    let not_modified = app.get(&path).header("If-None-Match", &etag).send();
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.body.is_empty());
    let list = app.get("/api/v1/sections").send();
    let list_etag = list.header("etag").unwrap().to_string();
    assert_eq!(
        app.get("/api/v1/sections")
            .header("If-None-Match", &list_etag)
            .send()
            .status,
        304
    );

    // the editor read the staff version; its ETag guards the update
    let staff_etag = staff_read.header("etag").unwrap().to_string();
    let ok = app
        .patch(&path)
        .bearer(&editor.token)
        .header("If-Match", &staff_etag)
        .json(&json!({"name": "Sports"}))
        .send();
    assert_eq!(ok.status, 200, "{}", ok.text());
    let p = app
        .patch(&path)
        .bearer(&editor.token)
        .header("If-Match", &staff_etag)
        .json(&json!({"name": "Les sports"}))
        .send()
        .problem(412);
    assert_eq!(p["code"], "precondition_failed");
    assert_eq!(
        app.get(&path).send().json()["name"],
        "Sports",
        "the stale update changed nothing"
    );
    assert_eq!(
        app.get(&path).header("If-None-Match", &etag).send().status,
        200
    );
}

db_tests!(
    editors_manage_sections,
    lists_paginate_by_page_and_cursor,
    reads_are_cacheable_and_updates_conditional,
);
