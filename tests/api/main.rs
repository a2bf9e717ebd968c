//! The integration suite: one binary, a file or folder per resource (folders
//! shaped like URLs, a file per subject), every test run on SQLite and (with
//! KIOSQUE_TEST_POSTGRES_URL) on PostgreSQL. The shared harness and its
//! builders are in `helpers/`; `schema.rs` checks `src/db/schema.rs`
//! against the migrations.

mod helpers;

mod api_keys;
mod articles;
mod audit;
mod auth;
mod authorization;
mod backup;
mod cache;
mod change_stream;
mod changes;
mod comment_edits;
mod comments;
mod contract;
mod delta_sync;
mod drills;
mod edge_input;
mod events;
mod faults;
mod feeds;
mod foundation;
mod jobs;
mod jsonld_safety;
mod languages;
mod lifecycle;
mod media;
mod media_content;
mod member_rights;
mod members;
mod openapi;
mod paths;
mod polls;
mod replicas;
mod schema;
mod sections;
mod shaping;
mod signin_limits;
mod sitemaps;
mod tags;
mod timed;
mod transfer;
mod transfer_site;
mod users;
mod walks;
mod weather;
mod webhooks;
