//! Comments: readers post and reply, a front end reads a thread in one
//! request, moderators clear the queue, and `comment_count` on the article
//! always equals the approved comments — also under concurrent posting and
//! concurrent decisions.
//!
//! threads.rs: posting, reading and nesting; moderation.rs: the queue,
//! decisions, flags, bans, filters; limits.rs: duplicates, rate limits,
//! guests; authorization.rs: who may do what.

mod authorization;
mod limits;
mod moderation;
mod threads;

use kiosque::config::{Config, ModerationMode};
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp, TestUser};

/// Pre-moderation (the default), with room for the many posts of a story
/// from one address.
fn generous(c: &mut Config) {
    c.comments_per_hour = 1_000_000;
    c.comments_burst = 1_000_000;
}

fn post_moderation(c: &mut Config) {
    generous(c);
    c.comments_moderation = ModerationMode::Post;
}

/// A published article, through the API; its id.
fn article(app: &TestApp, editor: &TestUser) -> String {
    app.article(editor)
        .title("Le marché couvert rouvre")
        .published()
        .id()
        .to_string()
}

fn comments_path(article: &str) -> String {
    format!("/api/v1/articles/{article}/comments")
}

/// Posts `body` (merged into a valid comment) and returns the answer.
fn post(app: &TestApp, token: &str, article: &str, body: Value) -> Resp {
    app.comment(token, article).with(body).send()
}

/// Posts `text` and returns the comment.
fn say(app: &TestApp, token: &str, article: &str, text: &str) -> Value {
    app.comment(token, article).body(text).create().json
}

fn reply(app: &TestApp, token: &str, article: &str, parent: &Value, text: &str) -> Value {
    app.comment(token, article)
        .body(text)
        .reply_to(parent)
        .create()
        .json
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

fn comment_count(app: &TestApp, article: &str) -> i64 {
    app.get(&format!("/api/v1/articles/{article}")).send().ok()["comment_count"]
        .as_i64()
        .unwrap()
}

/// Approved comments of the article, as moderators count them.
fn approved_total(app: &TestApp, token: &str, article: &str) -> i64 {
    app.get(&format!(
        "/api/v1/comments?status=approved&article={article}&limit=1"
    ))
    .bearer(token)
    .send()
    .ok()["meta"]["total"]
        .as_i64()
        .unwrap()
}

fn thread(app: &TestApp, article: &str) -> Value {
    app.get(&comments_path(article)).send().ok()
}

fn decide(app: &TestApp, token: &str, comment: &Value, status: &str) -> Resp {
    app.patch(&format!("/api/v1/comments/{}", id(comment)))
        .bearer(token)
        .json(&json!({"status": status}))
        .send()
}
