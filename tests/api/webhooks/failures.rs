//! A receiver that fails: retries with backoff on the app clock, then dead;
//! 410 disables the endpoint at once, a run of failures after a while;
//! redirects are not followed, slow answers time out, long ones are cut;
//! a name that resolves to a loopback address is refused at delivery.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use kiosque::config::{Config, parse_schedule};
use serde_json::json;

use super::receiver::{Answer, Receiver};
use super::*;
use crate::db_tests;

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

fn failures_back_off_then_deliver(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    receiver.then(&[Answer::Status(500), Answer::Status(503)]);
    let (hook, _) = endpoint(app, &admin, &receiver.url("/hook"), &["article.*"]);
    publish(app, &editor, "Trois essais");

    let first = receiver.wait_for(1);
    let entries = log_until(app, &admin, &hook, "a failed attempt", |e| {
        e.first().is_some_and(|d| d["status"] == "failed")
    });
    let d = &entries[0];
    assert_eq!(
        (d["attempts"].clone(), d["status_code"].clone()),
        (json!(1), json!(500))
    );
    assert_eq!(d["response"], "answer 500");
    let wait = time(&d["next_attempt_at"]) - time(&d["last_attempt_at"]);
    assert!(
        (Duration::seconds(8)..=Duration::seconds(12)).contains(&wait),
        "the first retry comes 10 s ± 20% later: {wait}"
    );
    let streak = || {
        app.get(&format!(
            "/api/v1/webhooks/{}",
            hook["id"].as_str().unwrap()
        ))
        .bearer(&admin.token)
        .send()
        .ok()["failure_streak"]
            .clone()
    };
    assert_eq!(streak(), 1);

    app.state.clock.advance(Duration::seconds(13));
    let second = receiver.wait_for(2);
    assert_eq!(
        second[1].id(),
        first[0].id(),
        "a retry keeps its webhook-id"
    );
    let entries = log_until(app, &admin, &hook, "a second failure", |e| {
        e[0]["status_code"] == 503
    });
    assert_eq!(
        (entries[0]["attempts"].clone(), entries[0]["status"].clone()),
        (json!(2), json!("failed"))
    );
    let wait = time(&entries[0]["next_attempt_at"]) - time(&entries[0]["last_attempt_at"]);
    assert!(
        (Duration::seconds(16)..=Duration::seconds(24)).contains(&wait),
        "{wait}"
    );
    assert_eq!(entries[0]["status_code"], 503);

    app.state.clock.advance(Duration::seconds(25));
    receiver.wait_for(3);
    log_until(app, &admin, &hook, "the delivery done", |e| {
        e[0]["attempts"] == 3 && e[0]["status"] == "delivered"
    });
    assert_eq!(streak(), 0, "a success ends the streak");
}

fn one_retry(c: &mut Config) {
    loopback(c);
    c.webhooks.retry_schedule = parse_schedule("10s").unwrap();
}

fn retries_end_in_a_dead_delivery(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    receiver.otherwise(Answer::Status(500));
    let (hook, _) = endpoint(app, &admin, &receiver.url("/hook"), &["article.*"]);
    publish(app, &editor, "Sans suite");
    receiver.wait_for(1);
    log_until(app, &admin, &hook, "a failure", |e| {
        e.first().is_some_and(|d| d["status"] == "failed")
    });
    app.state.clock.advance(Duration::seconds(13));
    receiver.wait_for(2);
    let entries = log_until(app, &admin, &hook, "a dead delivery", |e| {
        e[0]["status"] == "dead"
    });
    assert_eq!(entries[0]["attempts"], 2);
    assert!(entries[0]["next_attempt_at"].is_null());
}

