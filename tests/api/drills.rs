//! Drills with the real binary and real faults: killed with SIGKILL in the
//! middle of concurrent writes, a PostgreSQL outage, a log sink that goes away.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use kiosque::config::{Backend, Config};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::TestApp;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `kiosque` binary serving `database`, with the test suite's JWT secret
/// (so the test app's tokens are good here too).
struct Binary {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Binary {
    fn start(database: &str, stderr: Stdio, extra: &[(&str, &str)]) -> Binary {
        let dir = std::env::temp_dir().join(format!(
            "kiosque-drill-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiosque"));
        cmd.arg("serve")
            .env("KIOSQUE_ENV", "test")
            .env("KIOSQUE_ADDR", format!("127.0.0.1:{port}"))
            .env("KIOSQUE_DATA_DIR", &dir)
            .env("DATABASE_URL", database)
            .env("KIOSQUE_WORKERS", "2")
            .env("KIOSQUE_JWT_SECRET", "test-secret-test-secret-test-secret!")
            .env("KIOSQUE_ARGON2_MEMORY_KIB", "64")
            .env("KIOSQUE_ARGON2_ITERATIONS", "1")
            .env("KIOSQUE_RATE_LIMIT_STORE", "memory")
            .env("KIOSQUE_LOG", "info")
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(stderr);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let binary = Binary { child, port, dir };
        binary.wait_ready();
        binary
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if self.raw("GET /readyz").starts_with("HTTP/1.1 200") {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the binary did not become ready");
    }

    /// One request over a fresh connection; the whole answer, or "" when none came.
    fn raw(&self, request_line: &str) -> String {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return String::new();
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = write!(
            s,
            "{request_line} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        );
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        answer
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn kill(&mut self, signal: &str) {
        let killed = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        let _ = self.child.wait();
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

fn get_json(agent: &ureq::Agent, url: &str, token: &str) -> Value {
    let mut res = agent
        .get(url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "GET {url}");
    res.body_mut().read_json().unwrap()
}

fn database_url(app: &TestApp) -> String {
    let db = &app.state.config.database;
    match db.backend {
        Backend::Sqlite => format!("sqlite://{}", db.target),
        Backend::Postgres => db.target.clone(),
    }
}

/// Killed with SIGKILL while eight clients post comments, then restarted:
/// every comment acknowledged with 201 is there, and the article's
/// `comment_count` equals its comments.
fn sigkill_mid_writes_loses_no_acknowledged_write(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let article = app
        .post("/api/v1/articles")
        .bearer(&editor.token)
        .json(&json!({"title": "La foire aux questions", "status": "published"}))
        .send()
        .ok()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = database_url(app);
    let settings = [
        ("KIOSQUE_COMMENTS_MODERATION", "post"),
        ("KIOSQUE_COMMENTS_PER_HOUR", "1000000"),
        ("KIOSQUE_COMMENTS_BURST", "1000000"),
        // the drill's members never confirm their address
        ("KIOSQUE_UNVERIFIED_MAY_PARTICIPATE", "true"),
        ("KIOSQUE_LOG", "warn"),
    ];
    let mut binary = Binary::start(&url, Stdio::null(), &settings);

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let post_url = binary.url(&format!("/api/v1/articles/{article}/comments"));
            let token = member.token.clone();
            let acknowledged = acknowledged.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let agent = agent();
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    let sent = agent
                        .post(&post_url)
                        .header("Authorization", &format!("Bearer {token}"))
                        .send_json(json!({"body": format!("Avis {w}-{n}")}));
                    match sent {
                        Ok(mut res) if res.status().as_u16() == 201 => {
                            let body: Value = res.body_mut().read_json().unwrap();
                            acknowledged
                                .lock()
                                .unwrap()
                                .push(body["id"].as_str().unwrap().to_string());
                        }
                        Ok(res) => assert!(
                            res.status().as_u16() == 503,
                            "only 201 or 503 while writing: {}",
                            res.status()
                        ),
                        Err(_) => break, // the server is gone
                    }
                }
            })
        })
        .collect();
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 40 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    binary.kill("KILL");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 40, "writes were under way");

    let restarted = Binary::start(&url, Stdio::null(), &settings);
    let agent = agent();
    let mut stored = std::collections::HashSet::new();
    for page in 1.. {
        let list = get_json(
            &agent,
            &restarted.url(&format!(
                "/api/v1/comments?status=approved&article={article}&limit=100&page={page}"
            )),
            &editor.token,
        );
        let data = list["data"].as_array().unwrap();
        stored.extend(data.iter().map(|c| c["id"].as_str().unwrap().to_string()));
        if data.len() < 100 {
            break;
        }
    }
    let missing: Vec<_> = acknowledged
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    let count = get_json(
        &agent,
        &restarted.url(&format!("/api/v1/articles/{article}")),
        &editor.token,
    )["comment_count"]
        .as_u64()
        .unwrap();
    assert_eq!(count as usize, stored.len(), "the counter equals its rows");
}

