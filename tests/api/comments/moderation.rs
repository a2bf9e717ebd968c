//! The moderators' side: bulk decisions, flags, bans, word and link filters,
//! authors' edits, and decisions racing each other.

use chrono::Duration;
use kiosque::config::Config;
use serde_json::{Value, json};

use super::*;
use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp, TestUser};

fn filtered(c: &mut Config) {
    post_moderation(c);
    c.comments_blocked_words = kiosque::config::blocked_words("arnaque, casino en ligne");
    c.comments_max_links = 1;
}

fn crowd(c: &mut Config) {
    post_moderation(c);
    c.db_pool_size = 8;
}

fn post_moderation_publishes_at_once_and_bulk_decisions(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let art = article(app, &editor);
    let c = say(app, &member.token, &art, "Premier !");
    assert_eq!(c["status"], "approved");
    assert_eq!(comment_count(app, &art), 1);
    decide(app, &editor.token, &c, "rejected").ok();
    assert_eq!(comment_count(app, &art), 0);
    assert_eq!(thread(app, &art)["meta"]["total"], 0);

    let ids: Vec<String> = ["Un", "Deux", "Trois"]
        .iter()
        .map(|t| id(&say(app, &member.token, &art, t)).to_string())
        .collect();
    assert_eq!(comment_count(app, &art), 3);
    // an unknown id: nothing is applied, the id is named
    let p = app
        .post("/api/v1/comments/moderation")
        .bearer(&editor.token)
        .json(&json!({"ids": [ids[0], ids[1], "999999"], "status": "spam"}))
        .send()
        .problem(422);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("999999")
    );
    assert_eq!(comment_count(app, &art), 3);
    let done = app
        .post("/api/v1/comments/moderation")
        .bearer(&editor.token)
        .json(&json!({"ids": [ids[0], ids[1]], "status": "spam"}))
        .send()
        .ok();
    assert_eq!(done["data"].as_array().unwrap().len(), 2);
    assert!(
        done["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "spam")
    );
    assert_eq!(comment_count(app, &art), 1);
    let spam = app
        .get("/api/v1/comments?status=spam")
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(spam["meta"]["total"], 2);
    app.post("/api/v1/comments/moderation")
        .bearer(&editor.token)
        .json(&json!({"ids": [], "status": "approved"}))
        .send()
        .problem(422);
    app.post("/api/v1/comments/moderation")
        .bearer(&editor.token)
        .json(&json!({"ids": [ids[2]], "status": "deleted"}))
        .send()
        .problem(422);
    assert_eq!(approved_total(app, &editor.token, &art), 1);
}

fn bans_with_and_without_an_end(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let art = article(app, &editor);
    let ban_path = format!("/api/v1/users/{}/comment-ban", member.id);
    let tomorrow = (app.state.clock.now_utc() + Duration::days(1)).to_rfc3339();
    // members and keys do not ban
    app.put(&ban_path)
        .bearer(&member.token)
        .json(&json!({}))
        .send()
        .problem(403);
    app.put("/api/v1/users/999999/comment-ban")
        .bearer(&editor.token)
        .json(&json!({}))
        .send()
        .problem(404);
    let past = (app.state.clock.now_utc() - Duration::days(1)).to_rfc3339();
    app.put(&ban_path)
        .bearer(&editor.token)
        .json(&json!({"until": past}))
        .send()
        .problem(422);
    let ban = app
        .put(&ban_path)
        .bearer(&editor.token)
        .json(&json!({"until": tomorrow, "reason": "insultes"}))
        .send()
        .ok();
    assert_eq!(ban["banned"], true);
    assert_eq!(ban["reason"], "insultes");
    let p = post(app, &member.token, &art, json!({"body": "Je reviens"})).problem(403);
    assert_eq!(p["code"], "banned_from_comments");

    app.state.clock.advance(Duration::days(2));
    let token = app.login(&member.email, PASSWORD).json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let editor_token = app.login(&editor.email, PASSWORD).json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        post(app, &token, &art, json!({"body": "Je reviens"})).status,
        201
    );

    // no end: permanent
    app.put(&ban_path)
        .bearer(&editor_token)
        .json(&json!({"reason": "récidive"}))
        .send()
        .ok();
    app.state.clock.advance(Duration::days(400));
    let token = app.login(&member.email, PASSWORD).json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let editor_token = app.login(&editor.email, PASSWORD).json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    post(app, &token, &art, json!({"body": "Encore moi"})).problem(403);
    app.delete(&ban_path).bearer(&token).send().problem(403);
    assert_eq!(
        app.delete(&ban_path).bearer(&editor_token).send().status,
        204
    );
    assert_eq!(
        post(app, &token, &art, json!({"body": "Encore moi"})).status,
        201
    );
}

