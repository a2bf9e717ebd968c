//! The change log and its feed (`GET /api/v1/changes`): every write records
//! its change in its own transaction, in order, naming the public paths it
//! touched; the feed pages by cursor, filters by type, long-polls, and
//! answers 410 once a cursor's changes were purged.

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::*;

/// One page of the feed as `who` sees it.
fn feed(app: &TestApp, who: &str, query: &str) -> Value {
    app.get(&format!("/api/v1/changes?{query}"))
        .bearer(who)
        .send()
        .ok()
}

/// Every change after `cursor` (all of them if empty), read in pages of `limit`.
fn read_all(app: &TestApp, who: &str, cursor: &str, limit: u32) -> (Vec<Value>, String) {
    let mut cursor = cursor.to_string();
    let mut all = Vec::new();
    loop {
        let page = feed(app, who, &format!("limit={limit}&after={cursor}"));
        all.extend(page["data"].as_array().unwrap().iter().cloned());
        cursor = page["meta"]["next_cursor"].as_str().unwrap().to_string();
        if page["meta"]["has_more"] != json!(true) {
            return (all, cursor);
        }
    }
}

/// The cursor at the end of the log now.
fn end_cursor(app: &TestApp, who: &str) -> String {
    read_all(app, who, "", 100).1
}

fn types(changes: &[Value]) -> Vec<&str> {
    changes
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect()
}

fn publishing_an_article_names_its_paths(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let section = app.section(&editor).create();
    let tag = app.tag(&editor).create();
    let start = end_cursor(app, &key);
    let article = app.article(&editor).section(&section).tags(&[&tag]).draft();
    let res = app
        .patch(&article.path())
        .bearer(&editor.token)
        .json(&json!({"status": "published"}))
        .send();
    res.ok();

    let (changes, _) = read_all(app, &key, &start, 100);
    assert_eq!(types(&changes), ["article.created", "article.published"]);
    let published = &changes[1];
    assert_eq!(published["resource"]["type"], "article");
    assert_eq!(published["resource"]["id"], article.id());
    assert_eq!(published["resource"]["slug"], article.slug());
    assert_eq!(published["data"]["status"], "published");
    let paths: Vec<&str> = published["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for want in [
        format!("/api/v1/articles/{}", article.slug()),
        "/api/v1/articles".to_string(),
        format!("/api/v1/articles?section={}", section.slug()),
        format!("/api/v1/articles?tag={}", tag.slug()),
    ] {
        assert!(paths.contains(&want.as_str()), "{want} in {paths:?}");
    }
    assert!(published["occurred_at"].is_string());

    // a new slug: the old address is named too
    let old = article.slug().to_string();
    app.patch(&article.path())
        .bearer(&editor.token)
        .json(&json!({"slug": "un-nouveau-nom"}))
        .send()
        .ok();
    let (changes, _) = read_all(app, &key, &start, 100);
    let renamed = changes.last().unwrap();
    assert_eq!(renamed["type"], "article.updated");
    assert_eq!(renamed["resource"]["slug"], "un-nouveau-nom");
    for want in [
        format!("/api/v1/articles/{old}"),
        "/api/v1/articles/un-nouveau-nom".into(),
    ] {
        assert!(
            renamed["paths"].as_array().unwrap().contains(&json!(want)),
            "{want} in {}",
            renamed["paths"]
        );
    }

    // unpublishing and deleting are changes too
    app.patch(&article.path())
        .bearer(&editor.token)
        .json(&json!({"status": "draft"}))
        .send()
        .ok();
    let res = app.delete(&article.path()).bearer(&editor.token).send();
    assert_eq!(res.status, 204);
    let (changes, _) = read_all(app, &key, &start, 100);
    assert_eq!(
        types(&changes),
        [
            "article.created",
            "article.published",
            "article.updated",
            "article.unpublished",
            "article.deleted"
        ]
    );
}

