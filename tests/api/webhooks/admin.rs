//! Endpoints are an admin's: made, read, changed and deleted over the API;
//! the secret is shown at creation and rotation only; targets off limits
//! are refused; a rotation signs with both secrets for a while.

use chrono::Duration;
use serde_json::json;

use super::receiver::Receiver;
use super::*;
use crate::db_tests;

fn admins_manage_endpoints(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let body = json!({"url": "https://93.184.216.34/hook", "event_types": ["article.*"]});
    app.post("/api/v1/webhooks").json(&body).send().problem(401);
    app.post("/api/v1/webhooks")
        .bearer(&editor.token)
        .json(&body)
        .send()
        .problem(403);
    app.get("/api/v1/webhooks")
        .bearer(&editor.token)
        .send()
        .problem(403);
    let key = app.api_key(&["content:write", "content:read"]);
    app.get("/api/v1/webhooks").bearer(&key).send().problem(403);

    let made = app
        .post("/api/v1/webhooks")
        .bearer(&admin.token)
        .json(&body)
        .send();
    assert_eq!(made.status, 201, "{}", made.text());
    let hook = made.json();
    let secret = hook["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_") && secret.len() >= 6 + 32);
    assert_eq!(hook["event_types"], json!(["article.*"]));
    assert_eq!(hook["enabled"], true);
    assert_eq!(hook["failure_streak"], 0);
    assert!(hook["disabled_reason"].is_null());
    let path = format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap());
    assert_eq!(made.header("location"), Some(path.as_str()));

    // never shown again: not in the list, the item, or the audit log
    let list = app.get("/api/v1/webhooks").bearer(&admin.token).send();
    assert_eq!(list.json()["meta"]["total"], 1);
    let read = app.get(&path).bearer(&admin.token).send();
    let audit = app
        .get("/api/v1/audit?target_type=webhook&limit=100")
        .bearer(&admin.token)
        .send();
    assert!(audit.text().contains("webhook.created"), "{}", audit.text());
    for answer in [&list, &read, &audit] {
        assert!(!answer.text().contains(&secret), "the secret leaked");
        assert!(!answer.text().contains("whsec_"));
    }
    let read_json = read.ok();
    assert!(read_json.get("secret").is_none());

    // a stale If-Match is refused; the right one goes
    let etag = read.header("etag").unwrap().to_string();
    let changed = app
        .patch(&path)
        .bearer(&admin.token)
        .header("If-Match", &etag)
        .json(&json!({"description": "Next.js", "event_types": ["article.*", "section.*", "article.*"]}))
        .send()
        .ok();
    assert_eq!(changed["description"], "Next.js");
    assert_eq!(changed["event_types"], json!(["article.*", "section.*"]));
    app.patch(&path)
        .bearer(&admin.token)
        .header("If-Match", &etag)
        .json(&json!({"enabled": false}))
        .send()
        .problem(412);
    app.patch(&path)
        .bearer(&editor.token)
        .json(&json!({"enabled": false}))
        .send()
        .problem(403);

    // bad input: clear problems
    for bad in [
        json!({"url": "https://93.184.216.34/", "event_types": ["artcle.published"]}),
        json!({"url": "https://93.184.216.34/", "event_types": []}),
        json!({"url": "ftp://93.184.216.34/"}),
        json!({"url": "not a url"}),
    ] {
        let p = app
            .post("/api/v1/webhooks")
            .bearer(&admin.token)
            .json(&bad)
            .send()
            .problem(422);
        assert_eq!(p["code"], "validation_failed", "{bad}");
    }
    app.post("/api/v1/webhooks")
        .bearer(&admin.token)
        .json(&json!({"url": "https://93.184.216.34/", "secret": "mine"}))
        .send()
        .problem(422);

    assert_eq!(app.delete(&path).bearer(&editor.token).send().status, 403);
    assert_eq!(app.delete(&path).bearer(&admin.token).send().status, 204);
    app.get(&path).bearer(&admin.token).send().problem(404);
    app.get("/api/v1/webhooks/abc")
        .bearer(&admin.token)
        .send()
        .problem(404);
}