struct AllowAgain {
    admin: PgConnection,
    name: String,
}

impl Drop for AllowAgain {
    fn drop(&mut self) {
        let _ = diesel::sql_query(format!(
            "ALTER DATABASE \"{}\" ALLOW_CONNECTIONS true",
            self.name
        ))
        .execute(&mut self.admin);
    }
}

fn quick_to_give_up(c: &mut Config) {
    c.db_connect_timeout = Duration::from_secs(1);
}

#[track_caller]
fn unavailable(res: &crate::helpers::Resp) {
    res.problem(503);
    assert!(
        res.header("retry-after").is_some(),
        "503 says when to retry"
    );
}

/// The test database refuses connections and loses the ones it had: every
/// answer is a 503 problem document, `/readyz` too, and all is well again
/// within seconds of its return.
fn a_postgres_outage(app: &TestApp) {
    let editor = app.editor();
    app.get("/api/v1/articles").send().ok();
    let (mut admin, name) = crate::faults::pg_admin(app);
    diesel::sql_query(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"))
        .execute(&mut admin)
        .unwrap();
    crate::faults::kill_connections(&mut admin, &name);
    let guard = AllowAgain { admin, name };

    // the list read before may still come from the response cache (which
    // needs no database); one it does not hold needs the database
    let cached = app.get("/api/v1/articles").send();
    assert!(matches!(cached.status, 200 | 503), "{}", cached.text());
    unavailable(&app.get("/api/v1/articles?limit=7").send());
    unavailable(&app.get("/api/v1/sections").send());
    unavailable(&app.get("/readyz").send());
    unavailable(
        &app.post("/api/v1/auth/login")
            .json(&json!({"email": editor.email, "password": crate::helpers::PASSWORD}))
            .send(),
    );
    unavailable(
        &app.post("/api/v1/sections")
            .bearer(&editor.token)
            .json(&json!({"name": "Pendant la panne"}))
            .send(),
    );
    app.get("/healthz").send().ok();

    drop(guard);
    let back = Instant::now();
    loop {
        let res = app.get("/readyz").send();
        if res.status == 200 {
            break;
        }
        unavailable(&res);
        assert!(back.elapsed() < Duration::from_secs(10), "no recovery");
        std::thread::sleep(Duration::from_millis(200));
    }
    app.get("/api/v1/articles").send().ok();
    app.post("/api/v1/sections")
        .bearer(&editor.token)
        .json(&json!({"name": "Après la panne"}))
        .send()
        .ok();
}

#[test]
#[cfg_attr(
    not(kiosque_pg),
    ignore = "set KIOSQUE_TEST_POSTGRES_URL to run on PostgreSQL"
)]
fn a_postgres_outage_answers_503_then_recovers() {
    crate::helpers::run_with(Backend::Postgres, quick_to_give_up, a_postgres_outage);
}

/// The log sink goes away (the reader of the pipe exits; a full disk): the
/// server keeps answering and counts the lines it could not write.
#[test]
fn a_lost_log_sink_costs_no_answer() {
    let dir = std::env::temp_dir().join(format!("kiosque-logsink-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("k.db").display());
    for sink in ["closed pipe", "full disk"] {
        let stderr = match sink {
            "closed pipe" => Stdio::piped(),
            _ => std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap()
                .into(),
        };
        let mut binary = Binary::start(&db, stderr, &[]);
        if let Some(mut pipe) = binary.child.stderr.take() {
            let mut start = [0u8; 64];
            let _ = pipe.read(&mut start);
            drop(pipe); // the reader is gone
        }
        for _ in 0..20 {
            for path in ["/healthz", "/api/v1/articles", "/nowhere"] {
                let answer = binary.raw(&format!("GET {path}"));
                assert!(
                    answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.1 404"),
                    "{sink}: GET {path} answered: {answer:?}"
                );
            }
        }
        let metrics = binary.raw("GET /metrics");
        let dropped: u64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix("kiosque_log_lines_dropped_total "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{sink}: no drop counter in {metrics}"));
        assert!(dropped >= 20, "{sink}: lines counted as dropped: {dropped}");
        binary.kill("TERM");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

db_tests!(sigkill_mid_writes_loses_no_acknowledged_write);
