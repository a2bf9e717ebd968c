//! Comments: readers post and reply, a front end reads a thread in one
//! request, moderators clear the queue, and `comment_count` on the article
//! always equals the approved comments — also under concurrent posting and
//! concurrent decisions.

use chrono::Duration;
use kiosque::config::{Config, ModerationMode};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{PASSWORD, Resp, TestApp, TestUser};

/// Pre-moderation (the default), with room for the many posts of a story
/// from one address.
fn generous(c: &mut Config) {
    c.comments_per_hour = 1_000_000;
    c.comments_burst = 1_000_000;
}

fn post_moderation(c: &mut Config) {
    generous(c);
    c.comments_moderation = ModerationMode::Post;
}

fn guests(c: &mut Config) {
    generous(c);
    c.comments_guests = true;
}

fn filtered(c: &mut Config) {
    post_moderation(c);
    c.comments_blocked_words = kiosque::config::blocked_words("arnaque, casino en ligne");
    c.comments_max_links = 1;
}

fn tight(c: &mut Config) {
    c.comments_per_hour = 2;
    c.comments_burst = 2;
    c.trust_proxy = true;
}

fn crowd(c: &mut Config) {
    post_moderation(c);
    c.db_pool_size = 8;
}

/// A published article, through the API.
fn article(app: &TestApp, editor: &TestUser) -> String {
    app.post("/api/v1/articles")
        .bearer(&editor.token)
        .json(&json!({"title": "Le marché couvert rouvre", "status": "published"}))
        .send()
        .ok()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn comments_path(article: &str) -> String {
    format!("/api/v1/articles/{article}/comments")
}

fn post(app: &TestApp, token: &str, article: &str, body: Value) -> Resp {
    app.post(&comments_path(article))
        .bearer(token)
        .json(&body)
        .send()
}

/// Posts `text` and returns the comment.
fn say(app: &TestApp, token: &str, article: &str, text: &str) -> Value {
    let res = post(app, token, article, json!({"body": text}));
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

fn reply(app: &TestApp, token: &str, article: &str, parent: &Value, text: &str) -> Value {
    let res = post(
        app,
        token,
        article,
        json!({"body": text, "parent_id": parent["id"]}),
    );
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

fn comment_count(app: &TestApp, article: &str) -> i64 {
    app.get(&format!("/api/v1/articles/{article}")).send().ok()["comment_count"]
        .as_i64()
        .unwrap()
}

/// Approved comments of the article, as moderators count them.
fn approved_total(app: &TestApp, token: &str, article: &str) -> i64 {
    app.get(&format!(
        "/api/v1/comments?status=approved&article={article}&limit=1"
    ))
    .bearer(token)
    .send()
    .ok()["meta"]["total"]
        .as_i64()
        .unwrap()
}

fn thread(app: &TestApp, article: &str) -> Value {
    app.get(&comments_path(article)).send().ok()
}

fn decide(app: &TestApp, token: &str, comment: &Value, status: &str) -> Resp {
    app.patch(&format!("/api/v1/comments/{}", id(comment)))
        .bearer(token)
        .json(&json!({"status": status}))
        .send()
}

fn pre_moderation_holds_comments_until_approved(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let art = article(app, &editor);

    let c = say(app, &member.token, &art, "Enfin une bonne nouvelle !");
    assert_eq!(c["status"], "pending");
    assert_eq!(c["held_reason"], "pre_moderation");
    assert!(
        c["editable_until"].is_string(),
        "the author sees the edit window"
    );
    assert_eq!(thread(app, &art)["meta"]["total"], 0, "nothing public yet");
    assert_eq!(comment_count(app, &art), 0);

    // the queue: pending by default, oldest first, with its article
    let queue = app
        .get("/api/v1/comments")
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(queue["meta"]["total"], 1);
    let item = &queue["data"][0];
    assert_eq!(item["id"], c["id"]);
    assert_eq!(item["article"]["id"], art.as_str());
    assert_eq!(item["author"]["id"], member.id.as_str());
    assert_eq!(item["flag_count"], 0);

    let approved = decide(app, &editor.token, &c, "approved").ok();
    assert_eq!(approved["status"], "approved");
    assert_eq!(comment_count(app, &art), 1);
    let t = thread(app, &art);
    assert_eq!(
        t["data"][0]["body_html"],
        "<p>Enfin une bonne nouvelle !</p>\n"
    );
    assert_eq!(
        t["data"][0]["author"]["display_name"],
        approved["author"]["display_name"]
    );
    assert!(
        t["data"][0].get("status").is_none(),
        "readers see no moderation fields"
    );
    // approving again changes nothing
    decide(app, &editor.token, &c, "approved").ok();
    assert_eq!(comment_count(app, &art), 1);

    // after 3 approved comments a member skips the queue
    for text in ["Deux", "Trois"] {
        let c = say(app, &member.token, &art, text);
        assert_eq!(c["status"], "pending");
        decide(app, &editor.token, &c, "approved").ok();
    }
    let trusted = say(app, &member.token, &art, "Quatre");
    assert_eq!(trusted["status"], "approved", "a trusted member");
    assert_eq!(comment_count(app, &art), 4);
    let newcomer = app.member();
    assert_eq!(
        say(app, &newcomer.token, &art, "Bonjour")["status"],
        "pending"
    );
    // moderators' own comments are published at once
    assert_eq!(
        say(app, &editor.token, &art, "La rédaction")["status"],
        "approved"
    );
    assert_eq!(comment_count(app, &art), 5);

    // filters: by article and author, and bad filters answer 400
    let other = article(app, &editor);
    let by_article = app
        .get(&format!(
            "/api/v1/comments?status=pending,approved&article={other}"
        ))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(by_article["meta"]["total"], 0);
    let by_author = app
        .get(&format!(
            "/api/v1/comments?status=approved&author={}",
            member.id
        ))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(by_author["meta"]["total"], 4);
    app.get("/api/v1/comments?status=hidden")
        .bearer(&editor.token)
        .send()
        .problem(400);
    app.get("/api/v1/comments?author=bob")
        .bearer(&editor.token)
        .send()
        .problem(400);
    app.get("/api/v1/comments?colour=red")
        .bearer(&editor.token)
        .send()
        .problem(400);
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

fn threads_nest_replies_and_keep_placeholders(app: &TestApp) {
    let editor = app.editor();
    let (alice, bob) = (app.member(), app.member());
    let art = article(app, &editor);
    let a = say(app, &alice.token, &art, "Question sur les horaires ?");
    let b = reply(app, &bob.token, &art, &a, "Ouvert le dimanche.");
    let c = reply(app, &alice.token, &art, &b, "Merci !");
    let d = reply(app, &bob.token, &art, &c, "De rien.");
    assert_eq!(d["depth"], 3);
    // deeper replies attach to the depth-3 comment's parent
    let e = reply(app, &alice.token, &art, &d, "Encore une question.");
    assert_eq!(e["depth"], 3);
    assert_eq!(e["parent_id"], c["id"]);
    assert_eq!(e["in_reply_to"], d["id"]);
    let second = say(app, &bob.token, &art, "Autre sujet.");
    assert_eq!(comment_count(app, &art), 6);

    let t = thread(app, &art);
    assert_eq!(t["meta"]["total"], 2, "pages over top-level comments");
    let first = &t["data"][0];
    assert_eq!(first["id"], a["id"], "oldest first");
    let replies = first["replies"].as_array().unwrap();
    let depths: Vec<i64> = replies
        .iter()
        .map(|r| r["depth"].as_i64().unwrap())
        .collect();
    assert_eq!(depths, [1, 2, 3, 3]);
    assert_eq!(replies[0]["parent_id"], a["id"]);
    assert_eq!(t["data"][1]["replies"], json!([]));
    let newest = app
        .get(&format!("{}?sort=-created_at", comments_path(&art)))
        .send()
        .ok();
    assert_eq!(newest["data"][0]["id"], second["id"]);
    // by slug too
    let slug = app.get(&format!("/api/v1/articles/{art}")).send().ok()["slug"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(thread(app, &slug)["meta"]["total"], 2);

    // a reply to a comment of another article is refused
    let other = article(app, &editor);
    post(
        app,
        &bob.token,
        &other,
        json!({"body": "x", "parent_id": a["id"]}),
    )
    .problem(422);

    // deleting a comment with replies leaves a placeholder
    app.delete(&format!("/api/v1/comments/{}", id(&b)))
        .bearer(&bob.token)
        .send()
        .ok();
    assert_eq!(comment_count(app, &art), 5);
    let t = thread(app, &art);
    let hole = &t["data"][0]["replies"][0];
    assert_eq!(hole["id"], b["id"]);
    assert_eq!(hole["deleted"], true);
    assert!(hole["author"].is_null() && hole["body_html"].is_null());
    assert_eq!(t["data"][0]["replies"].as_array().unwrap().len(), 4);
    // a leaf is removed
    app.delete(&format!("/api/v1/comments/{}", id(&e)))
        .bearer(&alice.token)
        .send()
        .ok();
    assert_eq!(comment_count(app, &art), 4);
    // a rejected top-level comment with approved replies stays as a placeholder
    decide(app, &editor.token, &a, "rejected").ok();
    let t = thread(app, &art);
    assert_eq!(t["meta"]["total"], 2);
    assert_eq!(t["data"][0]["deleted"], true);
    assert_eq!(comment_count(app, &art), 3);
    // removing the last replies takes the placeholders above with them
    for (c, who) in [(&d, &bob), (&c, &alice)] {
        app.delete(&format!("/api/v1/comments/{}", id(c)))
            .bearer(&who.token)
            .send()
            .ok();
    }
    let t = thread(app, &art);
    assert_eq!(
        t["meta"]["total"], 1,
        "the rejected top-level has nothing left to show"
    );
    assert_eq!(comment_count(app, &art), 1);
    assert_eq!(approved_total(app, &editor.token, &art), 1);
}

fn a_page_of_threads_costs_a_fixed_number_of_queries(app: &TestApp) {
    let editor = app.editor();
    let art = article(app, &editor);
    let people: Vec<TestUser> = (0..4).map(|_| app.member()).collect();
    let mut n = 0;
    for _ in 0..12 {
        for p in &people {
            n += 1;
            let top = say(app, &editor.token, &art, &format!("Sujet {n}"));
            reply(app, &p.token, &art, &top, &format!("Réponse {n}"));
        }
    }
    decide_all_pending(app, &editor);
    let queries_for = |limit: usize| {
        let before = app.state.db.query_count();
        let page = app
            .get(&format!("{}?limit={limit}", comments_path(&art)))
            .send()
            .ok();
        assert_eq!(page["data"].as_array().unwrap().len(), limit);
        assert!(page["data"][limit - 1]["replies"][0]["author"]["display_name"].is_string());
        app.state.db.query_count() - before
    };
    let small = queries_for(2);
    let large = queries_for(40);
    assert_eq!(small, large, "no query per comment");
    assert!(large <= 6, "a thread page takes {large} queries");
}

fn decide_all_pending(app: &TestApp, editor: &TestUser) {
    loop {
        let queue = app
            .get("/api/v1/comments?limit=100")
            .bearer(&editor.token)
            .send()
            .ok();
        let ids: Vec<Value> = queue["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect();
        if ids.is_empty() {
            return;
        }
        app.post("/api/v1/comments/moderation")
            .bearer(&editor.token)
            .json(&json!({"ids": ids, "status": "approved"}))
            .send()
            .ok();
    }
}

fn closed_and_unpublished_articles_take_no_comments(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let draft = app
        .post("/api/v1/articles")
        .bearer(&editor.token)
        .json(&json!({"title": "Brouillon"}))
        .send()
        .ok()["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(app, &member.token, &draft, json!({"body": "Hein ?"})).problem(404);
    let p = post(app, &editor.token, &draft, json!({"body": "Note"})).problem(422);
    assert_eq!(p["code"], "comments_closed");
    let art = article(app, &editor);
    app.patch(&format!("/api/v1/articles/{art}"))
        .bearer(&editor.token)
        .json(&json!({"allow_comments": false}))
        .send()
        .ok();
    let p = post(app, &member.token, &art, json!({"body": "Hein ?"})).problem(422);
    assert_eq!(p["code"], "comments_closed");
    post(app, &member.token, "999999", json!({"body": "Hein ?"})).problem(404);
    app.get(&comments_path("999999")).send().problem(404);
    // bad bodies
    let open = article(app, &editor);
    post(app, &member.token, &open, json!({"body": "   "})).problem(422);
    post(
        app,
        &member.token,
        &open,
        json!({"body": "x".repeat(5_001)}),
    )
    .problem(422);
    post(
        app,
        &member.token,
        &open,
        json!({"body": "ok", "colour": 1}),
    )
    .problem(422);
    post(
        app,
        &member.token,
        &open,
        json!({"body": "ok", "parent_id": "abc"}),
    )
    .problem(422);
    post(
        app,
        &member.token,
        &open,
        json!({"body": "ok", "parent_id": "999999"}),
    )
    .problem(422);
    app.post(&comments_path(&open))
        .bearer(&member.token)
        .raw("application/json", "{\"body\": ")
        .send()
        .problem(400);
    app.post(&comments_path(&open))
        .bearer(&member.token)
        .raw("text/plain", "hello")
        .send()
        .problem(415);
    app.patch("/api/v1/comments/abc")
        .bearer(&member.token)
        .json(&json!({"body": "x"}))
        .send()
        .problem(404);
    app.patch("/api/v1/comments/999999")
        .bearer(&member.token)
        .json(&json!({"body": "x"}))
        .send()
        .problem(404);
    assert_eq!(comment_count(app, &open), 0);
}

fn hostile_html_is_neutralised(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let art = article(app, &editor);
    let c = say(
        app,
        &member.token,
        &art,
        "[clic](javascript:alert(3)) et [la mairie](https://mairie.example)\n\n\
         <script>alert(1)</script>\n\n\
         <img src=x onerror=alert(2)> <a href=\"https://evil.example\" onclick=\"x()\">a</a>\n\n\
         # Titre",
    );
    let html = thread(app, &art)["data"][0]["body_html"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(c["body_html"], html.as_str());
    for bad in [
        "<script",
        "onerror",
        "javascript:",
        "onclick",
        "<img",
        "<h1",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(
        html.contains(r#"href="https://mairie.example" rel="nofollow ugc noopener""#),
        "{html}"
    );
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

/// Who may do what to a comment: anonymous, the author, another member, an
/// author, an editor, an admin, a key with `comments:moderate`, a key without.
fn authorization_matrix(app: &TestApp) {
    let editor = app.editor();
    let art = article(app, &editor);
    let owner = app.member();
    let other = app.member();
    let staff_author = app.author();
    let admin = app.admin();
    let mod_key = app.api_key(&["comments:moderate"]);
    let write_key = app.api_key(&["content:write"]);
    let callers: [(&str, Option<String>); 8] = [
        ("anonymous", None),
        ("owner", Some(owner.token.clone())),
        ("other member", Some(other.token.clone())),
        ("author", Some(staff_author.token.clone())),
        ("editor", Some(editor.token.clone())),
        ("admin", Some(admin.token.clone())),
        ("key comments:moderate", Some(mod_key)),
        ("key content:write", Some(write_key)),
    ];
    let mut n = 0;
    let mut fresh = || {
        n += 1;
        say(app, &owner.token, &art, &format!("Commentaire {n}"))
    };
    type Row = (&'static str, [u16; 8]);
    let expected: [Row; 8] = [
        ("post", [401, 201, 201, 201, 201, 201, 403, 403]),
        ("edit text", [401, 200, 403, 403, 403, 403, 403, 403]),
        ("decide", [401, 403, 403, 403, 200, 200, 200, 403]),
        ("delete", [401, 204, 403, 403, 204, 204, 204, 403]),
        ("queue", [401, 403, 403, 403, 200, 200, 200, 403]),
        ("bulk", [401, 403, 403, 403, 200, 200, 200, 403]),
        ("flag", [401, 201, 201, 201, 201, 201, 403, 403]),
        ("ban", [401, 403, 403, 403, 200, 200, 403, 403]),
    ];
    for (action, statuses) in expected {
        for ((who, token), want) in callers.iter().zip(statuses) {
            let c = fresh();
            decide(app, &editor.token, &c, "approved").ok();
            let cid = id(&c).to_string();
            let req = match action {
                "post" => app
                    .post(&comments_path(&art))
                    .json(&json!({"body": format!("Avis de {who}")})),
                "edit text" => app
                    .patch(&format!("/api/v1/comments/{cid}"))
                    .json(&json!({"body": "Modifié"})),
                "decide" => app
                    .patch(&format!("/api/v1/comments/{cid}"))
                    .json(&json!({"status": "rejected"})),
                "delete" => app.delete(&format!("/api/v1/comments/{cid}")),
                "queue" => app.get("/api/v1/comments"),
                "bulk" => app
                    .post("/api/v1/comments/moderation")
                    .json(&json!({"ids": [cid], "status": "spam"})),
                "flag" => app
                    .post(&format!("/api/v1/comments/{cid}/flags"))
                    .json(&json!({"reason": "test"})),
                "ban" => app
                    .put(&format!("/api/v1/users/{}/comment-ban", other.id))
                    .json(&json!({"reason": "test"})),
                _ => unreachable!(),
            };
            let req = match token {
                Some(t) => req.bearer(t),
                None => req,
            };
            let res = req.send();
            assert_eq!(res.status, want, "{action} by {who}: {}", res.text());
            if want >= 400 {
                res.problem(want);
            }
        }
        // lift the ban the matrix may have set, for the next rows
        let lifted = app
            .delete(&format!("/api/v1/users/{}/comment-ban", other.id))
            .bearer(&editor.token)
            .send();
        assert!(matches!(lifted.status, 204 | 404), "{}", lifted.text());
    }
    assert_eq!(
        comment_count(app, &art),
        approved_total(app, &editor.token, &art)
    );
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

db_tests!(
    config = generous;
    pre_moderation_holds_comments_until_approved,
    a_page_of_threads_costs_a_fixed_number_of_queries,
    closed_and_unpublished_articles_take_no_comments,
    guests_comment_only_when_the_site_allows,
    bans_with_and_without_an_end,
    the_same_text_twice_in_a_row_is_refused,
    authorization_matrix,
);
db_tests!(
    config = post_moderation;
    post_moderation_publishes_at_once_and_bulk_decisions,
    threads_nest_replies_and_keep_placeholders,
    hostile_html_is_neutralised,
    flags_send_a_comment_back_to_the_queue,
    authors_edit_within_the_window_and_delete_any_time,
);
db_tests!(config = guests; guests_give_a_name_and_an_email);
db_tests!(config = filtered; blocked_words_and_links_send_comments_to_the_queue);
db_tests!(config = tight; posting_is_rate_limited_per_member_and_per_address);
db_tests!(config = crowd; concurrent_posts_and_decisions_keep_the_count_exact);
