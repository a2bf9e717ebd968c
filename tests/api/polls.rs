//! Polls: editors run them, readers vote once each, and the numbers shown are
//! exactly the votes cast — also with hundreds of voters at once, on one or
//! two servers sharing the database.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use kiosque::config::Config;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{Resp, TestApp};

/// An article, written straight into the database (the articles API lives in
/// another part of the code).
fn article(app: &TestApp) -> String {
    use kiosque::db::schema::articles;
    let now = app.state.clock.now();
    let mut conn = app.state.db.get().unwrap();
    let id: i64 = diesel::insert_into(articles::table)
        .values((
            articles::slug.eq(format!("article-{}", now.and_utc().timestamp_micros())),
            articles::title.eq("Le centre-ville piéton ?"),
            articles::status.eq("published"),
            articles::created_at.eq(now),
            articles::updated_at.eq(now),
        ))
        .returning(articles::id)
        .get_result(&mut conn)
        .unwrap();
    id.to_string()
}

fn in_days(app: &TestApp, days: i64) -> String {
    (app.state.clock.now_utc() + Duration::days(days)).to_rfc3339()
}

fn poll_body(app: &TestApp, extra: Value) -> Value {
    let mut body = json!({
        "question": "Faut-il piétonniser le centre-ville ?",
        "options": [{"label": "Oui"}, {"label": "Non"}, {"label": "Sans avis"}],
        "closes_at": in_days(app, 7),
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

fn create(app: &TestApp, token: &str, extra: Value) -> Value {
    let res = app
        .post("/api/v1/polls")
        .bearer(token)
        .json(&poll_body(app, extra))
        .send();
    assert_eq!(res.status, 201, "{}", res.text());
    let poll = res.json();
    assert_eq!(
        res.header("location").unwrap(),
        format!("/api/v1/polls/{}", poll["id"].as_str().unwrap())
    );
    poll
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

fn option_ids(poll: &Value) -> Vec<String> {
    poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

fn votes_path(poll: &Value) -> String {
    format!("/api/v1/polls/{}/votes", id(poll))
}

fn vote(app: &TestApp, poll: &Value, token: Option<&str>, options: &[&str]) -> Resp {
    let mut req = app.post(&votes_path(poll));
    if let Some(t) = token {
        req = req.bearer(t);
    }
    req.json(&json!({ "options": options })).send()
}

fn anon_vote(app: &TestApp, poll: &Value, voter_token: &str, options: &[&str]) -> Resp {
    app.post(&votes_path(poll))
        .header("X-Voter-Token", voter_token)
        .json(&json!({ "options": options }))
        .send()
}

/// (per-option counts in display order, total voters), as an editor reads them.
fn counts(app: &TestApp, poll: &Value, editor: &str) -> (Vec<i64>, i64) {
    let r = app
        .get(&format!("/api/v1/polls/{}/results", id(poll)))
        .bearer(editor)
        .send()
        .ok();
    assert_eq!(r["visible"], true, "editors always see results");
    let c = r["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["count"].as_i64().unwrap())
        .collect();
    (c, r["total_voters"].as_i64().unwrap())
}

fn editors_manage_polls(app: &TestApp) {
    let editor = app.editor();
    let art = article(app);
    let poll = create(
        app,
        &editor.token,
        json!({"description": "Notre sondage de la semaine", "article_id": art,
               "results_visibility": "always", "who_may_vote": "members"}),
    );
    assert!(poll["id"].is_string());
    assert_eq!(poll["article_id"], art.as_str());
    assert_eq!(poll["status"], "open");
    assert_eq!(poll["multiple"], false);
    assert_eq!(poll["max_choices"], 1);
    assert_eq!(poll["who_may_vote"], "members");
    let labels: Vec<&str> = poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["Oui", "Non", "Sans avis"],
        "options keep their order"
    );
    assert_eq!(poll["results"]["total_voters"], 0);
    let percents: Vec<i64> = poll["results"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["percent"].as_i64().unwrap())
        .collect();
    assert_eq!(percents, [0, 0, 0], "no vote, no percentage");

    let path = format!("/api/v1/polls/{}", id(&poll));
    let read = app.get(&path).send().ok();
    assert_eq!(read["question"], "Faut-il piétonniser le centre-ville ?");

    // the article's polls: by filter, and for the article side in one query
    create(app, &editor.token, json!({}));
    let listed = app.get(&format!("/api/v1/polls?article={art}")).send().ok();
    assert_eq!(listed["meta"]["total"], 1);
    assert_eq!(listed["data"][0]["id"], poll["id"]);
    assert_eq!(app.get("/api/v1/polls").send().ok()["meta"]["total"], 2);
    let mut conn = app.state.db.get().unwrap();
    let art_id: i64 = art.parse().unwrap();
    let pairs = kiosque::polls::queries::poll_ids_for_articles(&mut conn, &[art_id, 999]).unwrap();
    drop(conn);
    assert_eq!(pairs, [(art_id, id(&poll).parse::<i64>().unwrap())]);
    app.get("/api/v1/polls?colour=red").send().problem(400);
    app.get("/api/v1/polls?status=sleeping").send().problem(400);
    let open = app.get("/api/v1/polls?status=open").send().ok();
    assert_eq!(open["meta"]["total"], 2);
    assert_eq!(
        app.get("/api/v1/polls?status=closed").send().ok()["meta"]["total"],
        0
    );

    // edits: before any vote, options may be replaced
    let edited = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"question": "Piétonniser le centre ?",
                      "options": [{"label": "Oui"}, {"label": "Non"}],
                      "multiple": true}))
        .send()
        .ok();
    assert_eq!(edited["question"], "Piétonniser le centre ?");
    assert_eq!(edited["options"].as_array().unwrap().len(), 2);
    assert_eq!(edited["max_choices"], 2);
    assert_eq!(edited["article_id"], art.as_str(), "absent fields are kept");
    let detached = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"article_id": null}))
        .send()
        .ok();
    assert_eq!(detached["article_id"], Value::Null);

    // an API key with content:write manages polls too; members and anonymous do not
    let key = app.api_key(&["content:write"]);
    create(app, &key, json!({}));
    let member = app.member();
    app.post("/api/v1/polls")
        .bearer(&member.token)
        .json(&poll_body(app, json!({})))
        .send()
        .problem(403);
    app.post("/api/v1/polls")
        .json(&poll_body(app, json!({})))
        .send()
        .problem(401);
    app.delete(&path).bearer(&member.token).send().problem(403);

    assert_eq!(app.delete(&path).bearer(&editor.token).send().status, 204);
    app.get(&path).send().problem(404);
    app.delete(&path).bearer(&editor.token).send().problem(404);
    app.get("/api/v1/polls/not-an-id").send().problem(404);
}