fn targets_off_limits_are_refused(app: &TestApp) {
    let admin = app.admin();
    for url in [
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hook",
        "http://[fd00:ec2::254]/",
        "http://localhost:9/hook",
        "https://192.168.1.10/",
        "http://100.64.1.1/",
    ] {
        let p = app
            .post("/api/v1/webhooks")
            .bearer(&admin.token)
            .json(&json!({"url": url}))
            .send()
            .problem(422);
        assert_eq!(p["code"], "target_refused", "{url}: {p}");
    }
    let p = app
        .post("/api/v1/webhooks")
        .bearer(&admin.token)
        .json(&json!({"url": "http://169.254.169.254/"}))
        .send()
        .problem(422);
    assert!(
        p["detail"].as_str().unwrap().contains("metadata"),
        "the problem says why: {p}"
    );
    // a public address is fine (literal: no lookup needed), and a change to
    // a refused one is refused in turn
    let (hook, _) = endpoint(app, &admin, "http://93.184.216.34/hook", &["*"]);
    let path = format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap());
    let p = app
        .patch(&path)
        .bearer(&admin.token)
        .json(&json!({"url": "http://10.1.2.3/"}))
        .send()
        .problem(422);
    assert_eq!(p["code"], "target_refused");
    let kept = app.get(&path).bearer(&admin.token).send().ok();
    assert_eq!(kept["url"], "http://93.184.216.34/hook");
}

fn a_rotation_signs_with_both_secrets_for_a_while(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    let (hook, old) = endpoint(app, &admin, &receiver.url("/hook"), &["section.*"]);
    let path = format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap());
    app.section(&editor).name("Avant").create();
    let first = receiver.wait_for(1).pop().unwrap();
    assert!(signed_by(&first, &old));
    assert_eq!(first.header("webhook-signature").split(' ').count(), 1);

    let rotated = app
        .post(&format!("{path}/rotate-secret"))
        .bearer(&admin.token)
        .send()
        .ok();
    let new = rotated["secret"].as_str().unwrap().to_string();
    assert!(new.starts_with("whsec_") && new != old);
    assert!(rotated["previous_secret_expires_at"].is_string());
    let read = app.get(&path).bearer(&admin.token).send();
    assert!(!read.text().contains(&new) && !read.text().contains(&old));
    app.post(&format!("{path}/rotate-secret"))
        .bearer(&editor.token)
        .send()
        .problem(403);

    // during the window: one signature per secret
    app.section(&editor).name("Pendant").create();
    let during = receiver.wait_for(2).pop().unwrap();
    assert!(signed_by(&during, &new) && signed_by(&during, &old));
    assert_eq!(during.header("webhook-signature").split(' ').count(), 2);

    // after it (24 h by default): the new secret only
    app.state.clock.advance(Duration::hours(25));
    let editor = app.signed_in(&editor.email);
    app.section(&editor).name("Apres").create();
    let after = receiver.wait_for(3).pop().unwrap();
    assert!(signed_by(&after, &new) && !signed_by(&after, &old));
    assert_eq!(after.header("webhook-signature").split(' ').count(), 1);
}

db_tests!(admins_manage_endpoints, targets_off_limits_are_refused);
db_tests!(config = loopback; a_rotation_signs_with_both_secrets_for_a_while);

/// The OpenAPI document describes the signed POST a receiver gets, as an
/// OpenAPI 3.1 `webhooks` entry with its headers and body schema.
#[test]
fn the_document_describes_the_payloads() {
    let doc = serde_json::to_value(kiosque::routes::openapi()).unwrap();
    let post = &doc["webhooks"]["change"]["post"];
    let headers: Vec<&str> = post["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "header" && p["required"] == true)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        headers,
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
    );
    let body = &post["requestBody"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(body, "#/components/schemas/WebhookEvent");
    let event = &doc["components"]["schemas"]["WebhookEvent"];
    for field in ["type", "timestamp", "data"] {
        assert!(event["properties"][field].is_object(), "{field}");
    }
    assert!(doc["components"]["schemas"]["ChangeItem"].is_object());
    assert!(post["responses"]["410"].is_object());
}
