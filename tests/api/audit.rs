//! The audit log: an admin reads who did what, when and from where; nobody
//! else reads it, and it never holds a secret.

use chrono::Duration;
use kiosque::config::Config;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::at;
use crate::helpers::{PASSWORD, TestApp, TestUser};

/// Behind a proxy the app trusts, so each request can come from its own address.
fn behind_proxy(c: &mut Config) {
    c.trust_proxy = true;
}

/// Every entry matching `query` (one page of up to 100), newest first.
fn entries(app: &TestApp, admin: &TestUser, query: &str) -> Vec<Value> {
    let url = match query {
        "" => "/api/v1/audit?limit=100".to_string(),
        q => format!("/api/v1/audit?limit=100&{q}"),
    };
    let res = app.get(&url).bearer(&admin.token).send();
    let page = res.ok();
    page["data"].as_array().unwrap().clone()
}

/// The newest entry of `action`, checked to be by `actor` on `target` from `ip`.
#[track_caller]
fn recorded(
    app: &TestApp,
    admin: &TestUser,
    action: &str,
    actor: (&str, Option<&str>),
    target: (&str, &str),
    ip: &str,
) -> Value {
    let found = entries(app, admin, &format!("action={action}"));
    let e = found
        .first()
        .unwrap_or_else(|| panic!("no `{action}` entry"))
        .clone();
    assert_eq!(e["action"], action);
    assert_eq!(e["actor"]["type"], actor.0, "{e}");
    assert_eq!(e["actor"]["id"].as_str(), actor.1, "{e}");
    assert_eq!(e["target"]["type"], target.0, "{e}");
    assert_eq!(e["target"]["id"], target.1, "{e}");
    assert_eq!(e["ip"], ip, "{e}");
    assert!(e["occurred_at"].is_string() && e["id"].is_string());
    e
}

fn created_id(res: crate::helpers::Resp) -> String {
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()["id"].as_str().unwrap().to_string()
}

fn sign_ins_accounts_and_keys_are_recorded(app: &TestApp) {
    let admin = app.admin();
    let member = app.member();
    let office = "203.0.113.5";
    let login = |ip: &str, password: &str| {
        app.post("/api/v1/auth/login")
            .header("X-Forwarded-For", ip)
            .json(&json!({"email": member.email, "password": password}))
            .send()
    };
    assert_eq!(login("198.51.100.9", "Pas-le-bon-mot").status, 401);
    let failed = recorded(
        app,
        &admin,
        "auth.sign_in_failed",
        ("anonymous", None),
        ("user", &member.id),
        "198.51.100.9",
    );
    assert_eq!(failed["details"]["email"], member.email);
    let session = login("198.51.100.10", PASSWORD).ok();
    recorded(
        app,
        &admin,
        "auth.sign_in",
        ("user", Some(&member.id)),
        ("user", &member.id),
        "198.51.100.10",
    );

    let user_path = format!("/api/v1/users/{}", member.id);
    let as_admin = |req: crate::helpers::Req<'_>| {
        req.bearer(&admin.token)
            .header("X-Forwarded-For", office)
            .send()
    };
    as_admin(app.patch(&user_path).json(&json!({"role": "editor"}))).ok();
    let role = recorded(
        app,
        &admin,
        "user.role_changed",
        ("user", Some(&admin.id)),
        ("user", &member.id),
        office,
    );
    assert_eq!(role["details"], json!({"from": "member", "to": "editor"}));
    as_admin(app.patch(&user_path).json(&json!({"disabled": true}))).ok();
    let admin_actor = ("user", Some(admin.id.as_str()));
    recorded(
        app,
        &admin,
        "user.disabled",
        admin_actor,
        ("user", &member.id),
        office,
    );
    as_admin(app.patch(&user_path).json(&json!({"disabled": false}))).ok();
    recorded(
        app,
        &admin,
        "user.enabled",
        admin_actor,
        ("user", &member.id),
        office,
    );
    assert_eq!(as_admin(app.delete(&user_path)).status, 204);
    let deleted = recorded(
        app,
        &admin,
        "user.deleted",
        admin_actor,
        ("user", &member.id),
        office,
    );
    assert_eq!(deleted["details"]["email"], member.email);

    let key = as_admin(
        app.post("/api/v1/api-keys")
            .json(&json!({"name": "Appli mobile", "scopes": ["content:read"]})),
    );
    assert_eq!(key.status, 201, "{}", key.text());
    let key = key.json();
    let key_id = key["id"].as_str().unwrap();
    let created = recorded(
        app,
        &admin,
        "api_key.created",
        admin_actor,
        ("api_key", key_id),
        office,
    );
    assert_eq!(created["details"]["name"], "Appli mobile");
    assert_eq!(created["details"]["scopes"], "content:read");
    let revoked = as_admin(app.delete(&format!("/api/v1/api-keys/{key_id}")));
    assert_eq!(revoked.status, 204);
    recorded(
        app,
        &admin,
        "api_key.revoked",
        admin_actor,
        ("api_key", key_id),
        office,
    );

    // no password, token or key secret anywhere in the log
    let log = app
        .get("/api/v1/audit?limit=100")
        .bearer(&admin.token)
        .send()
        .text();
    let secrets = [
        PASSWORD,
        "Pas-le-bon-mot",
        key["secret"].as_str().unwrap(),
        session["access_token"].as_str().unwrap(),
        session["refresh_token"].as_str().unwrap(),
        admin.token.as_str(),
        admin.refresh.as_str(),
    ];
    for secret in secrets {
        assert!(!log.contains(secret), "the log holds a secret");
    }
}