fn bad_polls_are_refused(app: &TestApp) {
    let editor = app.editor();
    let cases = [
        (json!({"options": [{"label": "Seul"}]}), "options"),
        (
            json!({"options": (0..21).map(|i| json!({"label": format!("R{i}")})).collect::<Vec<_>>()}),
            "options",
        ),
        (
            json!({"options": [{"label": "Oui"}, {"label": " oui "}]}),
            "options[1].label",
        ),
        (
            json!({"options": [{"label": "Oui"}, {"label": ""}]}),
            "options[1].label",
        ),
        (json!({"question": "  "}), "question"),
        (json!({"max_choices": 2}), "max_choices"),
        (json!({"multiple": true, "max_choices": 4}), "max_choices"),
        (
            json!({"opens_at": in_days(app, 3), "closes_at": in_days(app, 2)}),
            "closes_at",
        ),
        (json!({"closes_at": in_days(app, -1)}), "closes_at"),
        (json!({"article_id": "987654"}), "article_id"),
        (json!({"who_may_vote": "robots"}), "who_may_vote"),
        (json!({"voter_count": 1000}), "voter_count"),
    ];
    for (extra, field) in cases {
        let p = app
            .post("/api/v1/polls")
            .bearer(&editor.token)
            .json(&poll_body(app, extra.clone()))
            .send()
            .problem(422);
        assert!(
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{extra}: {p}"
        );
    }
    app.post("/api/v1/polls")
        .bearer(&editor.token)
        .raw("application/json", "{\"question\": ")
        .send()
        .problem(400);
    assert_eq!(
        app.get("/api/v1/polls").send().ok()["meta"]["total"],
        0,
        "nothing half-written"
    );
}

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

