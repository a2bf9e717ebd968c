//! A crowd of voters on two servers sharing the database.

use kiosque::config::Config;
use serde_json::json;

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

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

db_tests!(config = crowd; concurrent_voters_are_counted_exactly);
