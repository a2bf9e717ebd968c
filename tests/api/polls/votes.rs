//! Casting votes: once each, only valid choices, only while open, changed
//! only where the site allows it, rate limited by address.

use chrono::Duration;
use kiosque::config::Config;
use serde_json::{Value, json};

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

fn one_vote_per_voter(app: &TestApp) {
    let editor = app.editor();
    let poll = create(app, &editor.token, json!({"results_visibility": "always"}));
    let ids = option_ids(&poll);
    let member = app.member();

    let first = vote(app, &poll, Some(&member.token), &[&ids[0]]);
    assert_eq!(first.status, 201, "{}", first.text());
    let receipt = first.json();
    assert_eq!(receipt["my_choice"], json!([ids[0]]));
    assert!(
        receipt.get("voter_token").is_none(),
        "members need no token"
    );
    assert_eq!(receipt["results"]["total_voters"], 1);
    assert_eq!(receipt["results"]["options"][0]["percent"], 100);
    assert_eq!(first.header("cache-control"), Some("no-store"));

    let again = vote(app, &poll, Some(&member.token), &[&ids[1]]).problem(409);
    assert_eq!(again["code"], "already_voted");
    assert_eq!(counts(app, &poll, &editor.token), (vec![1, 0, 0], 1));

    // the caller's own choice comes back with the poll
    let read = app
        .get(&format!("/api/v1/polls/{}", id(&poll)))
        .bearer(&member.token)
        .send()
        .ok();
    assert_eq!(read["results"]["my_choice"], json!([ids[0]]));
    assert_eq!(read["vote_change_allowed"], false);

    // changing a vote is off by default
    let p = app
        .put(&format!("/api/v1/polls/{}/votes/mine", id(&poll)))
        .bearer(&member.token)
        .json(&json!({"options": [ids[1]]}))
        .send()
        .problem(409);
    assert_eq!(p["code"], "vote_change_disabled");
    assert_eq!(counts(app, &poll, &editor.token), (vec![1, 0, 0], 1));
}

fn bad_votes_are_refused(app: &TestApp) {
    let editor = app.editor();
    let poll = create(app, &editor.token, json!({}));
    let multi = create(
        app,
        &editor.token,
        json!({"multiple": true, "max_choices": 2,
               "options": [{"label": "A"}, {"label": "B"}, {"label": "C"}, {"label": "D"}]}),
    );
    let ids = option_ids(&poll);
    let multi_ids = option_ids(&multi);
    let member = app.member();
    let t = Some(member.token.as_str());

    let none = vote(app, &poll, t, &[]).problem(422);
    assert!(none["detail"].as_str().unwrap().contains("at least one"));
    let foreign = vote(app, &poll, t, &[&multi_ids[0]]).problem(422);
    assert!(
        foreign["detail"]
            .as_str()
            .unwrap()
            .contains("not an option"),
        "{foreign}"
    );
    let two = vote(app, &poll, t, &[&ids[0], &ids[1]]).problem(422);
    assert!(two["detail"].as_str().unwrap().contains("single choice"));
    vote(app, &poll, t, &[&ids[0], &ids[0]]).problem(422);
    let three = vote(
        app,
        &multi,
        t,
        &[&multi_ids[0], &multi_ids[1], &multi_ids[2]],
    )
    .problem(422);
    assert!(three["detail"].as_str().unwrap().contains("at most 2"));
    app.post(&votes_path(&poll))
        .bearer(&member.token)
        .json(&json!({"options": [ids[0]], "weight": 10}))
        .send()
        .problem(422);
    app.post(&votes_path(&poll))
        .bearer(&member.token)
        .json(&json!({"options": "everything"}))
        .send()
        .problem(422);
    app.post(&votes_path(&poll))
        .bearer(&member.token)
        .raw("text/plain", "Oui")
        .send()
        .problem(415);
    app.post("/api/v1/polls/424242/votes")
        .bearer(&member.token)
        .json(&json!({"options": [ids[0]]}))
        .send()
        .problem(404);
    // refused votes counted nothing, and do not use up the voter's vote
    assert_eq!(counts(app, &poll, &editor.token), (vec![0, 0, 0], 0));
    assert_eq!(counts(app, &multi, &editor.token), (vec![0, 0, 0, 0], 0));
    assert_eq!(
        vote(app, &multi, t, &[&multi_ids[3], &multi_ids[1]]).status,
        201
    );
    assert_eq!(counts(app, &multi, &editor.token), (vec![0, 1, 0, 1], 1));

    // API keys do not vote; members-only polls want a signed-in reader
    let key = app.api_key(&["content:write"]);
    vote(app, &poll, Some(&key), &[&ids[0]]).problem(403);
    let members_only = create(app, &editor.token, json!({"who_may_vote": "members"}));
    let mo_ids = option_ids(&members_only);
    let p = vote(app, &members_only, None, &[&mo_ids[0]]).problem(401);
    assert!(p["detail"].as_str().unwrap().contains("sign in"));
    assert_eq!(
        counts(app, &members_only, &editor.token),
        (vec![0, 0, 0], 0)
    );
}

