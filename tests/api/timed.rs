//! Timed changes: what happens when a time comes, with nobody writing. A
//! scheduled article (or event, or job offer) is `scheduled` when written and
//! `published` at its time; a job offer's expiry records `job.expired`, a
//! poll's closing time `poll.closed`. Each is told once, whichever node
//! notices it, also when the time passed while no node ran. Time moves with
//! the application clock; the scheduler looks every 100 ms here.

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::*;
use kiosque::config::{Backend, Config};

fn timed(config: &mut Config) {
    config.scheduler = true;
}

/// Every change after `after` of the given types (the whole log if `after` is empty).
fn changes(app: &TestApp, key: &str, after: &str, types: &str) -> Vec<Value> {
    let page = app
        .get(&format!(
            "/api/v1/changes?after={after}&types={types}&limit=100"
        ))
        .bearer(key)
        .send()
        .ok();
    page["data"].as_array().unwrap().clone()
}

fn end_cursor(app: &TestApp, key: &str) -> String {
    let mut cursor = String::new();
    loop {
        let page = app
            .get(&format!("/api/v1/changes?after={cursor}&limit=100"))
            .bearer(key)
            .send()
            .ok();
        cursor = page["meta"]["next_cursor"].as_str().unwrap().to_string();
        if page["meta"]["has_more"] != json!(true) {
            return cursor;
        }
    }
}

/// Waits (a few seconds at most) until `count` changes of `types` follow
/// `after`, then returns them.
fn wait_for(app: &TestApp, key: &str, after: &str, types: &str, count: usize) -> Vec<Value> {
    let until = Instant::now() + StdDuration::from_secs(8);
    loop {
        let found = changes(app, key, after, types);
        if found.len() >= count || Instant::now() > until {
            return found;
        }
        std::thread::sleep(StdDuration::from_millis(50));
    }
}

/// Lets the scheduler run a few times.
fn a_few_ticks() {
    std::thread::sleep(StdDuration::from_millis(400));
}

fn ids(found: &[Value]) -> Vec<&str> {
    found
        .iter()
        .map(|c| c["resource"]["id"].as_str().unwrap())
        .collect()
}