fn flags_send_a_comment_back_to_the_queue(app: &TestApp) {
    let editor = app.editor();
    let author = app.member();
    let art = article(app, &editor);
    let c = say(app, &author.token, &art, "Propos limites");
    assert_eq!(comment_count(app, &art), 1);
    let flag_path = format!("/api/v1/comments/{}/flags", id(&c));
    let readers: Vec<TestUser> = (0..3).map(|_| app.member()).collect();
    let flag = |token: &str| {
        app.post(&flag_path)
            .bearer(token)
            .json(&json!({"reason": "insultant"}))
            .send()
    };
    assert_eq!(flag(&readers[0].token).json()["queued"], false);
    let p = flag(&readers[0].token).problem(409);
    assert_eq!(p["code"], "already_flagged");
    app.post(&flag_path)
        .bearer(&readers[1].token)
        .json(&json!({"reason": ""}))
        .send()
        .problem(422);
    flag(&readers[1].token).ok();
    assert_eq!(comment_count(app, &art), 1);
    assert_eq!(flag(&readers[2].token).json()["queued"], true);
    assert_eq!(comment_count(app, &art), 0);
    let q = app
        .get("/api/v1/comments")
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(q["data"][0]["held_reason"], "flags");
    assert_eq!(q["data"][0]["flag_count"], 3);
    // a comment out of view cannot be flagged
    flag(&app.member().token).problem(404);
    app.post(&flag_path)
        .json(&json!({"reason": "x"}))
        .send()
        .problem(401);
    // the moderator keeps it: flags are cleared
    let kept = decide(app, &editor.token, &c, "approved").ok();
    assert_eq!(kept["flag_count"], 0);
    assert_eq!(comment_count(app, &art), 1);
    assert_eq!(flag(&app.member().token).json()["queued"], false);
}

fn authors_edit_within_the_window_and_delete_any_time(app: &TestApp) {
    let editor = app.editor();
    let author = app.member();
    let other = app.member();
    let art = article(app, &editor);
    let c = say(app, &author.token, &art, "Premiere version");
    let path = format!("/api/v1/comments/{}", id(&c));
    assert!(c["edited_at"].is_null());
    let edited = app
        .patch(&path)
        .bearer(&author.token)
        .json(&json!({"body": "Première version, corrigée"}))
        .send()
        .ok();
    assert!(edited["edited_at"].is_string());
    assert_eq!(edited["body_html"], "<p>Première version, corrigée</p>\n");
    assert!(thread(app, &art)["data"][0]["edited_at"].is_string());
    for token in [&other.token, &editor.token] {
        app.patch(&path)
            .bearer(token)
            .json(&json!({"body": "Réécrit"}))
            .send()
            .problem(403);
    }
    app.patch(&path)
        .json(&json!({"body": "Réécrit"}))
        .send()
        .problem(401);
    // a member cannot moderate their own comment
    app.patch(&path)
        .bearer(&author.token)
        .json(&json!({"status": "approved"}))
        .send()
        .problem(403);
    app.patch(&path)
        .bearer(&author.token)
        .json(&json!({}))
        .send()
        .problem(422);

    app.state.clock.advance(Duration::minutes(16));
    let token = app.login(&author.email, PASSWORD).json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let p = app
        .patch(&path)
        .bearer(&token)
        .json(&json!({"body": "Trop tard"}))
        .send()
        .problem(422);
    assert_eq!(p["code"], "edit_window_closed");
    let other_token = app.login(&other.email, PASSWORD).json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    app.delete(&path).bearer(&other_token).send().problem(403);
    assert_eq!(app.delete(&path).bearer(&token).send().status, 204);
    app.delete(&path).bearer(&token).send().problem(404);
    assert_eq!(comment_count(app, &art), 0);
}