fn moderation_and_publication_are_recorded(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let member = app.member();
    let desk = "203.0.113.6";
    let editor_actor = ("user", Some(editor.id.as_str()));
    let as_editor = |req: crate::helpers::Req<'_>| {
        req.bearer(&editor.token)
            .header("X-Forwarded-For", desk)
            .send()
    };

    // an article: published on creation, archived, deleted
    let art = created_id(as_editor(
        app.post("/api/v1/articles")
            .json(&json!({"title": "Conseil municipal", "status": "published"})),
    ));
    recorded(
        app,
        &admin,
        "article.published",
        editor_actor,
        ("article", &art),
        desk,
    );

    // a comment approved, its author banned then allowed again
    let comment = app
        .post(&format!("/api/v1/articles/{art}/comments"))
        .bearer(&member.token)
        .json(&json!({"body": "Enfin une bonne nouvelle."}))
        .send();
    let comment = created_id(comment);
    as_editor(
        app.patch(&format!("/api/v1/comments/{comment}"))
            .json(&json!({"status": "approved"})),
    )
    .ok();
    let decision = recorded(
        app,
        &admin,
        "comment.approved",
        editor_actor,
        ("comment", &comment),
        desk,
    );
    assert_eq!(decision["details"]["from"], "pending");
    as_editor(
        app.post("/api/v1/comments/moderation")
            .json(&json!({"ids": [comment], "status": "spam"})),
    )
    .ok();
    recorded(
        app,
        &admin,
        "comment.spam",
        editor_actor,
        ("comment", &comment),
        desk,
    );
    let ban_path = format!("/api/v1/users/{}/comment-ban", member.id);
    as_editor(app.put(&ban_path).json(&json!({"reason": "Spam répété"}))).ok();
    let ban = recorded(
        app,
        &admin,
        "commenter.banned",
        editor_actor,
        ("user", &member.id),
        desk,
    );
    assert_eq!(ban["details"]["reason"], "Spam répété");
    assert_eq!(as_editor(app.delete(&ban_path)).status, 204);
    recorded(
        app,
        &admin,
        "commenter.ban_lifted",
        editor_actor,
        ("user", &member.id),
        desk,
    );

    let art_path = format!("/api/v1/articles/{art}");
    as_editor(app.patch(&art_path).json(&json!({"status": "archived"}))).ok();
    let gone = recorded(
        app,
        &admin,
        "article.unpublished",
        editor_actor,
        ("article", &art),
        desk,
    );
    assert_eq!(
        gone["details"],
        json!({"from": "published", "to": "archived"})
    );
    assert_eq!(as_editor(app.delete(&art_path)).status, 204);
    recorded(
        app,
        &admin,
        "article.deleted",
        editor_actor,
        ("article", &art),
        desk,
    );

    // a job offer and an event: published, unpublished, deleted
    let job = json!({
        "title": "Boulanger·e",
        "company": {"name": "Boulangerie Le Goff", "website": "https://legoff.example"},
        "location": {"city": "Quimper", "postal_code": "29000"},
        "contract_type": "cdi", "working_time": "full_time",
        "salary": {"min_cents": 180000, "max_cents": 210000, "period": "month"},
        "description": "Pétrir.", "apply": {"email": "emploi@legoff.example"},
        "status": "published"
    });
    let event = json!({
        "title": "Fest-noz", "description": "Venez nombreux !",
        "starts_at": at(app, Duration::days(3)),
        "ends_at": at(app, Duration::days(3) + Duration::hours(4)),
        "venue": {"name": "Salle des fêtes", "address": "2 place de la Mairie",
                  "city": "Pont-l'Abbé", "postal_code": "29120"},
        "price": {"free": true}, "organizer": "Comité des fêtes",
        "category": "concert", "status": "published"
    });
    for (kind, body) in [("job", job), ("event", event)] {
        let path = format!("/api/v1/{kind}s");
        let id = created_id(as_editor(app.post(&path).json(&body)));
        let one = format!("{path}/{id}");
        recorded(
            app,
            &admin,
            &format!("{kind}.published"),
            editor_actor,
            (kind, &id),
            desk,
        );
        as_editor(app.patch(&one).json(&json!({"status": "archived"}))).ok();
        recorded(
            app,
            &admin,
            &format!("{kind}.unpublished"),
            editor_actor,
            (kind, &id),
            desk,
        );
        assert_eq!(as_editor(app.delete(&one)).status, 204);
        recorded(
            app,
            &admin,
            &format!("{kind}.deleted"),
            editor_actor,
            (kind, &id),
            desk,
        );
    }
}