fn a_scheduled_article_is_published_at_its_time(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let section = app.section(&editor).create();
    let tag = app.tag(&editor).create();
    let start = end_cursor(app, &key);
    let article = app
        .article(&editor)
        .section(&section)
        .tags(&[&tag])
        .scheduled(&at(app, Duration::hours(1)));

    // written: scheduled, not published
    let written = changes(app, &key, &start, "article.*");
    assert_eq!(
        written
            .iter()
            .map(|c| c["type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["article.scheduled"]
    );
    a_few_ticks();
    assert!(
        changes(app, &key, &start, "article.published").is_empty(),
        "not before its time"
    );

    app.state.clock.advance(Duration::minutes(61));
    let published = wait_for(app, &key, &start, "article.published", 1);
    assert_eq!(ids(&published), [article.id()], "{published:?}");
    let paths = published[0]["paths"].as_array().unwrap();
    for path in [
        format!("/api/v1/articles/{}", article.slug()),
        "/api/v1/articles".to_string(),
        format!("/api/v1/articles?section={}", section.slug()),
        format!("/api/v1/articles?tag={}", tag.slug()),
    ] {
        assert!(paths.contains(&json!(path)), "{path} in {paths:?}");
    }
    // and public, as the change says
    app.get(&article.path()).send().ok();

    a_few_ticks();
    assert_eq!(
        changes(app, &key, &start, "article.published").len(),
        1,
        "told once"
    );
    // a later edit is an update, not a second publication
    let editor = app.signed_in(&editor.email);
    app.patch(&article.path())
        .bearer(&editor.token)
        .json(&json!({"title": "Un autre titre"}))
        .send()
        .ok();
    a_few_ticks();
    let after = changes(app, &key, &start, "article.*");
    assert_eq!(
        after
            .iter()
            .map(|c| c["type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["article.scheduled", "article.published", "article.updated"]
    );
}

/// Published now is `published` at once, and never again from the scheduler.
fn publishing_now_is_told_by_the_write_only(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let start = end_cursor(app, &key);
    app.article(&editor).published();
    app.job(&editor).published();
    app.event(&editor).published();
    a_few_ticks();
    let found = changes(app, &key, &start, "article.*,job.*,event.*");
    assert_eq!(
        found
            .iter()
            .map(|c| c["type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["article.published", "job.published", "event.published"]
    );
}

fn job_offers_expire_and_polls_close_at_their_time(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let start = end_cursor(app, &key);
    let job = app
        .job(&editor)
        .set("expires_at", at(app, Duration::days(2)))
        .published();
    let poll = app.poll(&editor).create();
    let event = app.event(&editor).scheduled(&at(app, Duration::days(1)));
    a_few_ticks();
    assert!(changes(app, &key, &start, "job.expired,poll.closed,event.published").is_empty());

    app.state.clock.advance(Duration::days(8));
    let found = wait_for(
        app,
        &key,
        &start,
        "job.expired,poll.closed,event.published",
        3,
    );
    a_few_ticks();
    let found_later = changes(app, &key, &start, "job.expired,poll.closed,event.published");
    assert_eq!(found.len(), found_later.len(), "each told once");
    let told: Vec<(&str, &str)> = found_later
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap(),
                c["resource"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(told.len(), 3, "{told:?}");
    assert!(told.contains(&("event.published", event.id())), "{told:?}");
    assert!(told.contains(&("job.expired", job.id())), "{told:?}");
    assert!(told.contains(&("poll.closed", poll.id())), "{told:?}");
    let expired = found_later
        .iter()
        .find(|c| c["type"] == "job.expired")
        .unwrap();
    assert!(
        expired["paths"]
            .as_array()
            .unwrap()
            .contains(&json!(format!("/api/v1/jobs/{}", job.id())))
    );
    // what the change says, the API shows
    assert_eq!(app.get(&job.path()).send().status, 410);
}

/// A poll closed by hand is told by its closing, not again when the time passes.
fn a_poll_closed_by_hand_is_told_once(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let start = end_cursor(app, &key);
    let poll = app.poll(&editor).create();
    app.post(&format!("{}/close", poll.path()))
        .bearer(&editor.token)
        .send()
        .ok();
    app.state.clock.advance(Duration::days(8));
    a_few_ticks();
    assert_eq!(changes(app, &key, &start, "poll.closed").len(), 1);
}

/// Two servers on one database, both running timed work: each publication
/// is told once.
fn two_nodes_tell_each_publication_once(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let other = app.spawn_sibling();
    let start = end_cursor(app, &key);
    let when = at(app, Duration::hours(1));
    let articles: Vec<Made> = (0..5)
        .map(|_| app.article(&editor).scheduled(&when))
        .collect();
    app.state.clock.advance(Duration::minutes(61));
    other.state.clock.advance(Duration::minutes(61));
    wait_for(app, &key, &start, "article.published", 5);
    a_few_ticks();
    let found = changes(app, &key, &start, "article.published");
    let mut told: Vec<&str> = ids(&found);
    told.sort_unstable();
    let mut expected: Vec<&str> = articles.iter().map(Made::id).collect();
    expected.sort_unstable();
    assert_eq!(told, expected, "each once");

    if app.backend() == Backend::Postgres {
        // one lease: exactly one of the two leads
        let leading = [app, &other].iter().filter(|a| leads(a)).count();
        assert_eq!(leading, 1);
    }
}

fn leads(app: &TestApp) -> bool {
    app.get("/metrics")
        .send()
        .text()
        .lines()
        .any(|l| l == "kiosque_scheduler_leader 1")
}

fn wait_until(what: impl Fn() -> bool) -> bool {
    let until = Instant::now() + StdDuration::from_secs(8);
    while Instant::now() < until {
        if what() {
            return true;
        }
        std::thread::sleep(StdDuration::from_millis(50));
    }
    false
}

/// The node holding the lease goes away: another takes over and tells what
/// comes due (PostgreSQL: on SQLite there is one process).
fn another_node_takes_over_the_lease(app: &TestApp) {
    if app.backend() != Backend::Postgres {
        return;
    }
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let first = app.spawn_sibling_with(timed);
    assert!(wait_until(|| leads(&first)), "the first timed node leads");
    let second = app.spawn_sibling_with(timed);
    std::thread::sleep(StdDuration::from_millis(300));
    assert!(!leads(&second), "one lease at a time");
    drop(first);
    assert!(wait_until(|| leads(&second)), "the second node takes over");

    let start = end_cursor(app, &key);
    let article = app.article(&editor).scheduled(&at(app, Duration::hours(1)));
    second.state.clock.advance(Duration::minutes(61));
    let found = wait_for(app, &key, &start, "article.published", 1);
    assert_eq!(ids(&found), [article.id()]);
}

/// Times that passed while no node ran timed work are told when one starts.
fn what_came_due_while_no_node_ran_is_told_at_start(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let start = end_cursor(app, &key);
    let article = app.article(&editor).scheduled(&at(app, Duration::hours(1)));
    let job = app
        .job(&editor)
        .set("expires_at", at(app, Duration::hours(2)))
        .published();
    // the night passes with no node running timed work
    app.state.clock.advance(Duration::hours(10));
    a_few_ticks();
    assert!(changes(app, &key, &start, "article.published,job.expired").is_empty());

    // in the morning a node starts
    let node = app.spawn_sibling_with(timed);
    node.state.clock.advance(Duration::hours(10));
    let found = wait_for(app, &key, &start, "article.published,job.expired", 2);
    a_few_ticks();
    let found_later = changes(app, &key, &start, "article.published,job.expired");
    assert_eq!(found.len(), found_later.len());
    let told: Vec<(&str, &str)> = found_later
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap(),
                c["resource"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        told,
        [
            ("article.published", article.id()),
            ("job.expired", job.id())
        ]
    );
}

/// A long poll on one server returns when another server writes; on
/// PostgreSQL this server heard of the write from the other (NOTIFY), not
/// from a write of its own.
fn a_long_poll_hears_a_write_on_another_node(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let start = end_cursor(app, &key);
    let other = app.spawn_sibling();
    std::thread::sleep(StdDuration::from_millis(200));
    let heard_before = app.state.db.generation();
    let page = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(StdDuration::from_millis(300));
            other.article(&editor).published();
        });
        app.get(&format!("/api/v1/changes?after={start}&wait=20"))
            .bearer(&key)
            .send()
            .ok()
    });
    assert_eq!(page["data"][0]["type"], "article.published");
    if app.backend() == Backend::Postgres {
        assert!(
            wait_until(|| app.state.db.generation() > heard_before),
            "this node heard of the other's commit"
        );
    }
}

/// A write that finds a publication whose time came unnoticed names it
/// itself (`published`); the scheduler then has nothing left to tell.
fn an_edit_after_an_unnoticed_time_tells_the_publication(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let start = end_cursor(app, &key);
    let article = app.article(&editor).scheduled(&at(app, Duration::hours(1)));
    app.job(&editor).scheduled(&at(app, Duration::hours(3)));
    app.state.clock.advance(Duration::hours(2));
    let editor = app.signed_in(&editor.email);
    app.patch(&article.path())
        .bearer(&editor.token)
        .json(&json!({"title": "Titre revu"}))
        .send()
        .ok();
    let kinds = |found: Vec<Value>| -> Vec<String> {
        found
            .iter()
            .map(|c| c["type"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        kinds(changes(app, &key, &start, "article.*,job.*")),
        ["article.scheduled", "job.scheduled", "article.published"]
    );

    let node = app.spawn_sibling_with(timed);
    node.state.clock.advance(Duration::hours(2));
    a_few_ticks();
    assert_eq!(
        kinds(changes(app, &key, &start, "article.*,job.*")),
        ["article.scheduled", "job.scheduled", "article.published"],
        "nothing told twice; the offer's time has not come"
    );
}

/// PostgreSQL backends of this test's database running `what` (`LISTEN…`).
fn backends(app: &TestApp, query_like: &str) -> Vec<i32> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let mut c = PgConnection::establish(&app.db_url).unwrap();
    diesel::sql_query(format!(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
         AND pid <> pg_backend_pid() AND query LIKE '{query_like}'"
    ))
    .load::<Pid>(&mut c)
    .unwrap()
    .into_iter()
    .map(|p| p.pid)
    .collect()
}

/// The backend holding the scheduler's lease.
fn lease_holder(app: &TestApp) -> Option<i32> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let mut c = PgConnection::establish(&app.db_url).unwrap();
    diesel::sql_query(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted \
         AND classid = 1802071923 AND objid = 1818583396 \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .load::<Pid>(&mut c)
    .unwrap()
    .first()
    .map(|p| p.pid)
}

fn terminate(app: &TestApp, pids: &[i32]) {
    use diesel::prelude::*;
    let mut c = PgConnection::establish(&app.db_url).unwrap();
    for pid in pids {
        diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
            .execute(&mut c)
            .unwrap();
    }
}

/// PostgreSQL drops the lease holder's and the listeners' connections: the
/// lease is taken again (by one node), the listeners reconnect, and what
/// comes due is still told once, what another node writes still heard.
fn lost_connections_are_taken_again(app: &TestApp) {
    if app.backend() != Backend::Postgres {
        return;
    }
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let other = app.spawn_sibling();
    assert!(wait_until(|| lease_holder(app).is_some()));
    assert!(wait_until(|| backends(app, "LISTEN%").len() == 2));

    let holder = lease_holder(app).unwrap();
    let listeners = backends(app, "LISTEN%");
    terminate(app, &[holder]);
    terminate(app, &listeners);
    assert!(
        wait_until(|| lease_holder(app).is_some_and(|p| p != holder)),
        "the lease is held again"
    );
    assert!(
        wait_until(|| {
            let now = backends(app, "LISTEN%");
            now.len() == 2 && now.iter().all(|p| !listeners.contains(p))
        }),
        "both nodes listen again"
    );

    let start = end_cursor(app, &key);
    let when = at(app, Duration::hours(1));
    let article = app.article(&editor).scheduled(&when);
    app.state.clock.advance(Duration::minutes(61));
    other.state.clock.advance(Duration::minutes(61));
    wait_for(app, &key, &start, "article.published", 1);
    a_few_ticks();
    let found = changes(app, &key, &start, "article.published");
    assert_eq!(ids(&found), [article.id()]);

    let editor = other.signed_in(&editor.email);
    let heard_before = app.state.db.generation();
    other.tag(&editor).create();
    assert!(
        wait_until(|| app.state.db.generation() > heard_before),
        "this node hears the other's commits again"
    );
}

db_tests!(
    config = timed;
    a_scheduled_article_is_published_at_its_time,
    publishing_now_is_told_by_the_write_only,
    job_offers_expire_and_polls_close_at_their_time,
    a_poll_closed_by_hand_is_told_once,
    two_nodes_tell_each_publication_once,
    lost_connections_are_taken_again,
);

db_tests!(
    another_node_takes_over_the_lease,
    what_came_due_while_no_node_ran_is_told_at_start,
    a_long_poll_hears_a_write_on_another_node,
    an_edit_after_an_unnoticed_time_tells_the_publication,
);
