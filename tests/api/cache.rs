//! The response cache of anonymous public reads: a read answered from
//! memory costs no query, and never shows something older than the last
//! write — on the node that wrote at once, on another node within a bounded
//! wait, and when a scheduled article's time comes. Personal answers
//! (signed-in callers, poll voters) are never kept nor served to others.

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use serde_json::json;

use crate::db_tests;
use crate::helpers::*;
use kiosque::config::{Backend, Config};

/// A line of `/metrics`.
fn metric(app: &TestApp, name: &str) -> u64 {
    let text = app.get("/metrics").send().text();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} missing from /metrics"))
        .parse::<f64>()
        .unwrap() as u64
}

fn hits(app: &TestApp) -> u64 {
    metric(app, "kiosque_cache_hits_total")
}

/// Reads `path` anonymously twice: the second read must come from memory,
/// without a query. Returns it.
#[track_caller]
fn read_twice(app: &TestApp, path: &str) -> Resp {
    let first = app.get(path).send();
    assert_eq!(first.status, 200, "{path}: {}", first.text());
    let queries = app.state.db.query_count();
    let before = hits(app);
    let second = app.get(path).send();
    assert_eq!(second.status, 200);
    assert_eq!(
        app.state.db.query_count(),
        queries,
        "{path}: a cached read costs no query"
    );
    assert_eq!(hits(app), before + 1, "{path}: answered from the cache");
    assert_eq!(first.body, second.body);
    assert_eq!(first.header("etag"), second.header("etag"));
    second
}

fn titles(list: &Resp) -> Vec<String> {
    list.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect()
}

fn a_write_shows_at_once_on_the_same_node(app: &TestApp) {
    let editor = app.editor();
    let article = app.article(&editor).title("Avant").published();
    let path = article.path();
    read_twice(app, &path);
    read_twice(app, "/api/v1/articles");

    app.patch(&article.path())
        .bearer(&editor.token)
        .json(&json!({"title": "Après"}))
        .send()
        .ok();
    assert_eq!(app.get(&path).send().json()["title"], "Après");
    assert_eq!(
        titles(&app.get("/api/v1/articles").send()),
        vec!["Après".to_string()]
    );

    // a new article joins the cached list, a deleted one leaves it
    read_twice(app, "/api/v1/articles");
    let second = app.article(&editor).title("Deuxième").published();
    assert_eq!(titles(&app.get("/api/v1/articles").send()).len(), 2);
    read_twice(app, "/api/v1/articles");
    app.delete(&second.path()).bearer(&editor.token).send().ok();
    assert_eq!(
        titles(&app.get("/api/v1/articles").send()),
        vec!["Après".to_string()]
    );
}

/// What an article shows of other things (its section's name, its
/// author's name, its comment count) is dropped with them.
fn what_an_article_shows_is_dropped_with_it(app: &TestApp) {
    let editor = app.editor();
    let author = app.author();
    let section = app.section(&editor).name("Sport").create();
    let article = app
        .article(&editor)
        .section(&section)
        .authors(&[&author])
        .published();
    let path = format!("/api/v1/articles/{}", article.id());
    read_twice(app, &path);
    read_twice(app, "/api/v1/articles");

    app.patch(&section.path())
        .bearer(&editor.token)
        .json(&json!({"name": "Sports"}))
        .send()
        .ok();
    assert_eq!(app.get(&path).send().json()["section"]["name"], "Sports");
    assert_eq!(
        app.get("/api/v1/articles").send().json()["data"][0]["section"]["name"],
        "Sports"
    );

    read_twice(app, &path);
    app.patch("/api/v1/me")
        .bearer(&author.token)
        .json(&json!({"display_name": "Plume Nouvelle"}))
        .send()
        .ok();
    assert_eq!(
        app.get(&path).send().json()["authors"][0]["display_name"],
        "Plume Nouvelle"
    );

    let reader = app.member();
    let comment = app.comment(&reader, article.id()).create();
    let thread = format!("{}/comments", article.path());
    read_twice(app, &path);
    read_twice(app, &thread);
    assert_eq!(app.get(&path).send().json()["comment_count"], 0);
    app.post("/api/v1/comments/moderation")
        .bearer(&editor.token)
        .json(&json!({"ids": [comment.id()], "status": "approved"}))
        .send()
        .ok();
    assert_eq!(
        app.get(&path).send().json()["comment_count"],
        1,
        "the approved comment is counted"
    );
    assert_eq!(
        app.get(&thread).send().json()["data"][0]["id"],
        comment.json["id"],
        "and shown in the thread"
    );

    // a poll hung on the article shows on it at once, and leaves it at once
    read_twice(app, &path);
    read_twice(app, "/api/v1/articles");
    let poll = app
        .post("/api/v1/polls")
        .bearer(&editor.token)
        .json(&json!({"question": "Un derby le dimanche ?", "options": [{"label": "Oui"}, {"label": "Non"}],
                      "closes_at": crate::helpers::at(app, chrono::Duration::days(7)),
                      "article_id": article.id()}))
        .send()
        .ok();
    assert_eq!(app.get(&path).send().json()["poll_id"], poll["id"]);
    assert_eq!(
        app.get("/api/v1/articles").send().json()["data"][0]["poll_id"],
        poll["id"]
    );
    let other = app.article(&editor).published();
    read_twice(app, &path);
    app.patch(&format!("/api/v1/polls/{}", poll["id"].as_str().unwrap()))
        .bearer(&editor.token)
        .json(&json!({"article_id": other.id()}))
        .send()
        .ok();
    assert!(app.get(&path).send().json()["poll_id"].is_null());
}