fn blocked_words_and_links_send_comments_to_the_queue(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let art = article(app, &editor);
    let held = say(app, &member.token, &art, "Quelle ARNÂQUE, ce marché !");
    assert_eq!(held["status"], "pending");
    assert_eq!(held["held_reason"], "blocked_words");
    let phrase = say(app, &member.token, &art, "Le Casino-en-ligne paie ?");
    assert_eq!(phrase["held_reason"], "blocked_words");
    let links = say(
        app,
        &member.token,
        &art,
        "Voir https://a.example et https://b.example",
    );
    assert_eq!(links["held_reason"], "links");
    let one_link = say(app, &member.token, &art, "Voir https://a.example seulement");
    assert_eq!(one_link["status"], "approved");
    let clean = say(app, &member.token, &art, "Les arnaqueurs seront punis");
    assert_eq!(clean["status"], "approved", "whole words only");
    assert_eq!(comment_count(app, &art), 2);
    // an edit that brings a blocked word sends the comment to the queue
    let edited = app
        .patch(&format!("/api/v1/comments/{}", id(&clean)))
        .bearer(&member.token)
        .json(&json!({"body": "C'est une arnaque"}))
        .send()
        .ok();
    assert_eq!(edited["status"], "pending");
    assert_eq!(comment_count(app, &art), 1);
    assert_eq!(approved_total(app, &editor.token, &art), 1);
}

fn concurrent_posts_and_decisions_keep_the_count_exact(app: &TestApp) {
    let editor = app.editor();
    let art = article(app, &editor);
    let members: Vec<TestUser> = (0..10).map(|_| app.member()).collect();
    let posted: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..100)
            .map(|i| {
                let (members, art) = (&members, &art);
                s.spawn(move || {
                    let m = &members[i % members.len()];
                    say(app, &m.token, art, &format!("Message {i}"))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(posted.iter().all(|c| c["status"] == "approved"));
    assert_eq!(comment_count(app, &art), 100);
    assert_eq!(approved_total(app, &editor.token, &art), 100);

    // concurrent decisions on the same comments: approve and reject race,
    // bulk decisions overlap; the count follows whatever wins
    let ids: Vec<Value> = posted.iter().map(|c| c["id"].clone()).collect();
    std::thread::scope(|s| {
        for (i, c) in posted.iter().enumerate().take(60) {
            let token = &editor.token;
            s.spawn(move || {
                decide(
                    app,
                    token,
                    c,
                    if i % 2 == 0 { "rejected" } else { "approved" },
                )
                .ok()
            });
            s.spawn(move || decide(app, token, c, "spam").ok());
        }
        for chunk in ids.chunks(25) {
            let token = &editor.token;
            s.spawn(move || {
                app.post("/api/v1/comments/moderation")
                    .bearer(token)
                    .json(&json!({"ids": chunk, "status": "pending"}))
                    .send()
                    .ok()
            });
        }
    });
    let approved = approved_total(app, &editor.token, &art);
    assert_eq!(comment_count(app, &art), approved);
    assert!(approved < 100, "the decisions took effect");
    // every comment ended in exactly one state: none lost, none counted twice
    let all = app
        .get(&format!(
            "/api/v1/comments?status=pending,approved,rejected,spam&article={art}&limit=1"
        ))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(all["meta"]["total"], 100);
}

db_tests!(config = generous; bans_with_and_without_an_end);
db_tests!(
    config = post_moderation;
    post_moderation_publishes_at_once_and_bulk_decisions,
    flags_send_a_comment_back_to_the_queue,
    authors_edit_within_the_window_and_delete_any_time,
);
db_tests!(config = filtered; blocked_words_and_links_send_comments_to_the_queue);
db_tests!(config = crowd; concurrent_posts_and_decisions_keep_the_count_exact);