fn a_refused_write_records_nothing(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let section = app.section(&editor).create();
    let article = app.article(&editor).section(&section).published();
    let member = app.member();
    let start = end_cursor(app, &key);
    // invalid (422), taken (409), stale (412) and forbidden (403) writes
    app.post("/api/v1/articles")
        .bearer(&editor.token)
        .json(&json!({"title": ""}))
        .send()
        .problem(422);
    app.post("/api/v1/sections")
        .bearer(&editor.token)
        .json(&json!({"name": "Doublon", "slug": section.slug()}))
        .send()
        .problem(409);
    // refused by the database after the change was written: both roll back
    app.delete(&section.path())
        .bearer(&editor.token)
        .send()
        .problem(409);
    app.patch(&article.path())
        .bearer(&editor.token)
        .header("If-Match", "\"stale\"")
        .json(&json!({"title": "Autre titre"}))
        .send()
        .problem(412);
    let res = app.delete(&article.path()).bearer(&member.token).send();
    assert!(res.status == 403 || res.status == 404, "{}", res.status);
    let page = feed(app, &key, &format!("after={start}"));
    assert_eq!(page["data"], json!([]), "no change for a refused write");
    assert_eq!(page["meta"]["next_cursor"], start.as_str());
}

fn cursor_paging_neither_skips_nor_repeats(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    for _ in 0..7 {
        app.article(&editor).draft();
    }
    app.job(&editor).published();
    let (whole, _) = read_all(app, &key, "", 100);
    let (paged, _) = read_all(app, &key, "", 3);
    assert!(whole.len() >= 8, "{}", whole.len());
    assert_eq!(paged, whole, "pages of 3 give the same changes, once each");
    let ids: Vec<i64> = whole
        .iter()
        .map(|c| c["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order: {ids:?}");
    assert!(types(&whole).contains(&"job.published"));
}

fn types_filter_the_feed(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    app.article(&editor).published();
    app.job(&editor).published();
    app.event(&editor).published();
    let only = feed(app, &key, "types=article.*&limit=100");
    let got = types(only["data"].as_array().unwrap());
    assert!(!got.is_empty());
    assert!(got.iter().all(|t| t.starts_with("article.")), "{got:?}");
    let two = feed(app, &key, "types=job.published,event.published&limit=100");
    assert_eq!(
        types(two["data"].as_array().unwrap()),
        ["job.published", "event.published"]
    );
    for bad in [
        "types=article",
        "types=%25.*",
        "limit=0",
        "limit=101",
        "wait=31",
        "after=garbage",
    ] {
        let res = app
            .get(&format!("/api/v1/changes?{bad}"))
            .bearer(&key)
            .send();
        res.problem(400);
    }
}

fn a_long_poll_returns_when_a_change_comes(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let start = end_cursor(app, &key);

    // nothing happens: empty after `wait`, with the same cursor
    let began = Instant::now();
    let page = feed(app, &key, &format!("after={start}&wait=1"));
    assert!(began.elapsed() >= StdDuration::from_millis(900));
    assert_eq!(page["data"], json!([]));
    assert_eq!(page["meta"]["next_cursor"], start.as_str());

    // a write from another client wakes the poll at once
    let began = Instant::now();
    let page = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(StdDuration::from_millis(300));
            app.article(&editor).published();
        });
        feed(app, &key, &format!("after={start}&wait=20"))
    });
    let waited = began.elapsed();
    assert!(waited < StdDuration::from_secs(10), "{waited:?}");
    assert_eq!(
        types(page["data"].as_array().unwrap()),
        ["article.published"]
    );
}

fn a_long_poll_sees_another_nodes_writes(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let start = end_cursor(app, &key);
    let other = app.spawn_sibling();
    let began = Instant::now();
    let page = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(StdDuration::from_millis(300));
            other.article(&editor).published();
        });
        feed(app, &key, &format!("after={start}&wait=20"))
    });
    assert!(began.elapsed() < StdDuration::from_secs(10));
    assert_eq!(
        types(page["data"].as_array().unwrap()),
        ["article.published"]
    );
}

