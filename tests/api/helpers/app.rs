//! The app under test: each test gets its own database (a fresh SQLite file,
//! or a PostgreSQL database cloned from a migrated template) and its own
//! server on a random loopback port, and talks to it over HTTP like any client.

use std::collections::{BTreeSet, HashMap};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::{HttpServer, web};
use diesel::prelude::*;
use kiosque::config::{Backend, Config, DatabaseUrl};
use kiosque::state::AppState;

use super::builders::TestUser;
use serde_json::Value;

pub(crate) static COUNTER: AtomicU64 = AtomicU64::new(0);

pub(crate) fn unique_name() -> String {
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    )
}

enum TestDb {
    Sqlite(PathBuf),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Another server's database: left to it.
    Shared,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin_url, name } => {
                if let Ok(mut conn) = PgConnection::establish(admin_url) {
                    let _ = diesel::sql_query(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    ))
                    .execute(&mut conn);
                }
            }
            TestDb::Shared => {}
        }
    }
}

fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..host_end])
}

/// A migrated PostgreSQL database to copy, one per version of the migrations.
fn postgres_template(admin_url: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut entries: Vec<_> = walk(&dir);
    entries.sort();
    for path in entries {
        path.to_string_lossy().hash(&mut hasher);
        std::fs::read(&path).unwrap().hash(&mut hasher);
    }
    let template = format!("kiosque_tpl_{:016x}", hasher.finish());
    let mut admin = PgConnection::establish(admin_url)
        .expect("KIOSQUE_TEST_POSTGRES_URL must reach PostgreSQL");
    diesel::sql_query("SELECT pg_advisory_lock(727274)")
        .execute(&mut admin)
        .unwrap();
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let existing: Vec<Name> =
        diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'kiosque_tpl_%'")
            .load(&mut admin)
            .unwrap();
    if !existing.iter().any(|n| n.datname == template) {
        // templates of other migration sets are left alone: another checkout may use them
        diesel::sql_query(format!("CREATE DATABASE \"{template}\""))
            .execute(&mut admin)
            .unwrap();
        let url = DatabaseUrl::parse(&with_database(admin_url, &template)).unwrap();
        kiosque::db::migrate(&url).expect("migrations apply to a fresh PostgreSQL database");
    }
    diesel::sql_query("SELECT pg_advisory_unlock(727274)")
        .execute(&mut admin)
        .unwrap();
    template
}

fn walk(dir: &PathBuf) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Serves `state` on a random loopback port from its own thread.
fn serve(
    state: &web::Data<AppState>,
) -> (
    String,
    actix_web::rt::System,
    actix_web::dev::ServerHandle,
    ureq::Agent,
) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    let server_state = state.clone();
    std::thread::spawn(move || {
        let system = actix_web::rt::System::new();
        system.block_on(async move {
            kiosque::start_background(&server_state);
            let server = HttpServer::new(move || kiosque::routes::app(server_state.clone()))
                .workers(1)
                .disable_signals()
                .listen(listener)
                .unwrap()
                .run();
            tx.send((actix_web::rt::System::current(), server.handle()))
                .unwrap();
            let _ = server.await;
        });
    });
    let (system, server) = rx.recv().unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    (format!("http://127.0.0.1:{port}"), system, server, agent)
}

pub struct TestApp {
    pub base: String,
    pub state: web::Data<AppState>,
    agent: ureq::Agent,
    server: actix_web::dev::ServerHandle,
    system: actix_web::rt::System,
    /// The database URL as an operator would write it (for the real binary).
    pub(crate) db_url: String,
    /// The site's first admin, made with `kiosque create-user`; it promotes
    /// the staff accounts the builders make (see `builders.rs`).
    pub(crate) root: Arc<Mutex<Option<TestUser>>>,
    pub(crate) data_dir: PathBuf,
    /// The operations of the document this app's answers belonged to.
    pub(crate) exercised: Arc<Mutex<BTreeSet<String>>>,
    _db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.server.clone();
        // stop accepting, then end the server's thread; the database goes last
        std::mem::drop(handle.stop(false));
        self.system.stop();
    }
}

impl TestApp {
    pub fn spawn(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let data_dir = std::env::temp_dir().join(format!("kiosque-test-{}", unique_name()));
        std::fs::create_dir_all(&data_dir).unwrap();
        let (db, url) = match backend {
            Backend::Sqlite => {
                let path = data_dir.join("test.db");
                (
                    TestDb::Sqlite(data_dir.clone()),
                    format!("sqlite://{}", path.display()),
                )
            }
            Backend::Postgres => {
                let admin_url = match std::env::var("KIOSQUE_TEST_POSTGRES_URL") {
                    Ok(u) if !u.is_empty() => u,
                    _ => {
                        if std::env::var("KIOSQUE_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                            panic!(
                                "KIOSQUE_TEST_REQUIRE_POSTGRES=1 but KIOSQUE_TEST_POSTGRES_URL is unset"
                            );
                        }
                        let _ = std::fs::remove_dir_all(&data_dir);
                        return None;
                    }
                };
                let template = postgres_template(&admin_url);
                let name = format!("kiosque_test_{}", unique_name());
                let mut admin = PgConnection::establish(&admin_url).unwrap();
                diesel::sql_query(format!(
                    "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
                ))
                .execute(&mut admin)
                .unwrap();
                let url = with_database(&admin_url, &name);
                (TestDb::Postgres { admin_url, name }, url)
            }
        };
        let db_url = url;
        let url = DatabaseUrl::parse(&db_url).unwrap();
        kiosque::db::migrate(&url).expect("migrations apply");
        let mut config = Config::for_tests(url, data_dir.clone());
        tweak(&mut config);
        let state = web::Data::new(AppState::new(config));