fn options_freeze_at_the_first_vote(app: &TestApp) {
    let editor = app.editor();
    let poll = create(app, &editor.token, json!({}));
    let ids = option_ids(&poll);
    let path = format!("/api/v1/polls/{}", id(&poll));
    assert_eq!(
        vote(app, &poll, Some(&app.member().token), &[&ids[1]]).status,
        201
    );
    for change in [
        json!({"options": [{"label": "Oui"}, {"label": "Non"}]}),
        json!({"multiple": true}),
        json!({"max_choices": 1}),
    ] {
        let p = app
            .patch(&path)
            .bearer(&editor.token)
            .json(&change)
            .send()
            .problem(409);
        assert_eq!(p["code"], "options_frozen");
    }
    // the rest may still change, and an If-Match guards it
    let read = app.get(&path).bearer(&editor.token).send();
    let etag = read.header("etag").unwrap().to_string();
    let closes = in_days(app, 14);
    let ok = app
        .patch(&path)
        .bearer(&editor.token)
        .header("If-Match", &etag)
        .json(
            &json!({"question": "Le centre piéton ?", "closes_at": closes,
                      "results_visibility": "always"}),
        )
        .send()
        .ok();
    assert_eq!(ok["question"], "Le centre piéton ?");
    assert_eq!(option_ids(&ok), ids, "options unchanged");
    app.patch(&path)
        .bearer(&editor.token)
        .header("If-Match", &etag)
        .json(&json!({"question": "Encore ?"}))
        .send()
        .problem(412);
    app.patch(&path)
        .bearer(&editor.token)
        .json(&json!({"closes_at": (Utc::now() - Duration::days(30)).to_rfc3339()}))
        .send()
        .problem(422);
    assert_eq!(counts(app, &poll, &editor.token), (vec![0, 1, 0], 1));
}

