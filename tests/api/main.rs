//! The integration suite: one binary, a file per resource, every test run on
//! SQLite and (with KIOSQUE_TEST_POSTGRES_URL) on PostgreSQL.

mod helpers;

mod api_keys;
mod articles;
mod audit;
mod auth;
mod authorization;
mod comment_edits;
mod comments;
mod events;
mod foundation;
mod jobs;
mod lifecycle;
mod openapi;
mod polls;
mod sections;
mod signin_limits;
mod tags;
mod users;
