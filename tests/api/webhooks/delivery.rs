//! What a receiver gets: each change it subscribed to, signed (checked here
//! and with the reference Standard Webhooks library), naming the resource
//! and the paths to purge; nothing for a write that rolled back; a resource's
//! changes in order; pings and redeliveries on request.

use std::process::{Command, Stdio};

use chrono::Duration;
use kiosque::changes::Change;
use kiosque::error::AppError;
use serde_json::json;

use super::receiver::{Answer, Received, Receiver};
use super::*;
use crate::db_tests;

/// Verifies a request with the reference library (PyPI `standardwebhooks`,
/// installed on first use): the type it verified, or its complaint.
fn reference_verdict(secret: &str, request: &Received) -> Result<String, String> {
    let importable = |_: ()| {
        Command::new("python3")
            .args(["-c", "import standardwebhooks"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !importable(()) {
        let _ = Command::new("pip")
            .args(["install", "--quiet", "standardwebhooks"])
            .status();
        assert!(
            importable(()),
            "python3 with `standardwebhooks` is needed (pip install standardwebhooks)"
        );
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/verify_webhook.py");
    let mut child = Command::new("python3")
        .args([script, secret])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input = json!({
        "headers": {
            "webhook-id": request.id(),
            "webhook-timestamp": request.header("webhook-timestamp"),
            "webhook-signature": request.header("webhook-signature"),
        },
        "body": request.body,
    });
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if out.status.success() {
        Ok(said)
    } else {
        Err(said)
    }
}

fn changes_arrive_signed_with_their_paths(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    let (hook, secret) = endpoint(app, &admin, &receiver.url("/hook"), &["article.*"]);
    let section = app.section(&editor).name("Régions").create();
    let article = app
        .article(&editor)
        .title("La crue de la Loire")
        .section(&section)
        .published();

    let got = receiver.wait_for(1);
    assert_eq!(got.len(), 1, "the section's change is not subscribed to");
    let request = &got[0];
    assert_eq!(request.path, "/hook");
    assert_eq!(request.header("content-type"), "application/json");
    assert!(request.id().starts_with("msg_"));
    let ts: i64 = request.header("webhook-timestamp").parse().unwrap();
    assert!((ts - app.state.clock.now_utc().timestamp()).abs() < 60);
    assert!(signed_by(request, &secret));

    let event = request.json();
    assert_eq!(event["type"], "article.published");
    assert!(event["timestamp"].as_str().unwrap().ends_with('Z'));
    let data = &event["data"];
    assert_eq!(data["type"], "article.published");
    assert_eq!(data["resource"]["type"], "article");
    assert_eq!(data["resource"]["id"], article.id());
    assert_eq!(data["resource"]["slug"], article.slug());
    let paths = data["paths"].as_array().unwrap();
    for want in [
        format!("/api/v1/articles/{}", article.slug()),
        format!("/api/v1/articles?section={}", section.slug()),
        "/api/v1/articles".into(),
    ] {
        assert!(paths.contains(&json!(want)), "{want} in {paths:?}");
    }

    // the reference library agrees, and refuses a tampered body
    assert_eq!(
        reference_verdict(&secret, request).as_deref(),
        Ok("article.published")
    );
    let mut tampered = request.clone();
    tampered.body = tampered.body.replace("published", "deleted");
    assert!(reference_verdict(&secret, &tampered).is_err());

    // the log tells the same story
    let entries = log_until(app, &admin, &hook, "a delivered entry", |e| {
        e.first().is_some_and(|d| d["status"] == "delivered")
    });
    assert_eq!(entries.len(), 1);
    let d = &entries[0];
    assert_eq!(d["event_type"], "article.published");
    assert_eq!(d["message_id"], request.id());
    assert_eq!(d["change_id"], data["id"]);
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["status_code"], 200);
    assert!(d["latency_ms"].as_i64().is_some());
    assert_eq!(d["response"], "answer 200");
    assert!(d["next_attempt_at"].is_null());
}

fn nothing_is_sent_for_a_write_that_rolled_back(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    let (hook, _) = endpoint(app, &admin, &receiver.url("/hook"), &["*"]);
    // a change recorded, then its transaction rolled back
    let mut conn = app.state.db.get().unwrap();
    let now = app.state.clock.now();
    let undone: Result<(), AppError> = kiosque::db::write_tx(&mut conn, |c| {
        kiosque::changes::record(c, Change::new("section", "created", 424242, now))?;
        Err(AppError::conflict("changed my mind"))
    });
    assert!(undone.is_err());
    drop(conn);
    // a refused write through the API
    let taken = app.section(&editor).name("Sport").create();
    let answer = app
        .post("/api/v1/sections")
        .bearer(&editor.token)
        .json(&json!({"name": "Sport bis", "slug": taken.slug()}))
        .send();
    assert_eq!(answer.status, 409);
    app.section(&editor).name("Culture").create();

    let got = receiver.wait_for(2);
    let entries = log_until(app, &admin, &hook, "two deliveries", |e| {
        e.len() == 2 && e.iter().all(|d| d["status"] == "delivered")
    });
    let mut names: Vec<String> = got
        .iter()
        .map(|r| {
            r.json()["data"]["resource"]["slug"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    // order is kept per resource only: two sections may arrive either way
    names.sort();
    assert_eq!(names, ["culture", "sport"]);
    assert!(
        got.iter()
            .all(|r| r.json()["data"]["resource"]["id"] != "424242")
    );
    assert_eq!(entries.len(), 2);
}

fn a_resources_changes_arrive_in_order(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    receiver.then(&[Answer::Status(500)]);
    let (hook, _) = endpoint(app, &admin, &receiver.url("/hook"), &["article.*"]);
    let first = publish(app, &editor, "Premier");
    receiver.wait_for(1);
    app.patch(&first.path())
        .bearer(&editor.token)
        .json(&json!({"title": "Premier, corrigé"}))
        .send()
        .ok();
    let other = publish(app, &editor, "Autre");

    // the other article goes; the first one's update waits behind its failure
    let entries = log_until(app, &admin, &hook, "the other article delivered", |e| {
        e.iter().any(|d| d["status"] == "delivered")
    });
    let update = entries
        .iter()
        .find(|d| d["event_type"] == "article.updated")
        .unwrap();
    assert_eq!(update["attempts"], 0, "not sent before the publication");
    let ids = |got: &[Received]| -> Vec<(String, String)> {
        got.iter()
            .map(|r| {
                let e = r.json();
                (
                    e["data"]["resource"]["id"].as_str().unwrap().to_string(),
                    e["type"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let so_far = ids(&receiver.received());
    assert_eq!(so_far.len(), 2, "{so_far:?}");
    assert_eq!(
        so_far[1],
        (other.id().to_string(), "article.published".into())
    );

    app.state.clock.advance(Duration::seconds(13));
    let got = receiver.wait_for(4);
    let of_first: Vec<String> = ids(&got)
        .into_iter()
        .filter(|(id, _)| id == first.id())
        .map(|(_, t)| t)
        .collect();
    assert_eq!(
        of_first,
        ["article.published", "article.published", "article.updated"]
    );
}

fn pings_and_redeliveries(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    let (hook, secret) = endpoint(app, &admin, &receiver.url("/hook"), &["article.*"]);
    let path = format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap());

    let ping = app
        .post(&format!("{path}/ping"))
        .bearer(&admin.token)
        .send();
    assert_eq!(ping.status, 202, "{}", ping.text());
    assert_eq!(ping.json()["event_type"], "webhook.ping");
    let pinged = receiver.wait_for(1).pop().unwrap();
    assert_eq!(pinged.json()["type"], "webhook.ping");
    assert_eq!(pinged.json()["data"]["webhook_id"], hook["id"]);
    assert!(signed_by(&pinged, &secret));
    app.post(&format!("{path}/ping"))
        .bearer(&editor.token)
        .send()
        .problem(403);
    app.post("/api/v1/webhooks/999999/ping")
        .bearer(&admin.token)
        .send()
        .problem(404);

    publish(app, &editor, "Une fois");
    let sent = receiver.wait_for(2).pop().unwrap();
    let entries = log_until(app, &admin, &hook, "the article delivered", |e| {
        e.len() == 2 && e.iter().all(|d| d["status"] == "delivered")
    });
    let delivery = entries
        .iter()
        .find(|d| d["event_type"] == "article.published")
        .unwrap();
    let redeliver = format!(
        "{path}/deliveries/{}/redeliver",
        delivery["id"].as_str().unwrap()
    );
    let again = app.post(&redeliver).bearer(&admin.token).send();
    assert_eq!(again.status, 202, "{}", again.text());
    let resent = receiver.wait_for(3).pop().unwrap();
    assert_eq!(resent.id(), sent.id(), "the same webhook-id");
    assert_eq!(resent.body, sent.body, "the same body");
    log_until(app, &admin, &hook, "a second attempt", |e| {
        e.iter()
            .any(|d| d["id"] == delivery["id"] && d["attempts"] == 2 && d["status"] == "delivered")
    });
    app.post(&redeliver)
        .bearer(&editor.token)
        .send()
        .problem(403);
    app.post(&format!("{path}/deliveries/999999/redeliver"))
        .bearer(&admin.token)
        .send()
        .problem(404);
    let filtered = app
        .get(&format!("{path}/deliveries?status=delivered"))
        .bearer(&admin.token)
        .send()
        .ok();
    assert_eq!(filtered["meta"]["total"], 2);
    app.get(&format!("{path}/deliveries?status=lost"))
        .bearer(&admin.token)
        .send()
        .problem(400);

    // a disabled endpoint takes neither
    app.patch(&path)
        .bearer(&admin.token)
        .json(&json!({"enabled": false}))
        .send()
        .ok();
    let p = app
        .post(&redeliver)
        .bearer(&admin.token)
        .send()
        .problem(409);
    assert_eq!(p["code"], "webhook_disabled");
    app.post(&format!("{path}/ping"))
        .bearer(&admin.token)
        .send()
        .problem(409);
}

db_tests!(config = loopback;
    changes_arrive_signed_with_their_paths,
    nothing_is_sent_for_a_write_that_rolled_back,
    a_resources_changes_arrive_in_order,
    pings_and_redeliveries,
);