fn votes_only_while_open(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let later = create(
        app,
        &editor.token,
        json!({"opens_at": in_days(app, 1), "closes_at": in_days(app, 2),
               "results_visibility": "after_close"}),
    );
    assert_eq!(later["status"], "upcoming");
    let ids = option_ids(&later);
    let p = vote(app, &later, Some(&member.token), &[&ids[0]]).problem(422);
    assert_eq!(p["code"], "poll_not_open");
    // closing a poll that has not opened makes no sense
    app.post(&format!("/api/v1/polls/{}/close", id(&later)))
        .bearer(&editor.token)
        .send()
        .problem(409);

    app.state.clock.advance(Duration::hours(25));
    // (access tokens expire as the clock moves: sign in afresh)
    let member = app.member();
    assert_eq!(
        vote(app, &later, Some(&member.token), &[&ids[0]]).status,
        201
    );
    app.state.clock.advance(Duration::days(1));
    let (editor, member) = (app.editor(), app.member());
    let p = vote(app, &later, Some(&app.member().token), &[&ids[1]]).problem(422);
    assert_eq!(p["code"], "poll_closed");
    assert!(p["detail"].as_str().unwrap().contains("closed at"));
    assert_eq!(counts(app, &later, &editor.token), (vec![1, 0, 0], 1));

    // closing early: votes stop at once, results of after_close polls appear
    let poll = create(
        app,
        &editor.token,
        json!({"results_visibility": "after_close"}),
    );
    let ids = option_ids(&poll);
    assert_eq!(
        vote(app, &poll, Some(&member.token), &[&ids[2]]).status,
        201
    );
    let path = format!("/api/v1/polls/{}", id(&poll));
    assert_eq!(app.get(&path).send().ok()["results"]["visible"], false);
    let member2 = app.member();
    app.post(&format!("{path}/close"))
        .bearer(&member2.token)
        .send()
        .problem(403);
    let closed = app
        .post(&format!("{path}/close"))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(closed["status"], "closed");
    vote(app, &poll, Some(&member2.token), &[&ids[0]]).problem(422);
    let public = app.get(&path).send().ok();
    assert_eq!(public["results"]["visible"], true);
    assert_eq!(public["results"]["options"][2]["count"], 1);
    assert_eq!(public["results"]["options"][2]["percent"], 100);
    // closing again changes nothing
    let again = app
        .post(&format!("{path}/close"))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(again["closes_at"], closed["closes_at"]);
    assert_eq!(
        app.get("/api/v1/polls?status=closed").send().ok()["meta"]["total"],
        2
    );
}

fn changing_a_vote_moves_the_counts(app: &TestApp) {
    let editor = app.editor();
    let poll = create(
        app,
        &editor.token,
        json!({"multiple": true, "results_visibility": "always",
               "options": [{"label": "A"}, {"label": "B"}, {"label": "C"}]}),
    );
    let ids = option_ids(&poll);
    let member = app.member();
    let mine = format!("/api/v1/polls/{}/votes/mine", id(&poll));
    app.put(&mine)
        .bearer(&member.token)
        .json(&json!({"options": [ids[0]]}))
        .send()
        .problem(404);
    assert_eq!(
        vote(app, &poll, Some(&member.token), &[&ids[0], &ids[1]]).status,
        201
    );
    let anon = vote(app, &poll, None, &[&ids[0]]);
    let token = anon.json()["voter_token"].as_str().unwrap().to_string();
    assert_eq!(counts(app, &poll, &editor.token), (vec![2, 1, 0], 2));

    let changed = app
        .put(&mine)
        .bearer(&member.token)
        .json(&json!({"options": [ids[2], ids[1]]}))
        .send()
        .ok();
    assert_eq!(changed["my_choice"], json!([ids[1], ids[2]]));
    assert_eq!(counts(app, &poll, &editor.token), (vec![1, 1, 1], 2));
    app.put(&mine)
        .header("X-Voter-Token", &token)
        .json(&json!({"options": [ids[2]]}))
        .send()
        .ok();
    assert_eq!(counts(app, &poll, &editor.token), (vec![0, 1, 2], 2));
    app.put(&mine)
        .header("X-Voter-Token", "v1.forged.token")
        .json(&json!({"options": [ids[0]]}))
        .send()
        .problem(400);
    app.put(&mine)
        .bearer(&member.token)
        .json(&json!({"options": []}))
        .send()
        .problem(422);
    // once closed, votes are final
    app.state.clock.advance(Duration::days(8));
    let session = app.login(&member.email, crate::helpers::PASSWORD).json();
    let fresh = session["access_token"].as_str().unwrap();
    app.put(&mine)
        .bearer(fresh)
        .json(&json!({"options": [ids[0]]}))
        .send()
        .problem(422);
    assert_eq!(counts(app, &poll, &app.editor().token), (vec![0, 1, 2], 2));
}

fn anonymous_votes_are_rate_limited(app: &TestApp) {
    let editor = app.editor();
    let polls: Vec<Value> = (0..4)
        .map(|_| create(app, &editor.token, json!({})))
        .collect();
    for poll in &polls[..3] {
        assert_eq!(vote(app, poll, None, &[&option_ids(poll)[0]]).status, 201);
    }
    let res = vote(app, &polls[3], None, &[&option_ids(&polls[3])[0]]);
    res.problem(429);
    assert!(res.header("retry-after").is_some());
    // members are not limited by address
    let member = app.member();
    assert_eq!(
        vote(
            app,
            &polls[3],
            Some(&member.token),
            &[&option_ids(&polls[3])[0]]
        )
        .status,
        201
    );
}

fn strict_vote_limit(c: &mut Config) {
    c.poll_votes_burst = 3;
    c.poll_votes_per_hour_per_ip = 1;
}

fn allow_vote_change(c: &mut Config) {
    c.poll_allow_vote_change = true;
}

db_tests!(
    one_vote_per_voter,
    bad_votes_are_refused,
    votes_only_while_open,
);
db_tests!(config = allow_vote_change; changing_a_vote_moves_the_counts);
db_tests!(config = strict_vote_limit; anonymous_votes_are_rate_limited);
