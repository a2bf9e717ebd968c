//! `fields=` and `exclude=`: fewer top-level fields in details and lists of
//! articles, events, job offers and comments; `id` always kept; unknown
//! names refused with a 400 naming them; a trimmed answer has its own ETag.

use serde_json::Value;

use crate::db_tests;
use crate::helpers::*;

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn fields_keep_only_what_is_asked(app: &TestApp) {
    let editor = app.editor();
    let section = app.section(&editor).create();
    let article = app.article(&editor).section(&section).published();
    let job = app.job(&editor).published();
    let event = app.event(&editor).published();
    app.comment(&editor, article.id()).create();

    // details
    for (path, asked) in [
        (article.path(), "title,published_at"),
        (job.path(), "title,contract_type"),
        (event.path(), "title,starts_at"),
    ] {
        let full = app.get(&path).send();
        let trimmed = app.get(&format!("{path}?fields={asked}")).send();
        let body = trimmed.ok();
        let mut want: Vec<String> = asked.split(',').map(str::to_string).collect();
        want.push("id".into());
        want.sort();
        assert_eq!(keys(&body), want, "{path}");
        assert_eq!(body["title"], full.json()["title"]);
        assert_ne!(trimmed.header("etag"), full.header("etag"), "{path}");
        // every field of the full answer may be asked for
        let every: Vec<String> = keys(&full.json());
        app.get(&format!("{path}?fields={}", every.join(",")))
            .send()
            .ok();
    }

    // lists: each item trimmed, the envelope kept
    for (list, asked) in [
        ("/api/v1/articles".to_string(), "title"),
        ("/api/v1/jobs".to_string(), "title"),
        ("/api/v1/events".to_string(), "title"),
        (
            format!("/api/v1/articles/{}/comments", article.id()),
            "body_html",
        ),
    ] {
        let page = app.get(&format!("{list}?fields={asked}")).send().ok();
        assert_eq!(page["meta"]["total"], 1, "{list}");
        let item = &page["data"][0];
        let mut want = vec!["id".to_string(), asked.to_string()];
        want.sort();
        assert_eq!(keys(item), want, "{list}");
    }

    // exclude leaves out embedded objects
    let lean = app
        .get(&format!("{}?exclude=section,tags,authors", article.path()))
        .send()
        .ok();
    assert!(lean.get("section").is_none() && lean.get("tags").is_none());
    assert_eq!(lean["title"], article["title"]);
    assert!(lean.get("body_html").is_some());
}

fn unknown_fields_are_named(app: &TestApp) {
    let editor = app.editor();
    let article = app.article(&editor).published();
    let p = app
        .get(&format!("{}?fields=title,nope,autre", article.path()))
        .send()
        .problem(400);
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("`nope`") && detail.contains("`autre`"),
        "{detail}"
    );
    assert_eq!(p["errors"][0]["field"], "fields");
    // a detail field is not a list item's
    let p = app
        .get("/api/v1/articles?fields=body_html")
        .send()
        .problem(400);
    assert!(p["detail"].as_str().unwrap().contains("`body_html`"));
    app.get("/api/v1/jobs?fields=salaire").send().problem(400);
    app.get("/api/v1/events?exclude=id").send().problem(400);
    app.get(&format!("{}?fields=title&exclude=tags", article.path()))
        .send()
        .problem(400);
}

db_tests!(fields_keep_only_what_is_asked, unknown_fields_are_named);
