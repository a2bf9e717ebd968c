//! The test harness, shared by every file of the suite.
//!
//! - `app`: [`TestApp`] (a fresh database and server per test), requests
//!   ([`Req`]) and answers ([`Resp`], with `ok()` and `problem(status)`).
//! - `builders`: everything a test needs made, made through the API and
//!   returned as [`Made`] (the JSON, plus `id()`, `slug()`, `path()`):
//!   - accounts: `app.user(Role::Editor)`, or `app.admin()`, `app.editor()`,
//!     `app.author()`, `app.member()` ([`TestUser`]); `app.api_key(&scopes)`
//!     (the secret) or `app.key(&admin).scopes(&[…]).create()`;
//!   - `app.section(&who)`, `app.tag(&who)`;
//!   - `app.article(&who)` with `.title()`, `.section(&s)`, `.tags(&[&t])`,
//!     `.authors(&[&u])`, `.set(field, value)`, `.with(json!{…})`, ended by
//!     `.create()` (the server's default status for the caller),
//!     `.published()`, `.draft()` or `.scheduled(at)`;
//!   - `app.comment(&who, &article)` (`.body()`, `.reply_to(&parent)`);
//!   - `app.job(&who)`, `app.event(&who)` (`.starts_in(offset, hours)`),
//!     `app.poll(&who)` (`.article(&a)`), with a valid body by default;
//!   - `.send()` instead of an ending posts the body and returns the raw
//!     answer, for tests of refusals.
//!   - `who` is a [`TestUser`] or an API key's secret (anything [`Bearer`]);
//!   - `at(app, offset)` is the app's clock moved, in RFC 3339;
//!   - `app.command(&args, stdin)` runs the real `kiosque` binary on the
//!     test's database (the first admin comes from `kiosque create-user`).
//! - `matrix`: [`Matrix`], the one caller × action → status harness of every
//!   authorization test; it re-reads the target of each refused write and
//!   checks that nothing changed.
//!
//! - `contract`: every answer `Req::send` receives is checked against the
//!   OpenAPI document (status, headers, body; and, on success, the request's
//!   body and query), so the document cannot drift from the server.
//!
//! `db_tests!(a, b)` declares each test function twice, `a::sqlite` and
//! `a::postgres`; `db_tests!(config = tweak; a, b)` changes the
//! configuration first. `media_tests!` declares them four times: each
//! database with the local disk, and with S3-compatible storage (a fresh
//! bucket per test on the server `KIOSQUE_TEST_S3_URL` names, e.g. moto).

mod app;
mod builders;
pub mod contract;
mod matrix;

pub use app::*;
pub use builders::*;
pub use matrix::*;

use kiosque::config::{Backend, Config, S3Settings, Storage};

/// Every account the builders make has this password.
pub const PASSWORD: &str = "Tr0mpette-du-Lundi";

/// Runs `test` against `backend`; on PostgreSQL only when
/// `KIOSQUE_TEST_POSTGRES_URL` is set (and then it must work).
pub fn run(backend: Backend, test: fn(&TestApp)) {
    run_with(backend, |_| {}, test)
}

pub fn run_with(backend: Backend, tweak: impl FnOnce(&mut Config), test: fn(&TestApp)) {
    match TestApp::spawn(backend, tweak) {
        Some(app) => test(&app),
        None => eprintln!("skipped: set KIOSQUE_TEST_POSTGRES_URL to run on PostgreSQL"),
    }
}

/// Where a test's media blobs live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Local,
    S3,
}

/// The S3-compatible test server, if one is named (and then it must work);
/// with `KIOSQUE_TEST_REQUIRE_S3=1`, one must be named.
pub fn s3_url() -> Option<String> {
    match std::env::var("KIOSQUE_TEST_S3_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u.trim().trim_end_matches('/').to_string()),
        _ => {
            if std::env::var("KIOSQUE_TEST_REQUIRE_S3").is_ok_and(|v| v == "1") {
                panic!("KIOSQUE_TEST_REQUIRE_S3=1 but KIOSQUE_TEST_S3_URL is unset");
            }
            None
        }
    }
}

