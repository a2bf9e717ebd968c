//! Faults a client must get a clear answer to: a section still in use, a full
//! disk, connections killed under the pool, a write lock held by another
//! process, a crowd of searches, and who may read `/metrics`.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use kiosque::config::{Backend, Config, MetricsAccess};
use serde_json::json;

use crate::db_tests;
use crate::helpers::{Resp, TestApp};

fn published(app: &TestApp, token: &str, body: serde_json::Value) -> String {
    let res = app
        .post("/api/v1/articles")
        .bearer(token)
        .json(&body)
        .send();
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()["id"].as_str().unwrap().to_string()
}

fn a_section_still_in_use_is_refused_alike_on_both_databases(app: &TestApp) {
    let editor = app.editor();
    let section = app
        .post("/api/v1/sections")
        .bearer(&editor.token)
        .json(&json!({"name": "Sport"}))
        .send()
        .ok();
    let id = section["id"].as_str().unwrap();
    published(
        app,
        &editor.token,
        json!({"title": "Le derby", "status": "published", "section": id}),
    );
    let refused = app
        .delete(&format!("/api/v1/sections/{id}"))
        .bearer(&editor.token)
        .send();
    assert_eq!(refused.problem(409)["code"], "conflict");
    assert_eq!(
        app.get(&format!("/api/v1/sections/{id}")).send().ok()["name"],
        "Sport",
        "the section is still there"
    );
}

#[derive(QueryableByName)]
struct Pages {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    page_count: i64,
}

fn one_connection(c: &mut Config) {
    c.db_pool_size = 1;
}

/// SQLite's `max_page_count` stands in for a full disk: the same error
/// ("database or disk is full") reaches the application.
#[test]
fn a_full_disk_refuses_writes_with_507_and_reads_go_on() {
    crate::helpers::run_with(Backend::Sqlite, one_connection, |app| {
        let editor = app.editor();
        let kept = app
            .post("/api/v1/sections")
            .bearer(&editor.token)
            .json(&json!({"name": "Culture"}))
            .send()
            .ok();
        let pages: Pages = diesel::sql_query("PRAGMA page_count")
            .get_result(&mut *app.state.db.get().unwrap())
            .unwrap();
        // the limit is the connection's: set it on the one writer connection
        on_writer(app, format!("PRAGMA max_page_count = {}", pages.page_count));
        let mut full: Option<Resp> = None;
        for n in 0..200 {
            let res = app
                .post("/api/v1/sections")
                .bearer(&editor.token)
                .json(&json!({"name": format!("Rubrique {n}"), "description": "x".repeat(1_900)}))
                .send();
            if res.status != 201 {
                full = Some(res);
                break;
            }
        }
        let full = full.expect("the database filled up");
        assert_eq!(full.problem(507)["code"], "storage_full");
        assert!(full.header("retry-after").is_some());

        // reads keep working
        let id = kept["id"].as_str().unwrap();
        app.get(&format!("/api/v1/sections/{id}")).send().ok();
        app.get("/api/v1/sections").send().ok();
        app.get("/readyz").send().ok();

        // and writes come back once there is room
        on_writer(app, "PRAGMA max_page_count = 1073741823".into());
        app.post("/api/v1/sections")
            .bearer(&editor.token)
            .json(&json!({"name": "Rubrique retrouvée"}))
            .send()
            .ok();
    })
}

/// Runs `sql` on SQLite's one writer connection (out of the pool).
fn on_writer(app: &TestApp, sql: String) {
    let db = app.state.db.clone();
    actix_web::rt::System::new()
        .block_on(db.note_as(move |c| c.batch_execute(&sql).map_err(kiosque::db::DbError::from)))
        .unwrap();
}

/// The admin connection to the test server and the test database's name.
pub fn pg_admin(app: &TestApp) -> (PgConnection, String) {
    let admin = std::env::var("KIOSQUE_TEST_POSTGRES_URL").unwrap();
    let target = &app.state.config.database.target;
    let name = target
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    (PgConnection::establish(&admin).unwrap(), name)
}

pub fn kill_connections(admin: &mut PgConnection, name: &str) {
    diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ))
    .execute(admin)
    .unwrap();
}

fn answer_or_503(res: &Resp) {
    if res.status != 200 {
        assert_eq!(
            res.problem(503)["code"],
            "database_unavailable",
            "a lost connection is unavailability, never a 500"
        );
    }
}

#[test]
#[cfg_attr(
    not(kiosque_pg),
    ignore = "set KIOSQUE_TEST_POSTGRES_URL to run on PostgreSQL"
)]
fn killed_connections_are_replaced_not_answered_with_500() {
    crate::helpers::run(Backend::Postgres, |app| {
        let editor = app.editor();
        published(
            app,
            &editor.token,
            json!({"title": "Une", "status": "published"}),
        );
        // fill the pool with connections
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let base = app.base.clone();
                std::thread::spawn(move || ureq::get(&format!("{base}/api/v1/articles")).call())
            })
            .collect();
        for t in threads {
            let _ = t.join();
        }
        let (mut admin, name) = pg_admin(app);

        // killed while in use: each dead connection costs at most one 503
        kill_connections(&mut admin, &name);
        let mut answers = Vec::new();
        for _ in 0..6 {
            let res = app.get("/api/v1/articles").send();
            answer_or_503(&res);
            answers.push(res.status);
        }
        assert_eq!(answers.last(), Some(&200), "{answers:?}");

        // killed while idle: checked before use, so nobody sees it
        kill_connections(&mut admin, &name);
        std::thread::sleep(Duration::from_millis(1_500));
        app.get("/api/v1/articles").send().ok();
    })
}

