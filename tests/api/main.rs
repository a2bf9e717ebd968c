//! The integration suite: one binary, a file per resource, every test run on
//! SQLite and (with KIOSQUE_TEST_POSTGRES_URL) on PostgreSQL.

mod helpers;

mod api_keys;
mod auth;
mod authorization;
mod foundation;
mod openapi;
mod sections;
mod tags;
mod users;
