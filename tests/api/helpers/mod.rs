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
//! configuration first.

mod app;
mod builders;
pub mod contract;
mod matrix;

pub use app::*;
pub use builders::*;
pub use matrix::*;

use kiosque::config::{Backend, Config};

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
