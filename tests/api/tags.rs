//! Tags: found by prefix, accents folded; renamed and deleted by editors.

use crate::db_tests;
use crate::helpers::TestApp;
use serde_json::json;

fn tags_are_found_by_prefix_without_accents(app: &TestApp) {
    let editor = app.editor();
    for name in ["Élections municipales", "Électricité", "Emploi", "Été"] {
        app.tag(&editor).name(name).create();
    }
    let found = app.get("/api/v1/tags?q=elec").send().ok();
    let names: Vec<&str> = found["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Élections municipales", "Électricité"]);
    assert_eq!(
        app.get("/api/v1/tags?q=%C3%A9l").send().ok()["meta"]["total"],
        2,
        "é folds to e"
    );
    assert_eq!(
        app.get("/api/v1/tags?q=%25").send().ok()["meta"]["total"],
        0,
        "% is literal"
    );
    let all = app.get("/api/v1/tags").send().ok();
    assert_eq!(all["meta"]["total"], 4);

    let tag = app.get("/api/v1/tags/emploi").send().ok();
    let path = format!("/api/v1/tags/{}", tag["id"].as_str().unwrap());
    let renamed = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"name": "Emploi et formation", "slug": "emploi-formation"}))
        .send()
        .ok();
    assert_eq!(renamed["slug"], "emploi-formation");
    app.get("/api/v1/tags/emploi").send().problem(404);
    assert_eq!(app.delete(&path).bearer(&editor.token).send().status, 204);
    assert_eq!(app.get("/api/v1/tags").send().ok()["meta"]["total"], 3);
}

db_tests!(tags_are_found_by_prefix_without_accents);