fn answers_carry_their_surrogate_keys(app: &TestApp) {
    let editor = app.editor();
    let author = app.author();
    let section = app.section(&editor).create();
    let tag = app.tag(&editor).create();
    let article = app
        .article(&editor)
        .section(&section)
        .tags(&[&tag])
        .authors(&[&author])
        .published();
    let res = app.get(&article.path()).send();
    let keys: Vec<&str> = res.header("surrogate-key").unwrap().split(' ').collect();
    for want in [
        format!("article:{}", article.id()),
        format!("section:{}", section.id()),
        format!("tag:{}", tag.id()),
        format!("user:{}", author.id),
    ] {
        assert!(keys.contains(&want.as_str()), "{want} in {keys:?}");
    }
    assert_eq!(
        res.header("cache-tag")
            .unwrap()
            .split(',')
            .collect::<Vec<_>>(),
        keys,
        "Cache-Tag names the same keys"
    );
    let list = app.get("/api/v1/articles").send();
    assert!(
        list.header("surrogate-key")
            .unwrap()
            .contains("list:articles")
    );
    let s = app.get(&section.path()).send();
    assert_eq!(
        s.header("surrogate-key"),
        Some(format!("section:{}", section.id()).as_str())
    );
    // a signed-in reader's answer is private: no keys for shared caches
    let private = app.get(&article.path()).bearer(&editor.token).send();
    assert_eq!(private.header("surrogate-key"), None);
}

fn revalidation_is_answered_from_memory(app: &TestApp) {
    let editor = app.editor();
    let article = app.article(&editor).published();
    let first = app.get(&article.path()).send();
    let etag = first.header("etag").unwrap().to_string();
    let queries = app.state.db.query_count();
    let again = app
        .get(&article.path())
        .header("If-None-Match", &etag)
        .send();
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert!(again.header("surrogate-key").is_some());
    assert_eq!(app.state.db.query_count(), queries, "no query for a 304");

    // a first request that revalidates fills the cache too
    let list = app.get("/api/v1/articles?limit=5").send();
    let tag = list.header("etag").unwrap().to_string();
    app.patch(&article.path())
        .bearer(&editor.token)
        .json(&json!({"lead": "Un autre chapeau"}))
        .send()
        .ok();
    let changed = app
        .get("/api/v1/articles?limit=5")
        .header("If-None-Match", &tag)
        .send();
    assert_eq!(changed.status, 200, "the list changed: a full answer");
    let fresh = changed.header("etag").unwrap().to_string();
    let queries = app.state.db.query_count();
    let same = app
        .get("/api/v1/articles?limit=5")
        .header("If-None-Match", &fresh)
        .send();
    assert_eq!(same.status, 304);
    assert_eq!(app.state.db.query_count(), queries);
}