fn crowded(c: &mut Config) {
    c.db_pool_size = 4;
}

/// Another process holds the write lock (SQLite's `BEGIN IMMEDIATE`, or a
/// PostgreSQL lock that lets only reads through): reads, an API key's
/// first use included, are answered at once while our own writers wait.
fn reads_go_on_while_another_process_holds_the_write_lock(app: &TestApp) {
    let editor = app.editor();
    let article = published(
        app,
        &editor.token,
        json!({"title": "Une", "status": "published"}),
    );
    let key = app.api_key(&["content:read"]);
    let target = app.state.config.database.target.clone();
    let mut holder = match app.backend() {
        Backend::Sqlite => {
            kiosque::db::AnyConnection::Sqlite(SqliteConnection::establish(&target).unwrap())
        }
        Backend::Postgres => {
            kiosque::db::AnyConnection::Postgres(PgConnection::establish(&target).unwrap())
        }
    };
    match app.backend() {
        Backend::Sqlite => holder
            .batch_execute("BEGIN IMMEDIATE; UPDATE sections SET position = position;")
            .unwrap(),
        Backend::Postgres => holder
            .batch_execute("BEGIN; LOCK TABLE sections, articles, api_keys IN EXCLUSIVE MODE;")
            .unwrap(),
    }
    // our writers queue up behind the lock
    let writers = if app.backend() == Backend::Sqlite {
        6
    } else {
        2
    };
    let pending: Vec<_> = (0..writers)
        .map(|n| {
            let url = format!("{}/api/v1/sections", app.base);
            let token = editor.token.clone();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                agent
                    .post(&url)
                    .header("Authorization", &format!("Bearer {token}"))
                    .send_json(json!({"name": format!("Écrite pendant le verrou {n}")}))
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));

    for path in [
        "/api/v1/articles".to_string(),
        format!("/api/v1/articles/{article}"),
        "/api/v1/sections".to_string(),
        "/readyz".to_string(),
    ] {
        let started = Instant::now();
        app.get(&path).send().ok();
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{path} waited {:?} behind the lock",
            started.elapsed()
        );
    }
    let started = Instant::now();
    app.get("/api/v1/articles").bearer(&key).send().ok();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "an API key's read waited {:?}",
        started.elapsed()
    );

    holder.batch_execute("ROLLBACK").unwrap();
    for w in pending {
        assert_eq!(
            w.join().unwrap(),
            201,
            "a writer waiting for the lock gets through once it is free"
        );
    }
}

fn search_limits(c: &mut Config) {
    c.search_per_minute = 1;
    c.search_burst = 3;
    c.trust_proxy = true;
}

fn searches_are_limited_per_client_and_plain_reads_are_not(app: &TestApp) {
    let search = |ip: &str, path: &str| app.get(path).header("X-Forwarded-For", ip).send();
    for path in [
        "/api/v1/articles?q=mairie",
        "/api/v1/jobs?q=comptable",
        "/api/v1/events?q=concert",
    ] {
        search("203.0.113.7", path).ok();
    }
    let refused = search("203.0.113.7", "/api/v1/articles?q=mairie");
    assert_eq!(refused.problem(429)["code"], "rate_limited");
    assert!(
        refused
            .header("retry-after")
            .is_some_and(|s| s.parse::<u64>().unwrap() >= 1)
    );
    // the same client's plain reads go on, and other clients search on
    for _ in 0..5 {
        search("203.0.113.7", "/api/v1/articles").ok();
    }
    search("198.51.100.2", "/api/v1/articles?q=mairie").ok();
}

const METRICS_TOKEN: &str = "metrics-token-for-prometheus";

fn metrics_behind_a_token(c: &mut Config) {
    c.metrics = MetricsAccess::Token(METRICS_TOKEN.into());
}

fn metrics_closed(c: &mut Config) {
    c.metrics = MetricsAccess::Closed;
}

fn metrics_need_their_token_when_one_is_set(app: &TestApp) {
    assert_eq!(
        app.get("/metrics").send().problem(401)["code"],
        "invalid_token"
    );
    app.get("/metrics")
        .bearer("not-the-metrics-token")
        .send()
        .problem(401);
    // a user's token is not the metrics token either
    let admin = app.admin();
    app.get("/metrics").bearer(&admin.token).send().problem(401);
    let res = app.get("/metrics").bearer(METRICS_TOKEN).send();
    assert_eq!(res.status, 200);
    assert!(res.text().contains("kiosque_http_requests_total"));
}

fn closed_metrics_stay_closed(app: &TestApp) {
    assert_eq!(
        app.get("/metrics").send().problem(403)["code"],
        "metrics_closed"
    );
    app.get("/metrics")
        .bearer(METRICS_TOKEN)
        .send()
        .problem(403);
}

#[test]
fn metrics_are_closed_by_default_in_production_only() {
    let url = kiosque::config::DatabaseUrl::parse("sqlite://x.db").unwrap();
    for (env, expected) in [
        (
            kiosque::config::Environment::Production,
            MetricsAccess::Closed,
        ),
        (
            kiosque::config::Environment::Development,
            MetricsAccess::Open,
        ),
    ] {
        assert_eq!(
            Config::defaults(env, url.clone(), "data".into()).metrics,
            expected
        );
    }
}

db_tests!(a_section_still_in_use_is_refused_alike_on_both_databases);
db_tests!(config = crowded; reads_go_on_while_another_process_holds_the_write_lock);
db_tests!(config = search_limits; searches_are_limited_per_client_and_plain_reads_are_not);
db_tests!(config = metrics_behind_a_token; metrics_need_their_token_when_one_is_set);
db_tests!(config = metrics_closed; closed_metrics_stay_closed);