fn anonymous_voters_carry_a_signed_token(app: &TestApp) {
    let editor = app.editor();
    let poll = create(
        app,
        &editor.token,
        json!({"results_visibility": "after_vote"}),
    );
    let ids = option_ids(&poll);

    let first = vote(app, &poll, None, &[&ids[0]]);
    assert_eq!(first.status, 201, "{}", first.text());
    let token = first.json()["voter_token"].as_str().unwrap().to_string();
    let cookie = first.header("set-cookie").unwrap().to_string();
    assert!(
        cookie.starts_with(&format!("kiosque_voter={token}")),
        "{cookie}"
    );
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/api/v1/polls"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert_eq!(
        first.json()["results"]["visible"],
        true,
        "after_vote: shown"
    );

    // the same voter again, by header or by cookie: refused
    anon_vote(app, &poll, &token, &[&ids[1]]).problem(409);
    app.post(&votes_path(&poll))
        .header("Cookie", &format!("kiosque_voter={token}"))
        .json(&json!({"options": [ids[1]]}))
        .send()
        .problem(409);

    // tampered tokens are refused, not taken for new voters
    let (head, sig) = token.rsplit_once('.').unwrap();
    // a middle character: the last one of the base64 text carries unused bits
    let mut chars: Vec<char> = sig.chars().collect();
    let middle = chars.len() / 2;
    chars[middle] = if chars[middle] == 'A' { 'B' } else { 'A' };
    let flipped: String = chars.into_iter().collect();
    let other = vote(app, &poll, None, &[&ids[2]]).json()["voter_token"]
        .as_str()
        .unwrap()
        .to_string();
    let other_id = other.split('.').nth(1).unwrap();
    let forged = [
        format!("{head}.{flipped}"),                // changed signature
        format!("v1.{other_id}.{sig}"),             // another id under this signature
        format!("v1.AAAAAAAAAAAAAAAAAAAAAA.{sig}"), // an invented id
        "garbage".to_string(),
        String::new(),
    ];
    for bad in &forged {
        let p = anon_vote(app, &poll, bad, &[&ids[1]]).problem(400);
        assert_eq!(p["code"], "invalid_voter_token", "{bad}");
        let p = app
            .post(&votes_path(&poll))
            .header("Cookie", &format!("kiosque_voter={bad}"))
            .json(&json!({"options": [ids[1]]}))
            .send()
            .problem(400);
        assert_eq!(p["code"], "invalid_voter_token", "{bad}");
    }
    let (c, total) = counts(app, &poll, &editor.token);
    assert_eq!((c, total), (vec![1, 0, 1], 2), "only the two real voters");

    // the token shows the voter their own choice; results stay hidden from others
    let mine = app
        .get(&format!("/api/v1/polls/{}/results", id(&poll)))
        .header("X-Voter-Token", &token)
        .send();
    assert_eq!(mine.json()["my_choice"], json!([ids[0]]));
    assert_eq!(mine.json()["visible"], true);
    assert_eq!(mine.header("cache-control"), Some("private, no-cache"));
    let stranger = app
        .get(&format!("/api/v1/polls/{}/results", id(&poll)))
        .send();
    let r = stranger.json();
    assert_eq!(r["visible"], false);
    assert!(
        r.get("options").is_none() && r.get("total_voters").is_none(),
        "{r}"
    );
    assert_eq!(r["visible_from"], Value::Null);
    assert!(r["reason"].as_str().unwrap().contains("voted"));
    assert!(stranger.header("vary").unwrap().contains("Cookie"));
}

