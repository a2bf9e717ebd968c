//! Delta sync for apps that keep a copy: `updated_after=` on every public
//! list keeps what changed since a time, and `GET /deletions?since=` tells
//! what stopped being public since then (deleted, unpublished…).

use chrono::{Duration, SecondsFormat};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::*;

/// The app's time now, as a client would keep it (RFC 3339, `Z`).
fn mark(app: &TestApp) -> String {
    app.state
        .clock
        .now_utc()
        .to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// The ids a public list gives with `updated_after=since`.
fn changed(app: &TestApp, list: &str, since: &str) -> Vec<String> {
    let sep = if list.contains('?') { '&' } else { '?' };
    ids(&app
        .get(&format!("{list}{sep}updated_after={since}&limit=100"))
        .send()
        .ok())
}

fn updated_after_keeps_what_changed_since(app: &TestApp) {
    let editor = app.editor();
    let t = &editor.token;
    let host = app.article(&editor).published();
    // (list, item left alone, item changed after the mark, its change)
    let sections = (app.section(&editor).create(), app.section(&editor).create());
    let tags = (app.tag(&editor).create(), app.tag(&editor).create());
    let articles = (
        app.article(&editor).published(),
        app.article(&editor).published(),
    );
    let jobs = (app.job(&editor).published(), app.job(&editor).published());
    let events = (
        app.event(&editor).published(),
        app.event(&editor).published(),
    );
    let polls = (app.poll(&editor).create(), app.poll(&editor).create());
    let old_thread = app.comment(&editor, host.id()).create();

    app.state.clock.advance(Duration::minutes(1));
    let since = mark(app);
    app.state.clock.advance(Duration::minutes(1));

    let edits = [
        (&sections.1, json!({"name": "Rubrique revue"})),
        (&tags.1, json!({"name": "Mot revu"})),
        (&articles.1, json!({"title": "Titre revu"})),
        (&jobs.1, json!({"title": "Offre revue"})),
        (&events.1, json!({"title": "Événement revu"})),
        (&polls.1, json!({"question": "Question revue ?"})),
    ];
    for (item, change) in &edits {
        app.patch(&item.path()).bearer(t).json(change).send().ok();
    }
    let new_thread = app.comment(&editor, host.id()).create();

    for (list, (old, new)) in [
        ("/api/v1/sections", &sections),
        ("/api/v1/tags", &tags),
        ("/api/v1/articles", &articles),
        ("/api/v1/jobs", &jobs),
        ("/api/v1/events", &events),
        ("/api/v1/polls", &polls),
    ] {
        let seen = changed(app, list, &since);
        assert!(seen.contains(&new.id().to_string()), "{list}: {seen:?}");
        assert!(!seen.contains(&old.id().to_string()), "{list}: {seen:?}");
        // without the filter both are there
        let all = ids(&app.get(&format!("{list}?limit=100")).send().ok());
        assert!(all.contains(&old.id().to_string()), "{list}");
    }
    let threads = changed(
        app,
        &format!("/api/v1/articles/{}/comments", host.id()),
        &since,
    );
    assert_eq!(threads, [new_thread.id().to_string()]);
    assert!(!threads.contains(&old_thread.id().to_string()));

    // a time that is not RFC 3339 is refused, on every list
    for list in [
        "/api/v1/sections",
        "/api/v1/tags",
        "/api/v1/articles",
        "/api/v1/jobs",
        "/api/v1/events",
        "/api/v1/polls",
        &format!("/api/v1/articles/{}/comments", host.id()),
    ] {
        let p = app
            .get(&format!("{list}?updated_after=hier"))
            .send()
            .problem(400);
        assert_eq!(p["code"], "invalid_query", "{list}");
    }
}

/// A scheduled article made public after the mark is new to a syncing
/// client, though its row was written before.
fn a_scheduled_article_counts_when_it_goes_public(app: &TestApp) {
    let editor = app.editor();
    let later = app
        .article(&editor)
        .scheduled(&at(app, Duration::minutes(30)));
    let since = mark(app);
    assert!(!changed(app, "/api/v1/articles", &since).contains(&later.id().to_string()));
    app.state.clock.advance(Duration::hours(1));
    assert!(changed(app, "/api/v1/articles", &since).contains(&later.id().to_string()));
}

fn deletions(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/api/v1/deletions?{query}")).send().ok()
}

fn deleted_and_unpublished_items_are_told(app: &TestApp) {
    let editor = app.editor();
    let t = &editor.token;
    let gone = app.article(&editor).published();
    let archived = app.article(&editor).published();
    let kept = app.article(&editor).published();
    let draft = app.article(&editor).draft();
    let tag = app.tag(&editor).create();
    app.state.clock.advance(Duration::minutes(1));
    let since = mark(app);
    app.state.clock.advance(Duration::minutes(1));

    app.delete(&gone.path()).bearer(t).send().ok();
    app.patch(&archived.path())
        .bearer(t)
        .json(&json!({"status": "archived"}))
        .send()
        .ok();
    app.patch(&kept.path())
        .bearer(t)
        .json(&json!({"title": "Toujours là"}))
        .send()
        .ok();
    // a draft the public never saw is nobody's business
    app.delete(&draft.path()).bearer(t).send().ok();
    app.delete(&tag.path()).bearer(t).send().ok();

    // anyone may read it, without a token
    let all = deletions(app, &format!("since={since}"));
    let told: Vec<(String, String, String)> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["type"].as_str().unwrap().to_string(),
                d["id"].as_str().unwrap().to_string(),
                d["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let told_str: Vec<(&str, &str, &str)> = told
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        told_str,
        [
            ("article", gone.id(), "deleted"),
            ("article", archived.id(), "unpublished"),
            ("tag", tag.id(), "deleted"),
        ]
    );
    assert_eq!(all["meta"]["total"], 3);

    // by type, and by cursor one at a time
    let articles = deletions(app, &format!("since={since}&type=article"));
    assert_eq!(ids(&articles), [gone.id(), archived.id()]);
    let first = deletions(app, &format!("since={since}&limit=1"));
    assert_eq!(ids(&first), [gone.id()]);
    let cursor = first["meta"]["next_cursor"].as_str().unwrap();
    let second = deletions(app, &format!("since={since}&limit=1&cursor={cursor}"));
    assert_eq!(ids(&second), [archived.id()]);

    // nothing since now; a bad time or type is a 400; too old a time is 410
    assert!(ids(&deletions(app, &format!("since={}", mark(app)))).is_empty());
    app.get("/api/v1/deletions?since=hier").send().problem(400);
    app.get("/api/v1/deletions").send().problem(400);
    app.get(&format!("/api/v1/deletions?since={since}&type=user"))
        .send()
        .problem(400);
    let old = (app.state.clock.now_utc() - Duration::days(400))
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    let p = app
        .get(&format!("/api/v1/deletions?since={old}"))
        .send()
        .problem(410);
    assert_eq!(p["code"], "since_expired");
}

db_tests!(
    updated_after_keeps_what_changed_since,
    a_scheduled_article_counts_when_it_goes_public,
    deleted_and_unpublished_items_are_told,
);