fn a_cursor_past_retention_is_gone(app: &TestApp) {
    // a key, whose access outlives the clock's jump (a user's token does not)
    let writer = app.api_key(&["content:write"]);
    let key = app.api_key(&["content:read"]);
    let before = end_cursor(app, &key);
    app.article(&writer).published();
    app.article(&writer).published();
    let caught_up = end_cursor(app, &key);
    let days = i64::from(app.state.config.changes_retention_days);
    app.state.clock.advance(Duration::days(days + 1));
    let fresh = app.article(&writer).published();
    let purged = actix_web::rt::System::new()
        .block_on(kiosque::changes::purge_expired(&app.state))
        .unwrap();
    assert!(purged >= 2, "{purged}");

    let gone = app
        .get(&format!("/api/v1/changes?after={before}"))
        .bearer(&key)
        .send()
        .problem(410);
    assert_eq!(gone["code"], "cursor_expired");
    assert!(gone["detail"].as_str().unwrap().contains("resync"));
    // a client that had read everything before the purge missed nothing
    let page = feed(app, &key, &format!("after={caught_up}"));
    let data = page["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["resource"]["id"], fresh.id());
    // and starting again without a cursor works
    assert_eq!(feed(app, &key, "")["data"].as_array().unwrap().len(), 1);
}

fn only_integrators_and_editors_read_the_feed(app: &TestApp) {
    app.get("/api/v1/changes").send().problem(401);
    let member = app.member();
    app.get("/api/v1/changes")
        .bearer(&member.token)
        .send()
        .problem(403);
    let author = app.author();
    app.get("/api/v1/changes")
        .bearer(&author.token)
        .send()
        .problem(403);
    let moderator_key = app.api_key(&["comments:moderate"]);
    app.get("/api/v1/changes")
        .bearer(&moderator_key)
        .send()
        .problem(403);
    let editor = app.editor();
    feed(app, &editor.token, "");
    let writer_key = app.api_key(&["content:write"]);
    feed(app, &writer_key, "");
}

/// The types recorded for `resource` after `start`.
fn of(app: &TestApp, key: &str, start: &str, resource: &str) -> Vec<String> {
    let page = feed(
        app,
        key,
        &format!("after={start}&types={resource}.*&limit=100"),
    );
    types(page["data"].as_array().unwrap())
        .into_iter()
        .map(str::to_string)
        .collect()
}

fn every_resource_records_its_changes(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let start = end_cursor(app, &key);

    let section = app.section(&editor).create();
    app.patch(&section.path())
        .bearer(&editor.token)
        .json(&json!({"name": "Régions"}))
        .send()
        .ok();
    assert_eq!(
        app.delete(&section.path())
            .bearer(&editor.token)
            .send()
            .status,
        204
    );
    assert_eq!(
        of(app, &key, &start, "section"),
        ["section.created", "section.updated", "section.deleted"]
    );
    let tag = app.tag(&editor).create();
    assert_eq!(
        app.delete(&tag.path()).bearer(&editor.token).send().status,
        204
    );
    assert_eq!(of(app, &key, &start, "tag"), ["tag.created", "tag.deleted"]);

    let member = app.member();
    let users = feed(app, &key, &format!("after={start}&types=user.registered"));
    let registered = users["data"].as_array().unwrap();
    assert!(
        registered
            .iter()
            .any(|c| c["resource"]["id"] == member.id.as_str()),
        "{registered:?}"
    );
    assert!(
        registered.iter().all(|c| c["data"] == json!({})),
        "ids only"
    );

    let article = app.article(&editor).published();
    let comment = app.comment(&member, article.id()).create();
    for decision in ["rejected", "approved"] {
        app.post("/api/v1/comments/moderation")
            .bearer(&editor.token)
            .json(&json!({"ids": [comment.json["id"]], "status": decision}))
            .send()
            .ok();
    }
    let res = app.delete(&comment.path()).bearer(&member.token).send();
    assert_eq!(res.status, 204);
    let comments = of(app, &key, &start, "comment");
    assert_eq!(
        comments.first().map(String::as_str),
        Some("comment.created")
    );
    assert_eq!(
        &comments[comments.len() - 3..],
        ["comment.rejected", "comment.approved", "comment.deleted"]
    );
    let page = feed(app, &key, &format!("after={start}&types=comment.deleted"));
    let paths = &page["data"][0]["paths"];
    assert!(
        paths.as_array().unwrap().contains(&json!(format!(
            "/api/v1/articles/{}/comments",
            article.id()
        ))),
        "{paths}"
    );

    let poll = app.poll(&editor).create();
    app.post(&format!("{}/close", poll.path()))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(
        app.delete(&poll.path()).bearer(&editor.token).send().status,
        204
    );
    assert_eq!(
        of(app, &key, &start, "poll"),
        ["poll.created", "poll.closed", "poll.deleted"]
    );

    let job = app.job(&editor).published();
    assert_eq!(
        app.delete(&job.path()).bearer(&editor.token).send().status,
        204
    );
    assert_eq!(
        of(app, &key, &start, "job"),
        ["job.published", "job.deleted"]
    );
    app.event(&member).create();
    assert_eq!(of(app, &key, &start, "event"), ["event.created"]);
}

/// Writers at once, a reader following the feed meanwhile: the reader ends
/// with every change, once each, in order (a change never commits behind
/// one already read).
fn a_reader_following_concurrent_writes_misses_none(app: &TestApp) {
    let key = app.api_key(&["content:write"]);
    let start = end_cursor(app, &key);
    let done = std::sync::atomic::AtomicBool::new(false);
    let followed = std::thread::scope(|s| {
        let writers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    for _ in 0..5 {
                        app.article(&key).published();
                    }
                })
            })
            .collect();
        let reader = s.spawn(|| {
            let (mut seen, mut cursor) = (Vec::new(), start.clone());
            loop {
                let last_round = done.load(std::sync::atomic::Ordering::SeqCst);
                let (more, next) = read_all(app, &key, &cursor, 7);
                seen.extend(more);
                cursor = next;
                if last_round {
                    return seen;
                }
            }
        });
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        reader.join().unwrap()
    });
    let (all, _) = read_all(app, &key, &start, 100);
    assert_eq!(all.len(), 20);
    assert_eq!(
        followed, all,
        "the follower saw every change, once, in order"
    );
}

fn short_time_limit(config: &mut kiosque::config::Config) {
    config.request_timeout = StdDuration::from_secs(3);
}

/// A long poll ends before the server's time limit would cut it off.
fn a_long_poll_ends_before_the_time_limit(app: &TestApp) {
    let key = app.api_key(&["content:read"]);
    let start = end_cursor(app, &key);
    let began = Instant::now();
    let page = feed(app, &key, &format!("after={start}&wait=30"));
    assert!(began.elapsed() < StdDuration::from_secs(3));
    assert_eq!(page["data"], json!([]));
    assert_eq!(page["meta"]["next_cursor"], start.as_str());
}

db_tests!(config = short_time_limit; a_long_poll_ends_before_the_time_limit);

db_tests!(
    publishing_an_article_names_its_paths,
    a_refused_write_records_nothing,
    cursor_paging_neither_skips_nor_repeats,
    types_filter_the_feed,
    a_long_poll_returns_when_a_change_comes,
    a_long_poll_sees_another_nodes_writes,
    a_cursor_past_retention_is_gone,
    only_integrators_and_editors_read_the_feed,
    every_resource_records_its_changes,
    a_reader_following_concurrent_writes_misses_none,
);
