//! Reading: HTTP caching and conditional writes, public author profiles.

use serde_json::json;

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

fn reads_are_cached_and_stale_writes_refused(app: &TestApp) {
    let editor = app.editor();
    let art = publish(app, &editor.token, "Cache", json!({}));
    let path = path_of(&art);
    let read = app.get(&path).send();
    assert_eq!(read.header("cache-control"), Some("public, max-age=60"));
    let etag = read.header("etag").unwrap().to_string();
    assert_eq!(
        app.get(&path).header("If-None-Match", &etag).send().status,
        304
    );
    let staff = app.get(&path).bearer(&editor.token).send();
    assert_eq!(staff.header("cache-control"), Some("private, no-cache"));
    let staff_etag = staff.header("etag").unwrap().to_string();
    app.patch(&path)
        .bearer(&editor.token)
        .header("If-Match", &staff_etag)
        .json(&json!({"title": "Cache 2"}))
        .send()
        .ok();
    app.patch(&path)
        .bearer(&editor.token)
        .header("If-Match", &staff_etag)
        .json(&json!({"title": "Cache 3"}))
        .send()
        .problem(412);
    assert_eq!(app.get(&path).send().ok()["title"], "Cache 2");
    assert_eq!(
        app.get(&path).header("If-None-Match", &etag).send().status,
        200
    );
}

fn authors_have_public_profiles(app: &TestApp) {
    let editor = app.editor();
    let a = app.author();
    app.member();
    publish(app, &editor.token, "Signé A", json!({"authors": [a.id]}));
    create_article(
        app,
        &editor.token,
        json!({"title": "Brouillon A", "authors": [a.id]}),
    );
    let authors = app.get("/api/v1/authors").send().ok();
    assert_eq!(
        authors["meta"]["total"], 2,
        "members have no public profile"
    );
    let slug = app
        .get(&format!("/api/v1/users/{}", a.id))
        .bearer(&app.admin().token)
        .send()
        .ok()["slug"]
        .as_str()
        .unwrap()
        .to_string();
    let profile = app.get(&format!("/api/v1/authors/{slug}")).send().ok();
    assert_eq!(profile["article_count"], 1);
    assert_eq!(
        titles(&json!({"data": profile["recent_articles"]})),
        ["Signé A"]
    );
    assert_eq!(
        app.get(&format!("/api/v1/articles?author={slug}"))
            .send()
            .ok()["meta"]["total"],
        1
    );
    app.get("/api/v1/authors/nobody").send().problem(404);
}

db_tests!(
    reads_are_cached_and_stale_writes_refused,
    authors_have_public_profiles,
);
