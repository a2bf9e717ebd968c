//! What keeps a thread sane: no repeats, rate limits, and guests only where
//! the site allows them.

use kiosque::config::Config;
use serde_json::json;

use super::*;
use crate::db_tests;
use crate::helpers::{TestApp, TestUser};

fn guests(c: &mut Config) {
    generous(c);
    c.comments_guests = true;
}

fn tight(c: &mut Config) {
    c.comments_per_hour = 2;
    c.comments_burst = 2;
    c.trust_proxy = true;
}

fn the_same_text_twice_in_a_row_is_refused(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let art = article(app, &editor);
    say(app, &member.token, &art, "Bravo");
    let p = post(app, &member.token, &art, json!({"body": "  Bravo \n"})).problem(409);
    assert_eq!(p["code"], "duplicate_comment");
    // another reader may say the same; the author may once they said something else
    say(app, &app.member().token, &art, "Bravo");
    say(app, &member.token, &art, "Vraiment");
    say(app, &member.token, &art, "Bravo");
}

fn posting_is_rate_limited_per_member_and_per_address(app: &TestApp) {
    let editor = app.editor();
    let art = article(app, &editor);
    let (a, b, c) = (app.member(), app.member(), app.member());
    let from = |who: &TestUser, ip: &str, text: &str| {
        app.post(&comments_path(&art))
            .bearer(&who.token)
            .header("X-Forwarded-For", ip)
            .json(&json!({"body": text}))
            .send()
    };
    assert_eq!(from(&a, "10.0.0.1", "un").status, 201);
    assert_eq!(from(&a, "10.0.0.2", "deux").status, 201);
    let limited = from(&a, "10.0.0.3", "trois");
    limited.problem(429);
    assert!(
        limited
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    // per address: b on a fresh address is fine, c on a worn one is not
    assert_eq!(from(&b, "10.0.0.3", "un").status, 201);
    assert_eq!(from(&c, "10.0.0.1", "un").status, 201);
    from(&c, "10.0.0.1", "deux").problem(429);
    // moderators are not limited
    for i in 0..4 {
        assert_eq!(from(&editor, "10.0.0.1", &format!("note {i}")).status, 201);
    }
}

fn guests_comment_only_when_the_site_allows(app: &TestApp) {
    let editor = app.editor();
    let art = article(app, &editor);
    let body =
        json!({"body": "Je passe", "guest_name": "Jeanne", "guest_email": "jeanne@example.org"});
    app.post(&comments_path(&art))
        .json(&body)
        .send()
        .problem(401);
}

fn guests_give_a_name_and_an_email(app: &TestApp) {
    let editor = app.editor();
    let art = article(app, &editor);
    app.post(&comments_path(&art))
        .json(&json!({"body": "Je passe"}))
        .send()
        .problem(422);
    app.post(&comments_path(&art))
        .json(&json!({"body": "Je passe", "guest_name": "Jeanne", "guest_email": "pas-un-mail"}))
        .send()
        .problem(422);
    let c = app
        .post(&comments_path(&art))
        .json(&json!({"body": "Je passe", "guest_name": "Jeanne", "guest_email": "Jeanne@Example.org"}))
        .send();
    assert_eq!(c.status, 201, "{}", c.text());
    let c = c.json();
    assert_eq!(c["status"], "pending");
    assert!(c.get("guest_email").is_none(), "not even to the guest");
    decide(app, &editor.token, &c, "approved").ok();
    let shown = &thread(app, &art)["data"][0];
    assert_eq!(
        shown["author"],
        json!({"id": null, "display_name": "Jeanne", "avatar_url": null, "guest": true})
    );
    assert!(
        !thread(app, &art).to_string().contains("example.org"),
        "the e-mail stays private"
    );
    let q = app
        .get("/api/v1/comments?status=approved")
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(q["data"][0]["guest_email"], "jeanne@example.org");
    // the same guest (by e-mail) posting the same text again
    let again = app
        .post(&comments_path(&art))
        .json(&json!({"body": "Je passe ", "guest_name": "Jeanne", "guest_email": "jeanne@example.org"}))
        .send()
        .problem(409);
    assert_eq!(again["code"], "duplicate_comment");
    // guests flag, once per address
    let flag = || {
        app.post(&format!("/api/v1/comments/{}/flags", id(&c)))
            .json(&json!({"reason": "hors sujet"}))
            .send()
    };
    assert_eq!(flag().status, 201);
    flag().problem(409);
}

db_tests!(
    config = generous;
    guests_comment_only_when_the_site_allows,
    the_same_text_twice_in_a_row_is_refused,
);
db_tests!(config = guests; guests_give_a_name_and_an_email);
db_tests!(config = tight; posting_is_rate_limited_per_member_and_per_address);
