//! Polls: editors run them, readers vote once each, and the numbers shown are
//! exactly the votes cast — also with hundreds of voters at once, on one or
//! two servers sharing the database.
//!
//! manage.rs: editors' side; votes.rs: casting and changing votes;
//! results.rs: anonymous voters' tokens and who sees the results;
//! concurrency.rs: a crowd on two servers.

mod concurrency;
mod manage;
mod results;
mod votes;

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp};

fn in_days(app: &TestApp, days: i64) -> String {
    (app.state.clock.now_utc() + Duration::days(days)).to_rfc3339()
}

/// A valid poll's body (the poll builder's) with the fields of `extra`.
fn poll_body(app: &TestApp, extra: Value) -> Value {
    app.poll("").with(extra).to_json()
}

/// Creates a poll through the poll builder.
fn create(app: &TestApp, token: &str, extra: Value) -> Value {
    app.poll(token).with(extra).create().json
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

fn option_ids(poll: &Value) -> Vec<String> {
    poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

fn votes_path(poll: &Value) -> String {
    format!("/api/v1/polls/{}/votes", id(poll))
}

fn vote(app: &TestApp, poll: &Value, token: Option<&str>, options: &[&str]) -> Resp {
    let mut req = app.post(&votes_path(poll));
    if let Some(t) = token {
        req = req.bearer(t);
    }
    req.json(&json!({ "options": options })).send()
}

fn anon_vote(app: &TestApp, poll: &Value, voter_token: &str, options: &[&str]) -> Resp {
    app.post(&votes_path(poll))
        .header("X-Voter-Token", voter_token)
        .json(&json!({ "options": options }))
        .send()
}

/// (per-option counts in display order, total voters), as an editor reads them.
fn counts(app: &TestApp, poll: &Value, editor: &str) -> (Vec<i64>, i64) {
    let r = app
        .get(&format!("/api/v1/polls/{}/results", id(poll)))
        .bearer(editor)
        .send()
        .ok();
    assert_eq!(r["visible"], true, "editors always see results");
    let c = r["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["count"].as_i64().unwrap())
        .collect();
    (c, r["total_voters"].as_i64().unwrap())
}
