//! Three Kiosque processes behind one PostgreSQL primary and its streaming
//! replica, all made here: `initdb`, `pg_basebackup` and `pg_ctl` (run as the
//! `postgres` OS user) on their own ports and a folder of their own, then the
//! real `kiosque` binary three times. The story a newsroom lives: what one
//! node writes every node shows (and never forgets again), limits and votes
//! are counted once for the whole site, timed work is done once, a photo
//! uploaded on one node is served by all (one shared S3-compatible bucket,
//! when `KIOSQUE_NODES_S3_URL` names a server), and losing the replica costs
//! no reader a request.
//!
//! Needs root (to act as `postgres`) and PostgreSQL 15's binaries. Without
//! root it says so and passes; `KIOSQUE_NODES_REQUIRED=1` makes a missing
//! prerequisite a failure (CI runs as root).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
const PRIMARY_PORT: u16 = 19540;
const REPLICA_PORT: u16 = 19541;
const NODE_PORTS: [u16; 3] = [19501, 19502, 19503];
const PASSWORD: &str = "correct horse battery staple 42";
/// Anonymous votes one address may cast at once (the whole site's count).
const VOTE_BURST: usize = 12;

#[test]
fn three_nodes_behind_a_primary_and_a_replica() {
    if let Some(why) = missing_prerequisite() {
        if std::env::var("KIOSQUE_NODES_REQUIRED").as_deref() == Ok("1") {
            panic!("the three-node suite cannot run: {why}");
        }
        eprintln!("skipped: the three-node suite needs {why}");
        return;
    }
    let cluster = Cluster::start();
    let admin = cluster.first_admin();

    a_write_on_one_node_is_read_on_the_others(&cluster, &admin);
    votes_and_their_limit_are_counted_once_for_the_site(&cluster, &admin);
    timed_work_runs_once(&cluster, &admin);
    media_is_shared_through_object_storage(&cluster, &admin);
    losing_the_replica_fails_no_request(&cluster, &admin);
}

/// A fresh bucket on the S3-compatible server `KIOSQUE_NODES_S3_URL` names
/// (moto in CI); required with `KIOSQUE_NODES_REQUIRED=1`.
fn shared_bucket() -> Option<(String, String)> {
    let Ok(url) = std::env::var("KIOSQUE_NODES_S3_URL") else {
        assert!(
            std::env::var("KIOSQUE_NODES_REQUIRED").as_deref() != Ok("1"),
            "KIOSQUE_NODES_S3_URL names no S3-compatible server for the nodes' media"
        );
        return None;
    };
    let url = url.trim_end_matches('/').to_string();
    let bucket = format!("kiosque-nodes-{}", std::process::id());
    let res = ureq::put(&format!("{url}/{bucket}")).send_empty();
    assert!(res.is_ok(), "no bucket on {url}: {res:?}");
    Some((url, bucket))
}

fn missing_prerequisite() -> Option<String> {
    if !Path::new(PG_BIN).join("initdb").exists() {
        return Some(format!("PostgreSQL 15 in {PG_BIN}"));
    }
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some("root (to run PostgreSQL as the postgres user)".into());
    }
    None
}

// ---------------------------------------------------------------- the stories

