//! Webhooks (issue 11): endpoints managed by admins, deliveries signed per
//! Standard Webhooks 1.0 (checked with the reference library), retries with
//! backoff driven by the app clock, endpoints switched off when gone or
//! failing, order per resource, no SSRF, and exactly once across real
//! processes. Deliveries go to a receiver in the test process
//! (`receiver.rs`).

mod admin;
mod delivery;
mod failures;
mod nodes;
mod receiver;

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use kiosque::config::{Cidr, Config, parse_schedule};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::*;
use receiver::Received;

/// Loopback receivers allowed, short timeouts, retries after 10 s, 20 s, 40 s.
pub fn loopback(c: &mut Config) {
    c.outbound.allow = vec![Cidr::parse("127.0.0.0/8").unwrap()];
    c.outbound.timeout = Duration::from_millis(1_500);
    c.outbound.connect_timeout = Duration::from_millis(1_000);
    c.webhooks.retry_schedule = parse_schedule("10s,20s,40s").unwrap();
}

/// An endpoint made by `admin` for `types`: its JSON and its secret.
pub fn endpoint(app: &TestApp, admin: &TestUser, url: &str, types: &[&str]) -> (Value, String) {
    let made = app
        .post("/api/v1/webhooks")
        .bearer(&admin.token)
        .json(&json!({"url": url, "event_types": types, "description": "front"}))
        .send();
    assert_eq!(made.status, 201, "{}", made.text());
    let made = made.json();
    let secret = made["secret"].as_str().unwrap().to_string();
    (made, secret)
}

/// The endpoint's delivery log, newest first.
pub fn log(app: &TestApp, admin: &TestUser, hook: &Value) -> Vec<Value> {
    app.get(&format!(
        "/api/v1/webhooks/{}/deliveries?limit=100",
        hook["id"].as_str().unwrap()
    ))
    .bearer(&admin.token)
    .send()
    .ok()["data"]
        .as_array()
        .unwrap()
        .clone()
}

/// Polls the log (20 s at most) until `done` holds for it.
#[track_caller]
pub fn log_until(
    app: &TestApp,
    admin: &TestUser,
    hook: &Value,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let entries = log(app, admin, hook);
        if done(&entries) {
            return entries;
        }
        assert!(
            Instant::now() < deadline,
            "the delivery log never showed {what}: {entries:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether one of the request's signatures is `secret`'s (computed here,
/// independently of Kiosque's code).
pub fn signed_by(request: &Received, secret: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(
        format!(
            "{}.{}.{}",
            request.id(),
            request.header("webhook-timestamp"),
            request.body
        )
        .as_bytes(),
    );
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    request
        .header("webhook-signature")
        .split(' ')
        .any(|s| s == expected)
}

/// Publishes an article as `editor`.
pub fn publish(app: &TestApp, editor: &TestUser, title: &str) -> Made {
    app.article(editor).title(title).published()
}
