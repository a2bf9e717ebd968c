//! Read replicas (`KIOSQUE_DATABASE_REPLICA_URLS`), seen from one node: reads
//! go to a replica that has every write, a replica that does not answer is
//! out of the reads without costing a request, and `/readyz` and `/metrics`
//! show each one. (The real streaming replica, stopped and started under
//! load, is `tests/nodes.rs`.) Here the first "replica" is the primary
//! itself, which has every write at once, and the second a port where no
//! server listens. A SQLite file has no replicas: the list stays empty.

use std::time::{Duration, Instant};

use kiosque::config::{Backend, Config, DatabaseUrl};

use crate::db_tests;
use crate::helpers::TestApp;

const DEAD: &str = "postgres://postgres@127.0.0.1:19598/nobody";

fn with_replicas(config: &mut Config) {
    config.replicas = vec![config.database.clone(), DatabaseUrl::parse(DEAD).unwrap()];
    config.replica_check = Duration::from_millis(50);
}

/// The replicas as `/readyz` lists them, once the checker has measured them.
fn measured(app: &TestApp) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let ready = app.get("/readyz").send().ok();
        let list = ready["replicas"].as_array().unwrap().clone();
        if list.is_empty() || list[0]["state"] == "up" {
            return list;
        }
        assert!(
            Instant::now() < deadline,
            "the replica never came up: {ready}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn reads_go_to_current_replicas_and_skip_dead_ones(app: &TestApp) {
    let replicas = measured(app);
    if app.backend() == Backend::Sqlite {
        assert!(replicas.is_empty(), "SQLite has no replicas: {replicas:?}");
    } else {
        assert_eq!(replicas.len(), 2);
        assert_eq!(replicas[1]["state"], "out", "nothing listens there");
        assert!(replicas[1]["lag_ms"].is_null());
        assert!(
            !replicas[1]["name"].as_str().unwrap().is_empty(),
            "each replica is named"
        );
    }

    // a write, then anonymous reads of it: every one answers, and sees it
    let editor = app.editor();
    let article = app.article(&editor).published();
    for _ in 0..20 {
        let read = app.get(&article.path()).send().ok();
        assert_eq!(read["id"], article.id());
    }
    let list = app.get("/api/v1/articles").send().ok();
    assert_eq!(list["data"][0]["id"], article.id());

    if app.backend() == Backend::Postgres {
        let after = measured(app);
        assert!(
            after[0]["reads"].as_u64().unwrap() > 0,
            "the current replica served reads: {after:?}"
        );
        assert_eq!(after[1]["reads"], 0, "the dead one none");
        let metrics = app.get("/metrics").send().text();
        let up = |v: &str| {
            metrics
                .lines()
                .any(|l| l.starts_with("kiosque_db_replica_up{") && l.ends_with(&format!("}} {v}")))
        };
        assert!(up("1") && up("0"), "{metrics}");
        assert!(
            metrics.contains("kiosque_db_replica_lag_seconds{"),
            "{metrics}"
        );
        assert!(
            metrics.contains(r#"kiosque_db_replica_reads_total{target="primary"}"#),
            "{metrics}"
        );
    }
}

db_tests!(config = with_replicas; reads_go_to_current_replicas_and_skip_dead_ones);
