//! Exactly once across real processes (PostgreSQL): three `kiosque serve`
//! processes on one database deliver each change to a counting receiver
//! once; a process killed with SIGKILL in the middle of a delivery leaves it
//! to another, which sends it again with the same `webhook-id`.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kiosque::config::{Backend, Config};

use super::receiver::{Answer, Receiver};
use super::*;

/// The test's own server serves the API but sends nothing: the processes do.
fn api_only(c: &mut Config) {
    loopback(c);
    c.webhooks.concurrency = 0;
}

/// A `kiosque serve` process on the test's database.
struct Node {
    child: Child,
    port: u16,
}

impl Node {
    fn start(app: &TestApp, extra: &[(&str, &str)]) -> Node {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = app.data_dir.join(format!("node-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiosque"));
        cmd.arg("serve")
            .env("KIOSQUE_ENV", "test")
            .env("KIOSQUE_ADDR", format!("127.0.0.1:{port}"))
            .env("KIOSQUE_DATA_DIR", &dir)
            .env("DATABASE_URL", &app.db_url)
            .env("KIOSQUE_WORKERS", "1")
            .env("KIOSQUE_DB_POOL_SIZE", "4")
            .env("KIOSQUE_JWT_SECRET", "test-secret-test-secret-test-secret!")
            .env("KIOSQUE_LOG", "warn")
            .env("KIOSQUE_OUTBOUND_ALLOW", "127.0.0.0/8")
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let node = Node {
            child: cmd.spawn().unwrap(),
            port,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", node.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the node did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        node
    }

    fn kill(&mut self) {
        let killed = Command::new("kill")
            .args(["-KILL", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn each_change_reaches_each_endpoint_once(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    let (hook, _) = endpoint(app, &admin, &receiver.url("/hook"), &["section.*"]);
    let _nodes: Vec<Node> = (0..3).map(|_| Node::start(app, &[])).collect();
    const N: usize = 60;
    for i in 0..N {
        app.section(&editor).name(&format!("Rubrique {i}")).create();
    }
    receiver.wait_for(N);
    log_until(app, &admin, &hook, "every delivery done", |e| {
        e.len() == N && e.iter().all(|d| d["status"] == "delivered")
    });
    // a late duplicate would come within a poll or two
    std::thread::sleep(Duration::from_millis(1_500));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in receiver.received() {
        *seen.entry(r.id().to_string()).or_default() += 1;
    }
    assert_eq!(seen.len(), N, "every change arrived");
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
}

fn a_delivery_cut_by_sigkill_is_sent_again_by_another_node(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    receiver.then(&[Answer::Hold]);
    let (hook, _) = endpoint(app, &admin, &receiver.url("/hook"), &["section.*"]);
    // a short call time limit: the claim of the killed node expires ~7 s later
    let quick = [("KIOSQUE_OUTBOUND_TIMEOUT_MS", "2000")];
    let mut first = Node::start(app, &quick);
    app.section(&editor).name("Coupure").create();
    let held = receiver.wait_for(1).pop().unwrap();
    first.kill();

    let _others: Vec<Node> = (0..2).map(|_| Node::start(app, &quick)).collect();
    let again = receiver.wait_for(2).pop().unwrap();
    receiver.release();
    assert_eq!(again.id(), held.id(), "the same webhook-id");
    assert_eq!(again.body, held.body);
    let entries = log_until(app, &admin, &hook, "the delivery done", |e| {
        e.first().is_some_and(|d| d["status"] == "delivered")
    });
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["attempts"], 2);
}

#[test]
#[cfg_attr(
    not(kiosque_pg),
    ignore = "set KIOSQUE_TEST_POSTGRES_URL to run on PostgreSQL"
)]
fn exactly_once_across_three_processes() {
    run_with(
        Backend::Postgres,
        api_only,
        each_change_reaches_each_endpoint_once,
    )
}

#[test]
#[cfg_attr(
    not(kiosque_pg),
    ignore = "set KIOSQUE_TEST_POSTGRES_URL to run on PostgreSQL"
)]
fn sigkill_mid_delivery_resends_with_the_same_id() {
    run_with(
        Backend::Postgres,
        api_only,
        a_delivery_cut_by_sigkill_is_sent_again_by_another_node,
    )
}