        let (base, system, server, agent) = serve(&state);
        Some(TestApp {
            base,
            state,
            agent,
            server,
            system,
            db_url,
            root: Arc::default(),
            data_dir,
            exercised: Arc::default(),
            _db: db,
        })
    }

    /// A second Kiosque server (its own state, pool and limits) serving the
    /// same database, as another process would; the database stays `self`'s.
    /// (Its clock is its own.)
    pub fn spawn_sibling(&self) -> TestApp {
        let state = web::Data::new(AppState::new(self.state.config.clone()));
        let (base, system, server, agent) = serve(&state);
        TestApp {
            base,
            state,
            agent,
            server,
            system,
            db_url: self.db_url.clone(),
            root: self.root.clone(),
            data_dir: self.data_dir.clone(),
            exercised: self.exercised.clone(),
            _db: TestDb::Shared,
        }
    }

    /// Like [`TestApp::spawn_sibling`], its configuration changed by `tweak`
    /// (say, a node that runs timed work while this one does not).
    pub fn spawn_sibling_with(&self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = self.state.config.clone();
        tweak(&mut config);
        let state = web::Data::new(AppState::new(config));
        let (base, system, server, agent) = serve(&state);
        TestApp {
            base,
            state,
            agent,
            server,
            system,
            db_url: self.db_url.clone(),
            root: self.root.clone(),
            data_dir: self.data_dir.clone(),
            exercised: self.exercised.clone(),
            _db: TestDb::Shared,
        }
    }

    pub fn backend(&self) -> Backend {
        self.state.db.backend()
    }

    /// The keys of every blob in the app's store, whichever it is.
    pub fn blob_keys(&self) -> Vec<String> {
        let store = self.state.blobs.clone();
        let listed = actix_web::rt::System::new()
            .block_on(async move { store.list().await })
            .expect("the blob store lists its blobs");
        listed.into_iter().map(|l| l.key).collect()
    }

    pub fn request(&self, method: &str, path: &str) -> Req<'_> {
        Req {
            app: self,
            method: method.to_string(),
            path: path.to_string(),
            headers: Vec::new(),
            body: None,
            english: true,
        }
    }
    pub fn get(&self, path: &str) -> Req<'_> {
        self.request("GET", path)
    }
    pub fn post(&self, path: &str) -> Req<'_> {
        self.request("POST", path)
    }
    pub fn patch(&self, path: &str) -> Req<'_> {
        self.request("PATCH", path)
    }
    pub fn put(&self, path: &str) -> Req<'_> {
        self.request("PUT", path)
    }
    pub fn delete(&self, path: &str) -> Req<'_> {
        self.request("DELETE", path)
    }
}

pub struct Req<'a> {
    app: &'a TestApp,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    /// The suite reads problem documents in English, as their texts are
    /// written: each request asks for `Accept-Language: en` unless it names
    /// its own language or none (`no_language`); French, the API's default,
    /// is tested in `languages.rs`.
    english: bool,
}

impl<'a> Req<'a> {
    /// Sends no `Accept-Language` at all.
    pub fn no_language(mut self) -> Self {
        self.english = false;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn json(self, value: &Value) -> Self {
        self.raw("application/json", serde_json::to_vec(value).unwrap())
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        if !content_type.is_empty() {
            self.headers
                .push(("Content-Type".into(), content_type.into()));
        }
        self.body = Some(body.into());
        self
    }

    pub fn send(mut self) -> Resp {
        if self.english
            && !self
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("accept-language"))
        {
            self.headers.push(("Accept-Language".into(), "en".into()));
        }
        let mut builder = ureq::http::Request::builder()
            .method(self.method.as_str())
            .uri(format!("{}{}", self.app.base, self.path));
        for (k, v) in &self.headers {
            builder = builder.header(k, v);
        }
        let request = builder.body(self.body.clone().unwrap_or_default()).unwrap();
        let mut response = self.app.agent.run(request).expect("the server answers");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_lowercase(),
                    v.to_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(50 * 1024 * 1024)
            .read_to_vec()
            .unwrap_or_default();
        let resp = Resp {
            status,
            headers,
            body,
        };
        let sent = super::contract::Sent {
            method: &self.method,
            path_and_query: &self.path,
            headers: &self.headers,
            body: self.body.as_deref(),
        };
        if let Some(operation) = super::contract::check(&sent, &resp) {
            self.app.exercised.lock().unwrap().insert(operation);
        }
        resp
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_lowercase()).map(String::as_str)
    }

    /// Asserts a problem document with this status, and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "expected {status}, got {}: {}",
            self.status,
            self.text()
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "a {status} must be a problem document"
        );
        let p = self.json();
        assert_eq!(p["status"], status);
        assert!(p["title"].is_string() && p["type"].is_string());
        assert!(
            p["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "a problem says what is wrong"
        );
        p
    }

    #[track_caller]
    pub fn ok(&self) -> Value {
        assert!(
            (200..300).contains(&self.status),
            "expected success, got {}: {}",
            self.status,
            self.text()
        );
        if self.body.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }
}