fn only_admins_read_the_log(app: &TestApp) {
    let member = app.member();
    let editor = app.editor();
    let key = app.api_key(&["content:read", "content:write", "comments:moderate"]);
    app.get("/api/v1/audit").send().problem(401);
    for token in [&member.token, &editor.token, &key] {
        app.get("/api/v1/audit").bearer(token).send().problem(403);
    }
    let admin = app.admin();
    assert!(!entries(app, &admin, "").is_empty());
}

fn filters_and_pages(app: &TestApp) {
    let admin = app.admin();
    let alice = app.member();
    let bob = app.member();
    let fail = |who: &TestUser, ip: &str| {
        let res = app
            .post("/api/v1/auth/login")
            .header("X-Forwarded-For", ip)
            .json(&json!({"email": who.email, "password": "Mauvais-mot-1"}))
            .send();
        assert_eq!(res.status, 401);
    };
    for _ in 0..3 {
        fail(&alice, "192.0.2.1");
    }
    let before_bob = (app.state.clock.now_utc() + Duration::seconds(30)).to_rfc3339();
    app.state.clock.advance(Duration::minutes(1));
    for _ in 0..2 {
        fail(&bob, "192.0.2.2");
    }

    let failed = entries(app, &admin, "action=auth.sign_in_failed");
    assert_eq!(failed.len(), 5);
    // newest first
    assert_eq!(failed[0]["target"]["id"], bob.id.as_str());
    let by_target = entries(
        app,
        &admin,
        &format!("target_type=user&target_id={}", alice.id),
    );
    // her sign-in after signing up, and her three failures
    assert_eq!(by_target.len(), 4);
    assert!(
        by_target
            .iter()
            .all(|e| e["target"]["id"] == alice.id.as_str())
    );
    let both = entries(
        app,
        &admin,
        &format!("action=auth.sign_in_failed&target_id={}", alice.id),
    );
    assert_eq!(both.len(), 3);
    let by_actor = entries(app, &admin, &format!("actor={}&actor_type=user", admin.id));
    assert!(!by_actor.is_empty());
    assert!(
        by_actor
            .iter()
            .all(|e| e["actor"]["id"] == admin.id.as_str())
    );
    let several = entries(app, &admin, "action=auth.sign_in_failed,auth.sign_in");
    assert!(several.len() > 5);
    let enc = |t: &str| t.replace('+', "%2B");
    let until = entries(
        app,
        &admin,
        &format!("action=auth.sign_in_failed&until={}", enc(&before_bob)),
    );
    assert_eq!(until.len(), 3);
    let since = entries(
        app,
        &admin,
        &format!("action=auth.sign_in_failed&since={}", enc(&before_bob)),
    );
    assert_eq!(since.len(), 2);
    assert!(entries(app, &admin, "action=user.deleted").is_empty());

    // pages of two, oldest first, by page and by cursor
    let q = "/api/v1/audit?action=auth.sign_in_failed&sort=occurred_at&limit=2";
    let first = app.get(q).bearer(&admin.token).send();
    assert!(first.header("link").unwrap().contains("rel=\"next\""));
    let first = first.ok();
    assert_eq!(first["meta"]["total"], 5);
    assert_eq!(first["data"][0]["target"]["id"], alice.id.as_str());
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{q}&cursor={c}"),
            None => q.to_string(),
        };
        let page = app.get(&url).bearer(&admin.token).send().ok();
        for e in page["data"].as_array().unwrap() {
            seen.push(e["id"].as_str().unwrap().to_string());
        }
        match page["meta"]["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (5, 5));
    let third = app
        .get(&format!("{q}&page=3"))
        .bearer(&admin.token)
        .send()
        .ok();
    assert_eq!(third["data"].as_array().unwrap().len(), 1);

    // bad filters are 400s that say what is wrong
    for bad in [
        "actor=alice",
        "actor_type=robot",
        "since=yesterday",
        "sort=action",
        "colour=red",
    ] {
        app.get(&format!("/api/v1/audit?{bad}"))
            .bearer(&admin.token)
            .send()
            .problem(400);
    }
}

fn old_entries_are_purged(app: &TestApp) {
    let admin = app.admin();
    let member = app.member();
    app.login(&member.email, "Mauvais-mot-1").problem(401);
    let days = i64::from(app.state.config.audit_retention_days);
    app.state.clock.advance(Duration::days(days + 1));
    let fresh = app.login(&admin.email, PASSWORD).ok();
    let token = fresh["access_token"].as_str().unwrap();
    let purged = actix_web::rt::System::new()
        .block_on(kiosque::audit::purge_expired(&app.state))
        .unwrap();
    assert_eq!(
        purged, 3,
        "the admin's and the member's old sign-ins and the member's failure went"
    );
    let page = app.get("/api/v1/audit").bearer(token).send().ok();
    let left = page["data"].as_array().unwrap();
    assert_eq!(left.len(), 1, "{page}");
    assert_eq!(left[0]["action"], "auth.sign_in");
}

db_tests!(config = behind_proxy;
    sign_ins_accounts_and_keys_are_recorded,
    moderation_and_publication_are_recorded,
    only_admins_read_the_log,
    filters_and_pages,
    old_entries_are_purged,
);