fn signed_in_reads_are_never_cached(app: &TestApp) {
    let editor = app.editor();
    let author = app.author();
    app.article(&editor).title("Publique").published();
    let draft = app.article(&author).title("Brouillon").draft();
    read_twice(app, "/api/v1/articles");

    // the author sees their draft by its address; nobody else ever does
    for _ in 0..2 {
        let queries = app.state.db.query_count();
        let mine = app.get(&draft.path()).bearer(&author.token).send();
        assert_eq!(mine.json()["title"], "Brouillon");
        assert!(
            app.state.db.query_count() > queries,
            "read from the database"
        );
        assert_eq!(mine.header("surrogate-key"), None);
        app.get(&draft.path()).send().problem(404);
    }
    // a staff list with drafts never reaches anonymous readers
    let staff = app
        .get("/api/v1/articles?status=draft")
        .bearer(&editor.token)
        .send()
        .json();
    assert_eq!(staff["data"][0]["title"], "Brouillon");
    let before = hits(app);
    let queries = app.state.db.query_count();
    app.get("/api/v1/articles")
        .bearer(&editor.token)
        .send()
        .ok();
    assert!(app.state.db.query_count() > queries);
    assert_eq!(hits(app), before, "a signed-in read does not use the cache");
    assert_eq!(
        titles(&app.get("/api/v1/articles").send()),
        vec!["Publique".to_string()]
    );
}