/// A new, empty bucket on the test server.
pub fn fresh_bucket(url: &str) -> String {
    let name = format!("kiosque-{}", app::unique_name().replace('_', "-"));
    // moto (like MinIO in its default setup) takes an unsigned bucket creation
    let res = ureq::put(&format!("{url}/{name}")).send_empty();
    assert!(
        res.is_ok(),
        "the S3 test server at {url} could not make a bucket: {res:?}"
    );
    // anyone reads its objects, as from a site's public bucket behind a CDN
    // (the public base URL tests read the bytes straight from it)
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": format!("arn:aws:s3:::{name}/*"),
        }],
    });
    let res = ureq::put(&format!("{url}/{name}?policy"))
        .header("Content-Type", "application/json")
        .send(policy.to_string());
    assert!(
        res.is_ok(),
        "the S3 test server at {url} took no bucket policy: {res:?}"
    );
    name
}

/// Keeps the configuration as it is.
pub fn unchanged(_: &mut Config) {}

/// Runs `test` on `backend` with its blobs in `store` (skipped, saying so,
/// when that database or S3 server is not named).
pub fn run_stored(
    backend: Backend,
    store: Store,
    tweak: impl FnOnce(&mut Config),
    test: fn(&TestApp),
) {
    match store {
        Store::Local => run_with(backend, tweak, test),
        Store::S3 => {
            let Some(url) = s3_url() else {
                eprintln!("skipped: set KIOSQUE_TEST_S3_URL to run on S3-compatible storage");
                return;
            };
            let bucket = fresh_bucket(&url);
            run_with(
                backend,
                |c| {
                    tweak(c);
                    c.media.storage = Storage::S3(S3Settings::for_tests(&url, &bucket));
                },
                test,
            )
        }
    }
}

/// Declares each named test function four times: `name::sqlite`,
/// `name::postgres` (local disk), `name::sqlite_s3`, `name::postgres_s3`.
/// `media_tests!(config = tweak; a, b)` applies `tweak` first.
#[macro_export]
macro_rules! media_tests {
    (config = $tweak:ident; $($name:ident),* $(,)?) => {
        $crate::media_tests!(@with super::$tweak; $($name),*);
    };
    (@with $tweak:expr; $($name:ident),* $(,)?) => {$(
        mod $name {
            use kiosque::config::Backend;
            use $crate::helpers::{Store, run_stored};
            #[test]
            fn sqlite() {
                run_stored(Backend::Sqlite, Store::Local, $tweak, super::$name)
            }
            #[test]
            #[cfg_attr(not(kiosque_pg), ignore = "set KIOSQUE_TEST_POSTGRES_URL to run on PostgreSQL")]
            fn postgres() {
                run_stored(Backend::Postgres, Store::Local, $tweak, super::$name)
            }
            #[test]
            #[cfg_attr(not(kiosque_s3), ignore = "set KIOSQUE_TEST_S3_URL to run on S3")]
            fn sqlite_s3() {
                run_stored(Backend::Sqlite, Store::S3, $tweak, super::$name)
            }
            #[test]
            #[cfg_attr(
                not(all(kiosque_pg, kiosque_s3)),
                ignore = "set KIOSQUE_TEST_POSTGRES_URL and KIOSQUE_TEST_S3_URL to run on PostgreSQL and S3"
            )]
            fn postgres_s3() {
                run_stored(Backend::Postgres, Store::S3, $tweak, super::$name)
            }
        }
    )*};
    ($($name:ident),* $(,)?) => {
        $crate::media_tests!(@with $crate::helpers::unchanged; $($name),*);
    };
}

/// Declares each named test function twice: `name::sqlite` and `name::postgres`.
/// `db_tests!(config = tweak; a, b)` applies `tweak` to the configuration first.
#[macro_export]
macro_rules! db_tests {
    (config = $tweak:ident; $($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                $crate::helpers::run_with(kiosque::config::Backend::Sqlite, super::$tweak, super::$name)
            }
            #[test]
            #[cfg_attr(not(kiosque_pg), ignore = "set KIOSQUE_TEST_POSTGRES_URL to run on PostgreSQL")]
            fn postgres() {
                $crate::helpers::run_with(kiosque::config::Backend::Postgres, super::$tweak, super::$name)
            }
        }
    )*};
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                $crate::helpers::run(kiosque::config::Backend::Sqlite, super::$name)
            }
            #[test]
            #[cfg_attr(not(kiosque_pg), ignore = "set KIOSQUE_TEST_POSTGRES_URL to run on PostgreSQL")]
            fn postgres() {
                $crate::helpers::run(kiosque::config::Backend::Postgres, super::$name)
            }
        }
    )*};
}