fn results_follow_the_visibility_rule(app: &TestApp) {
    let editor = app.editor();
    let closes = in_days(app, 2);
    let poll = create(
        app,
        &editor.token,
        json!({"results_visibility": "after_close", "closes_at": closes}),
    );
    let ids = option_ids(&poll);
    let voters: Vec<_> = (0..3).map(|_| app.member()).collect();
    for (voter, option) in voters.iter().zip([0, 1, 2]) {
        assert_eq!(
            vote(app, &poll, Some(&voter.token), &[&ids[option]]).status,
            201
        );
    }
    let results_path = format!("/api/v1/polls/{}/results", id(&poll));
    let before = app.get(&results_path).bearer(&voters[0].token).send().ok();
    assert_eq!(before["visible"], false);
    assert!(before.get("options").is_none());
    assert_eq!(before["my_choice"], json!([ids[0]]));
    let from =
        chrono::DateTime::parse_from_rfc3339(before["visible_from"].as_str().unwrap()).unwrap();
    let expected = chrono::DateTime::parse_from_rfc3339(&closes).unwrap();
    assert!(
        (from - expected).num_seconds().abs() <= 1,
        "{from} vs {expected}"
    );

    let open = create(app, &editor.token, json!({"results_visibility": "always"}));
    app.state.clock.advance(Duration::days(3));
    let after = app.get(&results_path).send().ok();
    assert_eq!(after["visible"], true);
    assert_eq!(after["total_voters"], 3);
    let percents: Vec<i64> = after["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["percent"].as_i64().unwrap())
        .collect();
    assert_eq!(percents, [34, 33, 33], "rounded to add up to 100");

    // `always`: anyone sees them at once
    let r = app
        .get(&format!("/api/v1/polls/{}/results", id(&open)))
        .send();
    assert_eq!(r.json()["visible"], true);
    assert_eq!(r.header("cache-control"), Some("public, max-age=60"));
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

fn crowd(c: &mut Config) {
    c.poll_votes_burst = 100_000;
    c.poll_votes_per_hour_per_ip = 1_000_000;
    c.db_pool_size = 8;
}

/// Hundreds of voters at once, members and anonymous, through two servers
/// sharing the database: every vote is counted once, a second vote of each
/// is refused, and the totals never drift.
fn concurrent_voters_are_counted_exactly(app: &TestApp) {
    const MEMBERS: usize = 60;
    const ANONYMOUS: usize = 140;
    let editor = app.editor();
    let poll = create(
        app,
        &editor.token,
        json!({"multiple": true, "max_choices": 2, "results_visibility": "always",
               "options": [{"label": "A"}, {"label": "B"}, {"label": "C"}, {"label": "D"}]}),
    );
    let ids = option_ids(&poll);
    let sibling = app.spawn_sibling();
    let members: Vec<String> = (0..MEMBERS).map(|_| app.member().token).collect();

    // voter i chooses option i % 4, and every third voter also the next one
    let choice = |i: usize| -> Vec<&str> {
        let mut c = vec![ids[i % 4].as_str()];
        if i.is_multiple_of(3) {
            c.push(ids[(i + 1) % 4].as_str());
        }
        c
    };
    let mut expected = [0i64; 4];
    for i in 0..MEMBERS + ANONYMOUS {
        for o in choice(i) {
            expected[ids.iter().position(|x| x == o).unwrap()] += 1;
        }
    }
    let server = |i: usize| if i.is_multiple_of(2) { app } else { &sibling };

    let tokens: Vec<Option<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..MEMBERS + ANONYMOUS)
            .map(|i| {
                let member = members.get(i).cloned();
                let choice = choice(i);
                let (poll, server) = (&poll, &server);
                s.spawn(move || {
                    let poll = poll;
                    let res = vote(server(i), poll, member.as_deref(), &choice);
                    assert_eq!(res.status, 201, "voter {i}: {}", res.text());
                    res.json()["voter_token"].as_str().map(str::to_string)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(tokens.iter().filter(|t| t.is_some()).count(), ANONYMOUS);
    let total = (MEMBERS + ANONYMOUS) as i64;
    assert_eq!(
        counts(app, &poll, &editor.token),
        (expected.to_vec(), total)
    );

    // everyone tries again, at once, through the other server: all refused
    std::thread::scope(|s| {
        for (i, token) in tokens.iter().enumerate() {
            let member = members.get(i).cloned();
            let token = token.clone();
            let (poll, ids, server) = (&poll, &ids, &server);
            s.spawn(move || {
                let target = server(i + 1);
                let res = match (&member, &token) {
                    (Some(m), _) => vote(target, poll, Some(m), &[&ids[0]]),
                    (None, Some(t)) => anon_vote(target, poll, t, &[&ids[0]]),
                    (None, None) => unreachable!(),
                };
                assert_eq!(res.status, 409, "voter {i}: {}", res.text());
            });
        }
    });
    assert_eq!(
        counts(app, &poll, &editor.token),
        (expected.to_vec(), total)
    );
    assert_eq!(
        counts(&sibling, &poll, &editor.token),
        (expected.to_vec(), total)
    );
    let r = app
        .get(&format!("/api/v1/polls/{}/results", id(&poll)))
        .send()
        .ok();
    let sum: i64 = r["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["percent"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 100);
}

db_tests!(
    editors_manage_polls,
    bad_polls_are_refused,
    one_vote_per_voter,
    bad_votes_are_refused,
    votes_only_while_open,
    options_freeze_at_the_first_vote,
    anonymous_voters_carry_a_signed_token,
    results_follow_the_visibility_rule,
);
db_tests!(config = allow_vote_change; changing_a_vote_moves_the_counts);
db_tests!(config = strict_vote_limit; anonymous_votes_are_rate_limited);
db_tests!(config = crowd; concurrent_voters_are_counted_exactly);
