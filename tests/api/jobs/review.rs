//! An offer's life: submitted, reviewed, published, expired.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::*;
use crate::db_tests;
use crate::helpers::{TestApp, at};

fn a_member_submits_and_an_editor_decides(app: &TestApp) {
    let employer = app.member();
    let other = app.member();
    let editor = app.editor();

    // members may not publish their own offer
    app.post("/api/v1/jobs")
        .bearer(&employer.token)
        .json(&with(
            offer(app, "Boulanger"),
            json!({"status": "published"}),
        ))
        .send()
        .problem(403);

    let job = post(app, &employer.token, offer(app, "Boulanger·e"));
    assert_eq!(job["status"], "pending");
    assert_eq!(job["published_at"], Value::Null);
    assert_eq!(job["apply"]["email"], "emploi@legoff.example");
    let p = path(&job);

    // invisible to the public and to other members; readable by its submitter
    assert!(public_titles(app, "").is_empty());
    app.get(&p).send().problem(404);
    app.get(&p).bearer(&other.token).send().problem(404);
    assert_eq!(
        app.get(&p).bearer(&employer.token).send().ok()["status"],
        "pending"
    );
    // only staff list by status
    app.get("/api/v1/jobs?status=pending")
        .bearer(&employer.token)
        .send()
        .problem(403);
    let queue = app
        .get("/api/v1/jobs?status=pending")
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(titles(&queue), ["Boulanger·e"]);

    // a rejection needs a reason, which the submitter then reads
    let p422 = app
        .patch(&p)
        .bearer(&editor.token)
        .json(&json!({"status": "rejected"}))
        .send()
        .problem(422);
    assert_eq!(p422["errors"][0]["field"], "rejection_reason");
    app.patch(&p)
        .bearer(&employer.token)
        .json(&json!({"status": "rejected", "rejection_reason": "non"}))
        .send()
        .problem(403);
    let rejected = app
        .patch(&p)
        .bearer(&editor.token)
        .json(&json!({"status": "rejected", "rejection_reason": "Indiquez le salaire horaire"}))
        .send()
        .ok();
    assert_eq!(rejected["status"], "rejected");
    let mine = app
        .get("/api/v1/jobs?mine=true")
        .bearer(&employer.token)
        .send()
        .ok();
    assert_eq!(mine["data"][0]["status"], "rejected");
    assert_eq!(
        mine["data"][0]["rejection_reason"],
        "Indiquez le salaire horaire"
    );
    assert_eq!(
        app.get("/api/v1/jobs?mine=true")
            .bearer(&other.token)
            .send()
            .ok()["meta"]["total"],
        0
    );
    app.get("/api/v1/jobs?mine=true").send().problem(401);

    // the submitter fixes it and resubmits
    let fixed = app
        .patch(&p)
        .bearer(&employer.token)
        .json(&json!({"salary": {"min_cents": 1300, "period": "hour"}, "status": "pending"}))
        .send()
        .ok();
    assert_eq!(fixed["status"], "pending");
    assert_eq!(fixed["rejection_reason"], Value::Null);
    // another member may not touch it
    app.patch(&p)
        .bearer(&other.token)
        .json(&json!({"title": "Pirate"}))
        .send()
        .problem(404);

    // the editor approves: public at once, expiring after the default 30 days
    let live = app
        .patch(&p)
        .bearer(&editor.token)
        .json(&json!({"status": "published"}))
        .send()
        .ok();
    assert_eq!(live["status"], "published");
    let published: DateTime<Utc> = live["published_at"].as_str().unwrap().parse().unwrap();
    let expires: DateTime<Utc> = live["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires - published, Duration::days(30));
    assert_eq!(public_titles(app, ""), ["Boulanger·e"]);
    assert_eq!(app.get(&p).send().ok()["status"], "published");

    // a published offer is the editors' now; rejecting it is not a move the workflow has
    app.patch(&p)
        .bearer(&employer.token)
        .json(&json!({"title": "Changé"}))
        .send()
        .problem(403);
    let bad = app
        .patch(&p)
        .bearer(&editor.token)
        .json(&json!({"status": "rejected", "rejection_reason": "trop tard"}))
        .send()
        .problem(422);
    assert_eq!(bad["code"], "invalid_transition");
    app.delete(&p).bearer(&employer.token).send().problem(403);
    assert_eq!(app.delete(&p).bearer(&editor.token).send().status, 204);
    app.get(&p).send().problem(404);
}

fn offers_expire_on_their_own(app: &TestApp) {
    let editor = app.editor();
    let soon = post(
        app,
        &editor.token,
        with(
            offer(app, "Saisonnier"),
            json!({"status": "published", "expires_at": at(app, Duration::days(2))}),
        ),
    );
    let lasting = post(
        app,
        &editor.token,
        with(offer(app, "Permanent"), json!({"status": "published"})),
    );
    assert_eq!(public_titles(app, ""), ["Permanent", "Saisonnier"]);

    app.state.clock.advance(Duration::days(3));
    let editor = app.editor(); // the first one's token has expired meanwhile
    assert_eq!(public_titles(app, ""), ["Permanent"]);
    let gone = app.get(&path(&soon)).send().problem(410);
    assert!(gone["detail"].as_str().unwrap().contains("expired"));
    app.get(&format!("{}/jsonld", path(&soon)))
        .send()
        .problem(410);
    // staff still read it, marked expired
    let staff = app.get(&path(&soon)).bearer(&editor.token).send().ok();
    assert_eq!(staff["expired"], true);

    // an editor extends it: back in the list
    let extended = app
        .patch(&path(&soon))
        .bearer(&editor.token)
        .json(&json!({"expires_at": at(app, Duration::days(7))}))
        .send()
        .ok();
    assert_eq!(extended["expired"], false);
    assert_eq!(public_titles(app, ""), ["Permanent", "Saisonnier"]);
    // an expiry before publication is refused
    app.patch(&path(&soon))
        .bearer(&editor.token)
        .json(&json!({"expires_at": at(app, Duration::days(-30))}))
        .send()
        .problem(422);

    // the default lifetime runs out too
    app.state.clock.advance(Duration::days(28));
    let editor = app.editor();
    assert!(public_titles(app, "").is_empty());
    app.get(&path(&lasting)).send().problem(410);

    // scheduled offers appear at their time
    let later = post(
        app,
        &editor.token,
        with(
            offer(app, "Rentrée"),
            json!({"status": "published", "published_at": at(app, Duration::hours(2))}),
        ),
    );
    assert_eq!(later["status"], "scheduled");
    app.get(&path(&later)).send().problem(404);
    app.state.clock.advance(Duration::hours(3));
    assert_eq!(public_titles(app, ""), ["Rentrée"]);
}

fn few_submissions(c: &mut kiosque::config::Config) {
    c.submissions_per_hour = 2;
}

fn submissions_are_rate_limited(app: &TestApp) {
    let member = app.member();
    post(app, &member.token, offer(app, "Un"));
    post(app, &member.token, offer(app, "Deux"));
    let res = app
        .post("/api/v1/jobs")
        .bearer(&member.token)
        .json(&offer(app, "Trois"))
        .send();
    res.problem(429);
    assert!(res.header("retry-after").is_some());
    // per member, and staff are not limited
    post(app, &app.member().token, offer(app, "Autre membre"));
    let editor = app.editor();
    for i in 0..4 {
        post(app, &editor.token, offer(app, &format!("Rédaction {i}")));
    }
}

db_tests!(
    a_member_submits_and_an_editor_decides,
    offers_expire_on_their_own,
);
db_tests!(config = few_submissions; submissions_are_rate_limited);