fn voters_answers_never_leak(app: &TestApp) {
    let editor = app.editor();
    let poll = app
        .poll(&editor)
        .with(json!({"results_visibility": "after_vote"}))
        .create()
        .json;
    let id = poll["id"].as_str().unwrap();
    let option = poll["options"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/polls/{id}");
    for _ in 0..2 {
        let seen = app.get(&path).send();
        assert_eq!(seen.json()["results"]["visible"], false);
        assert_eq!(seen.header("surrogate-key"), None, "never cached");
    }
    let voted = app
        .post(&format!("{path}/votes"))
        .json(&json!({"options": [option]}))
        .send();
    assert_eq!(voted.status, 201, "{}", voted.text());
    let token = voted.json()["voter_token"].as_str().unwrap().to_string();
    let mine = app.get(&path).header("X-Voter-Token", &token).send().json();
    assert_eq!(mine["results"]["visible"], true);
    let by_cookie = app
        .get(&path)
        .header("Cookie", &format!("kiosque_voter={token}"))
        .send()
        .json();
    assert_eq!(by_cookie["results"]["visible"], true);
    for _ in 0..2 {
        assert_eq!(
            app.get(&path).send().json()["results"]["visible"],
            false,
            "another reader never sees the voter's answer"
        );
    }

    // counts shown to anyone stay exact, vote after vote
    let open = app
        .poll(&editor)
        .with(json!({"results_visibility": "always"}))
        .create()
        .json;
    let open_id = open["id"].as_str().unwrap();
    let option = open["options"][0]["id"].as_str().unwrap();
    for n in 1..=3 {
        app.post(&format!("/api/v1/polls/{open_id}/votes"))
            .json(&json!({"options": [option]}))
            .send()
            .ok();
        let results = app
            .get(&format!("/api/v1/polls/{open_id}/results"))
            .send()
            .json();
        assert_eq!(results["total_voters"], n);
    }
}

/// Within a few seconds (a bounded wait, not a timing assertion).
fn eventually(what: impl Fn() -> bool) -> bool {
    let until = Instant::now() + StdDuration::from_secs(8);
    while Instant::now() < until {
        if what() {
            return true;
        }
        std::thread::sleep(StdDuration::from_millis(20));
    }
    false
}

/// Another node drops what a write touched when it hears of the change
/// (PostgreSQL NOTIFY; a SQLite database is served by one process).
fn another_node_drops_what_a_write_touched(app: &TestApp) {
    if app.backend() != Backend::Postgres {
        return;
    }
    let editor = app.editor();
    let other = app.spawn_sibling();
    // the other node's listener connects, then hears of the creation (the
    // notification may arrive after the first read below has been kept)
    std::thread::sleep(StdDuration::from_millis(300));
    let article = app.article(&editor).title("Avant").published();
    std::thread::sleep(StdDuration::from_millis(300));
    let path = article.path();
    read_twice(&other, &path);
    read_twice(&other, "/api/v1/articles");

    app.patch(&article.path())
        .bearer(&editor.token)
        .json(&json!({"title": "Après"}))
        .send()
        .ok();
    assert!(
        eventually(|| other.get(&path).send().json()["title"] == "Après"),
        "the other node shows the new title"
    );
    assert!(eventually(
        || titles(&other.get("/api/v1/articles").send()) == vec!["Après".to_string()]
    ));
    // and keeps serving it from memory afterwards
    read_twice(&other, &path);
}

fn a_scheduled_article_appears_at_its_time(app: &TestApp) {
    let editor = app.editor();
    app.article(&editor).title("Déjà là").published();
    let later = app
        .article(&editor)
        .title("À l'heure")
        .scheduled(&at(app, Duration::hours(1)));
    read_twice(app, "/api/v1/articles");
    assert_eq!(titles(&app.get("/api/v1/articles").send()), vec!["Déjà là"]);
    app.get(&later.path()).send().problem(404);

    app.state.clock.advance(Duration::minutes(61));
    // no write, no scheduler yet: the entry knew its time
    assert_eq!(
        titles(&app.get("/api/v1/articles").send()),
        vec!["À l'heure", "Déjà là"]
    );
    assert_eq!(app.get(&later.path()).send().json()["title"], "À l'heure");
}

fn an_offer_leaves_the_cached_list_when_it_expires(app: &TestApp) {
    let editor = app.editor();
    let job = app
        .job(&editor)
        .set("expires_at", at(app, Duration::hours(1)))
        .published();
    let listed = |app: &TestApp| app.get("/api/v1/jobs").send().json()["meta"]["total"].clone();
    read_twice(app, "/api/v1/jobs");
    read_twice(app, &job.path());
    assert_eq!(listed(app), 1);
    app.state.clock.advance(Duration::minutes(61));
    assert_eq!(listed(app), 0, "gone at its time, with no write");
    app.get(&job.path()).send().problem(410);
}

fn cache_off(config: &mut Config) {
    config.cache_bytes = 0;
}

fn the_cache_can_be_turned_off(app: &TestApp) {
    let editor = app.editor();
    let article = app.article(&editor).published();
    app.get(&article.path()).send().ok();
    let queries = app.state.db.query_count();
    let res = app.get(&article.path()).send();
    assert_eq!(res.status, 200);
    assert!(app.state.db.query_count() > queries, "every read queries");
    assert!(
        res.header("surrogate-key").is_some(),
        "keys still go to CDNs"
    );
    assert_eq!(hits(app), 0);
    let etag = res.header("etag").unwrap().to_string();
    let again = app
        .get(&article.path())
        .header("If-None-Match", &etag)
        .send();
    assert_eq!(again.status, 304);
}

fn small_cache(config: &mut Config) {
    config.cache_bytes = 96 << 10;
}

fn the_memory_bound_holds(app: &TestApp) {
    let editor = app.editor();
    let body = "Un paragraphe assez long pour peser. ".repeat(200);
    let articles: Vec<Made> = (0..16)
        .map(|n| {
            app.article(&editor)
                .title(&format!("Article {n}"))
                .body(&body)
                .published()
        })
        .collect();
    for a in &articles {
        app.get(&a.path()).send().ok();
        assert!(metric(app, "kiosque_cache_bytes") <= 96 << 10);
    }
    assert!(metric(app, "kiosque_cache_evictions_total") > 0);
    assert_eq!(metric(app, "kiosque_cache_budget_bytes"), 96 << 10);
    // the most recent is still there
    read_twice(app, &articles[15].path());
}

db_tests!(
    a_write_shows_at_once_on_the_same_node,
    what_an_article_shows_is_dropped_with_it,
    answers_carry_their_surrogate_keys,
    revalidation_is_answered_from_memory,
    signed_in_reads_are_never_cached,
    voters_answers_never_leak,
    another_node_drops_what_a_write_touched,
    a_scheduled_article_appears_at_its_time,
    an_offer_leaves_the_cached_list_when_it_expires,
);

db_tests!(config = cache_off; the_cache_can_be_turned_off);
db_tests!(config = small_cache; the_memory_bound_holds);