fn gone_disables_at_once(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    receiver.then(&[Answer::Status(410)]);
    let (hook, _) = endpoint(app, &admin, &receiver.url("/hook"), &["article.*"]);
    let path = format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap());
    publish(app, &editor, "Parti");
    receiver.wait_for(1);
    let read = || app.get(&path).bearer(&admin.token).send().ok();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while read()["enabled"] == true {
        assert!(
            std::time::Instant::now() < deadline,
            "410 disables the endpoint"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let off = read();
    assert_eq!(off["disabled_reason"], "gone");
    assert!(off["disabled_at"].is_string());

    // nothing goes out while it is off, even when retries fall due
    let during = publish(app, &editor, "Pendant l'absence");
    app.state.clock.advance(Duration::seconds(13));
    // enabled again: from the next change on
    let on = app
        .patch(&path)
        .bearer(&admin.token)
        .json(&json!({"enabled": true}))
        .send()
        .ok();
    assert!(on["disabled_reason"].is_null());
    assert_eq!(on["failure_streak"], 0);
    let back = publish(app, &editor, "Retour");
    let about = |r: &super::receiver::Received| r.json()["data"]["resource"]["id"].clone();
    let got = receiver.wait_until(
        |got| got.iter().any(|r| about(r) == back.id()),
        "the article published after the return",
    );
    assert!(
        !got.iter().any(|r| about(r) == during.id()),
        "a change made while the endpoint was off is not sent"
    );
}

fn three_strikes(c: &mut Config) {
    loopback(c);
    c.webhooks.disable_after = 3;
}

fn a_failing_endpoint_is_switched_off(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    receiver.otherwise(Answer::Status(500));
    let (hook, _) = endpoint(app, &admin, &receiver.url("/hook"), &["article.*"]);
    for title in ["Un", "Deux", "Trois"] {
        publish(app, &editor, title);
    }
    receiver.wait_for(3);
    let path = format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let read = app.get(&path).bearer(&admin.token).send().ok();
        if read["enabled"] == false {
            assert_eq!(read["disabled_reason"], "failing");
            assert_eq!(read["failure_streak"], 3);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{read}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn redirects_are_not_followed(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    receiver.then(&[Answer::Redirect(receiver.url("/elsewhere"))]);
    let (hook, _) = endpoint(app, &admin, &receiver.url("/hook"), &["article.*"]);
    publish(app, &editor, "Ailleurs");
    let entries = log_until(app, &admin, &hook, "a failed attempt", |e| {
        e.first().is_some_and(|d| d["status"] == "failed")
    });
    assert_eq!(entries[0]["status_code"], 302);
    assert!(
        entries[0]["response"]
            .as_str()
            .unwrap()
            .contains("not followed")
    );
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/hook");
}

fn slow_answers_time_out_and_long_ones_are_cut(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    receiver.then(&[
        Answer::Slow(std::time::Duration::from_secs(4)),
        Answer::Huge(5 << 20),
    ]);
    let (hook, _) = endpoint(app, &admin, &receiver.url("/hook"), &["article.*"]);
    publish(app, &editor, "Lent");
    let entries = log_until(app, &admin, &hook, "a timeout", |e| {
        e.first().is_some_and(|d| d["status"] == "failed")
    });
    assert!(entries[0]["status_code"].is_null());
    assert_eq!(entries[0]["response"], "no answer in time");

    app.state.clock.advance(Duration::seconds(13));
    let entries = log_until(app, &admin, &hook, "a delivery", |e| {
        e[0]["status"] == "delivered"
    });
    let kept = entries[0]["response"].as_str().unwrap();
    assert!(
        kept.ends_with('…') && kept.len() <= 2_048 + '…'.len_utf8(),
        "{}",
        kept.len()
    );
}

fn a_name_resolving_to_loopback_is_refused_at_delivery(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let receiver = Receiver::start();
    // saved while its host was public; the name now stands for 127.0.0.1
    // (as DNS rebinding would have it)
    let made = app
        .post("/api/v1/webhooks")
        .bearer(&admin.token)
        .json(&json!({"url": "http://93.184.216.34/hook", "enabled": false}))
        .send()
        .ok();
    let id: i64 = made["id"].as_str().unwrap().parse().unwrap();
    let mut conn = app.state.db.get().unwrap();
    diesel::sql_query(format!(
        "UPDATE webhooks SET url = 'http://localhost:{}/hook' WHERE id = {id}",
        receiver.port
    ))
    .execute(&mut *conn)
    .unwrap();
    drop(conn);
    app.patch(&format!("/api/v1/webhooks/{id}"))
        .bearer(&admin.token)
        .json(&json!({"enabled": true}))
        .send()
        .ok();
    publish(app, &editor, "Détournement");
    let entries = log_until(app, &admin, &made, "a refused attempt", |e| {
        e.first().is_some_and(|d| d["status"] == "failed")
    });
    let why = entries[0]["response"].as_str().unwrap();
    assert!(why.contains("refused") && why.contains("loopback"), "{why}");
    assert!(entries[0]["status_code"].is_null());
    assert!(receiver.received().is_empty(), "no request reached it");
}

db_tests!(config = loopback;
    failures_back_off_then_deliver,
    gone_disables_at_once,
    redirects_are_not_followed,
    slow_answers_time_out_and_long_ones_are_cut,
);
db_tests!(config = one_retry; retries_end_in_a_dead_delivery);
db_tests!(config = three_strikes; a_failing_endpoint_is_switched_off);
db_tests!(a_name_resolving_to_loopback_is_refused_at_delivery);
