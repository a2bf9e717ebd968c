//! Anonymous voters' signed tokens, and who sees the results when.

use chrono::Duration;
use serde_json::{Value, json};

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

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

db_tests!(
    anonymous_voters_carry_a_signed_token,
    results_follow_the_visibility_rule,
);
