//! Events: submission and review, the agenda's default and filters, past
//! events kept readable, iCalendar output that calendars can import.
//!
//! review.rs: submission and review; agenda.rs: the list and its filters;
//! ical.rs: iCalendar export; input.rs: refused input and documented limits;
//! authorization.rs: who may write events.

mod agenda;
mod authorization;
mod ical;
mod input;
mod review;

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// A valid event's body (the event builder's): `title`, starting
/// `starts_in` from the app's clock, lasting `hours`.
fn event(title: &str, app: &TestApp, starts_in: Duration, hours: i64) -> Value {
    app.event("")
        .title(title)
        .starts_in(starts_in, hours)
        .to_json()
}

fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

/// Creates the event `body` through the event builder.
fn post(app: &TestApp, token: &str, body: Value) -> Value {
    app.event(token).with(body).create().json
}

fn publish(app: &TestApp, token: &str, body: Value) -> Value {
    post(app, token, with(body, json!({"status": "published"})))
}

fn path(e: &Value) -> String {
    format!("/api/v1/events/{}", e["id"].as_str().unwrap())
}

fn titles(app: &TestApp, query: &str) -> Vec<String> {
    app.get(&format!("/api/v1/events{query}")).send().ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_string())
        .collect()
}
