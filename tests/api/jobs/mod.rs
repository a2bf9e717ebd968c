//! Job offers: the submission and review flow, expiry on the app clock,
//! filters and French search, JSON-LD for search engines, who may do what.
//!
//! review.rs: submission, review, expiry; listing.rs: filters, search,
//! JSON-LD; input.rs: refused and neutralised input, documented limits;
//! authorization.rs: who may write offers.

mod authorization;
mod input;
mod listing;
mod review;

use serde_json::Value;

use crate::helpers::TestApp;

/// A valid offer's body (the job builder's) with this title.
fn offer(app: &TestApp, title: &str) -> Value {
    app.job("").title(title).to_json()
}

fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

/// Creates the offer `body` through the job builder.
fn post(app: &TestApp, token: &str, body: Value) -> Value {
    app.job(token).with(body).create().json
}

fn path(job: &Value) -> String {
    format!("/api/v1/jobs/{}", job["id"].as_str().unwrap())
}

fn titles(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["title"].as_str().unwrap().to_string())
        .collect()
}

fn public_titles(app: &TestApp, query: &str) -> Vec<String> {
    titles(&app.get(&format!("/api/v1/jobs{query}")).send().ok())
}