fn a_write_on_one_node_is_read_on_the_others(c: &Cluster, admin: &str) {
    let made = c.node(0).post(
        "/api/v1/articles",
        Some(admin),
        json!({"title": "La crue de la Loire", "status": "published"}),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let article = made.json();
    let path = format!("/api/v1/articles/{}", article["slug"].as_str().unwrap());

    // a signed-in reader sees it at once on every node (their reads go to the primary)
    for n in 1..3 {
        let r = c.node(n).get(&path, Some(admin));
        assert_eq!(r.status, 200, "node {n} right after the write: {}", r.text);
    }
    // anonymous readers see it everywhere within a moment, and from then on always
    for n in 0..3 {
        c.node(n).eventually(&path, |r| r.status == 200);
        for _ in 0..30 {
            assert_eq!(
                c.node(n).get(&path, None).status,
                200,
                "node {n} forgot the article"
            );
        }
    }

    // an edit made on another node replaces the old title everywhere, for good
    let id = article["id"].as_str().unwrap();
    let edit = c.node(1).patch(
        &format!("/api/v1/articles/{id}"),
        Some(admin),
        json!({"title": "La crue de la Loire recule"}),
    );
    assert_eq!(edit.status, 200, "{}", edit.text);
    let new_title = |r: &Resp| r.status == 200 && r.json()["title"] == "La crue de la Loire recule";
    for n in [0, 2] {
        assert!(
            new_title(&c.node(n).get(&path, Some(admin))),
            "node {n} shows a signed-in editor the old title"
        );
        c.node(n).eventually(&path, new_title);
        for _ in 0..30 {
            let r = c.node(n).get(&path, None);
            assert!(
                new_title(&r),
                "node {n} went back to the old title: {}",
                r.text
            );
        }
    }
    // the replica did serve reads meanwhile (else this proved nothing about it)
    let served: u64 = (0..3)
        .map(|n| c.node(n).replica()["reads"].as_u64().unwrap())
        .sum();
    assert!(served > 0, "no read went to the replica");
}

fn votes_and_their_limit_are_counted_once_for_the_site(c: &Cluster, admin: &str) {
    let closes = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let made = c.node(0).post(
        "/api/v1/polls",
        Some(admin),
        json!({"question": "Faut-il piétonniser le centre-ville ?",
               "options": [{"label": "Oui"}, {"label": "Non"}],
               "closes_at": closes, "results_visibility": "always"}),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let poll = made.json();
    let yes = poll["options"][0]["id"].as_str().unwrap().to_string();
    let votes = format!("/api/v1/polls/{}/votes", poll["id"].as_str().unwrap());

    // new anonymous voters from one address, spread over the three nodes
    let mut accepted = 0;
    let mut limited = 0;
    for i in 0..VOTE_BURST + 3 {
        let r = c.node(i % 3).post(&votes, None, json!({"options": [yes]}));
        match r.status {
            201 => accepted += 1,
            429 => limited += 1,
            other => panic!("vote {i}: {other} {}", r.text),
        }
    }
    assert_eq!(
        (accepted, limited),
        (VOTE_BURST, 3),
        "the address's burst is the site's, not each node's"
    );
    let results = format!("/api/v1/polls/{}/results", poll["id"].as_str().unwrap());
    for n in 0..3 {
        let r = c.node(n).get(&results, Some(admin)).json();
        assert_eq!(r["total_voters"], VOTE_BURST, "node {n}: {r}");
        assert_eq!(r["options"][0]["count"], VOTE_BURST, "node {n}: {r}");
    }
}

fn timed_work_runs_once(c: &Cluster, admin: &str) {
    let when = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let made = c.node(2).post(
        "/api/v1/articles",
        Some(admin),
        json!({"title": "Le marché de Noël ouvre", "status": "scheduled", "published_at": when}),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let article = made.json();
    let id = article["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/articles/{}", article["slug"].as_str().unwrap());
    assert_eq!(
        c.node(0).get(&path, None).status,
        404,
        "not public before its time"
    );
    for n in 0..3 {
        c.node(n).eventually(&path, |r| r.status == 200);
    }
    // every node's scheduler looked at it; one told it
    std::thread::sleep(Duration::from_millis(1_000));
    let feed = c
        .node(1)
        .get(
            "/api/v1/changes?types=article.published&limit=100",
            Some(admin),
        )
        .json();
    let told = feed["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ch| ch["resource"]["id"] == id.as_str())
        .count();
    assert_eq!(told, 1, "article.published told {told} times: {feed}");
    let leaders: Vec<usize> = (0..3)
        .filter(|&n| c.node(n).metric("kiosque_scheduler_leader") == 1.0)
        .collect();
    assert_eq!(leaders.len(), 1, "one node holds the lease: {leaders:?}");
}

/// A photo uploaded on one node is served by the others, its variants made
/// once wherever first asked: the nodes share one bucket.
fn media_is_shared_through_object_storage(c: &Cluster, admin: &str) {
    if c.s3.is_none() {
        eprintln!("media on shared storage: skipped (KIOSQUE_NODES_S3_URL unset)");
        return;
    }
    let mut png = Vec::new();
    let picture = image::RgbImage::from_fn(900, 600, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let (status, _, body) = c.node(0).send_bytes(
        "POST",
        "/api/v1/media?alt=Le+port&credit=Claire&public=true",
        Some(admin),
        ("image/png", png.clone()),
    );
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let media: Value = serde_json::from_slice(&body).unwrap();
    let id = media["id"].as_str().unwrap().to_string();

    // the original, byte for byte, from the two other nodes
    for n in [1, 2] {
        let (status, _, bytes) = c.node(n).send_bytes(
            "GET",
            &format!("/api/v1/media/{id}/file"),
            None,
            ("", vec![]),
        );
        assert_eq!(status, 200, "node {n}");
        assert!(bytes == png, "node {n} sends other bytes");
    }
    // a variant made on node 1 is the one node 2 sends
    let url = media["image"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["format"] == "webp")
        .and_then(|v| v["url"].as_str())
        .unwrap()
        .to_string();
    let (status, kind, made) = c.node(1).send_bytes("GET", &url, None, ("", vec![]));
    assert_eq!((status, kind.as_str()), (200, "image/webp"));
    let (status, _, again) = c.node(2).send_bytes("GET", &url, None, ("", vec![]));
    assert_eq!(status, 200);
    assert!(made == again, "node 2 sends another variant than node 1");
    let decoded = image::load_from_memory(&made).unwrap();
    assert!(decoded.width() <= 900);
}

fn losing_the_replica_fails_no_request(c: &Cluster, admin: &str) {
    let made = c.node(0).post(
        "/api/v1/articles",
        Some(admin),
        json!({"title": "Le pont rouvre", "status": "published"}),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let path = format!("/api/v1/articles/{}", made.json()["slug"].as_str().unwrap());
    for n in 0..3 {
        c.node(n).eventually(&path, |r| r.status == 200);
        c.node(n).eventually_replica("up");
    }

    // readers keep reading on every node throughout
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = (0..3)
        .map(|n| {
            let (node, stop, done) = (c.node(n).clone(), stop.clone(), done.clone());
            let paths = [path.clone(), "/api/v1/articles".to_string()];
            std::thread::spawn(move || {
                let mut failed = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let p = &paths[i % 2];
                    let r = node.get(p, None);
                    if r.status != 200 {
                        failed.push(format!("{p}: {} {}", r.status, r.text));
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
                failed
            })
        })
        .collect();

    std::thread::sleep(Duration::from_millis(300));
    c.pg_ctl(&c.replica_dir(), &["stop", "-m", "fast"]);
    for n in 0..3 {
        c.node(n).eventually_replica("out");
    }
    let before_restart = done.load(Ordering::Relaxed);
    // a write while the replica is away: readers see it from the primary
    let edit = c.node(1).patch(
        &path,
        Some(admin),
        json!({"lead": "Après trois mois de travaux."}),
    );
    assert_eq!(edit.status, 200, "{}", edit.text);
    std::thread::sleep(Duration::from_millis(300));
    c.start_replica();
    for n in 0..3 {
        c.node(n).eventually_replica("up");
    }
    let reads_back: Vec<u64> = (0..3)
        .map(|n| c.node(n).replica()["reads"].as_u64().unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let failed: Vec<String> = readers
        .into_iter()
        .flat_map(|t| t.join().expect("a reader thread panicked"))
        .collect();
    let total = done.load(Ordering::Relaxed);
    assert!(
        failed.is_empty(),
        "{} of {total} reads failed: {:?}",
        failed.len(),
        &failed[..failed.len().min(5)]
    );
    assert!(
        before_restart > 0 && total > before_restart,
        "readers were reading throughout ({before_restart}, {total})"
    );
    // back in the reads once it caught up
    let after: u64 = (0..3)
        .map(|n| c.node(n).replica()["reads"].as_u64().unwrap())
        .sum();
    assert!(
        after > reads_back.iter().sum::<u64>(),
        "the replica took reads again after its restart"
    );
    for n in 0..3 {
        let r = c.node(n).get(&path, None);
        assert_eq!(r.json()["lead"], "Après trois mois de travaux.", "node {n}");
    }
}

// ---------------------------------------------------------------- the cluster

struct Cluster {
    dir: PathBuf,
    nodes: Vec<Node>,
    children: Vec<Child>,
    /// The S3-compatible server and the bucket the nodes share, if any.
    s3: Option<(String, String)>,
}

impl Cluster {
    fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("kiosque-nodes-{PRIMARY_PORT}"));
        let mut cluster = Cluster {
            dir,
            nodes: Vec::new(),
            children: Vec::new(),
            s3: shared_bucket(),
        };
        // what a previous run left (killed before its clean-up): gone first
        cluster.clean_up();
        std::fs::create_dir_all(&cluster.dir).unwrap();
        sh(
            "chown",
            &["postgres:postgres", cluster.dir.to_str().unwrap()],
        );

        let primary = cluster.primary_dir();
        cluster.as_postgres(
            "initdb",
            &[
                "-D",
                primary.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let conf = format!(
            "listen_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
             wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n\
             fsync = off\nsynchronous_commit = on\nfull_page_writes = off\n\
             max_connections = 100\nshared_buffers = 32MB\n",
            cluster.dir.display()
        );
        append(&primary.join("postgresql.conf"), &conf);
        append(
            &primary.join("pg_hba.conf"),
            "host replication postgres 127.0.0.1/32 trust\n",
        );
        cluster.pg_ctl(
            &primary,
            &["start", "-w", "-o", &format!("-p {PRIMARY_PORT}")],
        );
        cluster.as_postgres(
            "psql",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &PRIMARY_PORT.to_string(),
                "-U",
                "postgres",
                "-qc",
                "CREATE DATABASE kiosque",
            ],
        );
        let replica = cluster.replica_dir();
        cluster.as_postgres(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &PRIMARY_PORT.to_string(),
                "-U",
                "postgres",
                "-D",
                replica.to_str().unwrap(),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
        );
        cluster.start_replica();

        // the first node migrates the database; the others start on it
        for (i, port) in NODE_PORTS.iter().enumerate() {
            let child = cluster.spawn_node(i, *port);
            let mut pids = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(pid_file())
                .unwrap();
            writeln!(pids, "{}", child.id()).unwrap();
            cluster.children.push(child);
            let node = Node::new(*port);
            node.wait_ready();
            cluster.nodes.push(node);
        }
        cluster
    }

    fn primary_dir(&self) -> PathBuf {
        self.dir.join("primary")
    }

    fn replica_dir(&self) -> PathBuf {
        self.dir.join("replica")
    }

    fn start_replica(&self) {
        self.pg_ctl(
            &self.replica_dir(),
            &["start", "-w", "-o", &format!("-p {REPLICA_PORT}")],
        );
    }

    fn node(&self, n: usize) -> &Node {
        &self.nodes[n]
    }

    fn spawn_node(&self, i: usize, port: u16) -> Child {
        let data = self.dir.join(format!("node{i}"));
        std::fs::create_dir_all(&data).unwrap();
        let log = std::fs::File::create(self.dir.join(format!("node{i}.log"))).unwrap();
        Command::new(env!("CARGO_BIN_EXE_kiosque"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("KIOSQUE_ENV", "test")
            .env("KIOSQUE_ADDR", format!("127.0.0.1:{port}"))
            .env("KIOSQUE_WORKERS", "1")
            .env("KIOSQUE_DATA_DIR", &data)
            .env(
                "DATABASE_URL",
                format!("postgres://postgres@127.0.0.1:{PRIMARY_PORT}/kiosque"),
            )
            .env(
                "KIOSQUE_DATABASE_REPLICA_URLS",
                format!("postgres://postgres@127.0.0.1:{REPLICA_PORT}/kiosque"),
            )
            .env("KIOSQUE_REPLICA_CHECK_MS", "100")
            .env("KIOSQUE_REPLICA_MAX_LAG_MS", "1000")
            .env("KIOSQUE_DB_POOL_SIZE", "4")
            .env(
                "KIOSQUE_JWT_SECRET",
                "three-nodes-share-this-secret-0123456789",
            )
            .env("KIOSQUE_ARGON2_MEMORY_KIB", "64")
            .env("KIOSQUE_ARGON2_ITERATIONS", "1")
            .env("KIOSQUE_RATE_LIMIT_STORE", "database")
            .env("KIOSQUE_POLL_VOTES_PER_HOUR_PER_IP", "1")
            .env("KIOSQUE_POLL_VOTES_BURST", VOTE_BURST.to_string())
            .env("KIOSQUE_SCHEDULER", "true")
            .env("KIOSQUE_SCHEDULER_TICK_MS", "200")
            .env("KIOSQUE_LOG", "warn")
            .envs(self.storage())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the kiosque binary starts")
    }

    /// The media storage settings: the shared bucket when there is one.
    fn storage(&self) -> Vec<(&'static str, String)> {
        let Some((url, bucket)) = &self.s3 else {
            return Vec::new();
        };
        vec![
            ("KIOSQUE_MEDIA_STORAGE", "s3".into()),
            ("KIOSQUE_S3_ENDPOINT", url.clone()),
            ("KIOSQUE_S3_BUCKET", bucket.clone()),
            ("KIOSQUE_S3_REGION", "us-east-1".into()),
            ("KIOSQUE_S3_ACCESS_KEY_ID", "testing".into()),
            ("KIOSQUE_S3_SECRET_ACCESS_KEY", "testing".into()),
            ("KIOSQUE_S3_ALLOW_HTTP", "true".into()),
        ]
    }

    /// `kiosque create-user` for the site's first admin, then a sign-in.
    fn first_admin(&self) -> String {
        let email = "redaction@example.org";
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiosque"))
            .args([
                "create-user",
                "--email",
                email,
                "--role",
                "admin",
                "--name",
                "Rédaction",
            ])
            .env("KIOSQUE_ENV", "test")
            .env("KIOSQUE_DATA_DIR", self.dir.join("node0"))
            .env(
                "DATABASE_URL",
                format!("postgres://postgres@127.0.0.1:{PRIMARY_PORT}/kiosque"),
            )
            .env("KIOSQUE_ARGON2_MEMORY_KIB", "64")
            .env("KIOSQUE_ARGON2_ITERATIONS", "1")
            .env(
                "KIOSQUE_JWT_SECRET",
                "three-nodes-share-this-secret-0123456789",
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "create-user: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = self.node(2).post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": PASSWORD}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()["access_token"].as_str().unwrap().to_string()
    }

    fn as_postgres(&self, tool: &str, args: &[&str]) {
        let bin = format!("{PG_BIN}/{tool}");
        let mut all = vec!["-u", "postgres", "--", bin.as_str()];
        all.extend_from_slice(args);
        sh("runuser", &all);
    }

    fn pg_ctl(&self, data: &Path, args: &[&str]) {
        let log = self.dir.join(format!(
            "{}.log",
            data.file_name().unwrap().to_string_lossy()
        ));
        let mut all = vec!["-D", data.to_str().unwrap(), "-l", log.to_str().unwrap()];
        all.extend_from_slice(args);
        self.as_postgres("pg_ctl", &all);
    }

    /// Stops what this suite started (its nodes, its servers) and removes its folder.
    fn clean_up(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.children.clear();
        for data in [self.replica_dir(), self.primary_dir()] {
            if data.join("postmaster.pid").exists() {
                let _ = Command::new("runuser")
                    .args(["-u", "postgres", "--", &format!("{PG_BIN}/pg_ctl"), "-D"])
                    .arg(&data)
                    .args(["stop", "-m", "immediate", "-w"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
        }
        // nodes a killed run left behind, known by the pids it wrote down
        if let Ok(pids) = std::fs::read_to_string(pid_file()) {
            for pid in pids.split_whitespace() {
                let cmdline =
                    std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                if cmdline.contains("kiosque") && cmdline.contains("serve") {
                    let _ = Command::new("kill").arg(pid).status();
                }
            }
            let _ = std::fs::remove_file(pid_file());
        }
        if self.dir.exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for i in 0..NODE_PORTS.len() {
                let log = self.dir.join(format!("node{i}.log"));
                if let Ok(text) = std::fs::read_to_string(&log) {
                    let tail: Vec<&str> = text.lines().rev().take(15).collect();
                    eprintln!(
                        "--- node{i}.log (last lines, newest first)\n{}",
                        tail.join("\n")
                    );
                }
            }
        }
        self.clean_up();
    }
}

/// Where the pids of the nodes this suite started are written down (out of
/// its folder, which `initdb` wants for itself).
fn pid_file() -> PathBuf {
    std::env::temp_dir().join(format!("kiosque-nodes-{PRIMARY_PORT}.pids"))
}

fn sh(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn append(file: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(file).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

// ---------------------------------------------------------------- one node over HTTP

#[derive(Clone)]
struct Node {
    base: String,
    agent: ureq::Agent,
}

struct Resp {
    status: u16,
    text: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

impl Node {
    fn new(port: u16) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        Node {
            base: format!("http://127.0.0.1:{port}"),
            agent,
        }
    }

    fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Resp {
        let mut b = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(t) = token {
            b = b.header("Authorization", format!("Bearer {t}"));
        }
        let body = match body {
            Some(v) => {
                b = b.header("Content-Type", "application/json");
                v.to_string()
            }
            None => String::new(),
        };
        match self.agent.run(b.body(body).unwrap()) {
            Ok(mut r) => Resp {
                status: r.status().as_u16(),
                text: r.body_mut().read_to_string().unwrap_or_default(),
            },
            Err(e) => Resp {
                status: 0,
                text: e.to_string(),
            },
        }
    }

    /// A request with a raw body (`("", vec![])`: none); the status, the
    /// answer's type and its bytes.
    fn send_bytes(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        (content_type, body): (&str, Vec<u8>),
    ) -> (u16, String, Vec<u8>) {
        let mut b = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(t) = token {
            b = b.header("Authorization", format!("Bearer {t}"));
        }
        if !content_type.is_empty() {
            b = b.header("Content-Type", content_type);
        }
        let mut r = self
            .agent
            .run(b.body(body).unwrap())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let kind = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = r
            .body_mut()
            .with_config()
            .limit(50 << 20)
            .read_to_vec()
            .unwrap_or_default();
        (r.status().as_u16(), kind, bytes)
    }

    fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send("GET", path, token, None)
    }

    fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send("POST", path, token, Some(body))
    }

    fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send("PATCH", path, token, Some(body))
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.get("/readyz", None).status == 200 {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{} never became ready", self.base);
    }

    /// Reads `path` anonymously until `ok` holds (5 s at most).
    #[track_caller]
    fn eventually(&self, path: &str, ok: impl Fn(&Resp) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let r = self.get(path, None);
            if ok(&r) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{}{path} still answers {} {}",
                self.base,
                r.status,
                r.text
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The replica as this node's `/readyz` shows it.
    fn replica(&self) -> Value {
        let r = self.get("/readyz", None);
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()["replicas"][0].clone()
    }

    #[track_caller]
    fn eventually_replica(&self, state: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let r = self.replica();
            if r["state"] == state {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{}: the replica stays {r}",
                self.base
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn metric(&self, name: &str) -> f64 {
        let text = self.get("/metrics", None).text;
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("{} has no {name}", self.base))
    }
}
