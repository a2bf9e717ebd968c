//! The authorization matrix: every write endpoint (and every restricted read)
//! × every kind of caller, allowed or refused with the right status.

use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp};

#[derive(Debug, Clone, Copy, PartialEq)]
enum E {
    /// 2xx
    Ok,
    /// 401: sign in first
    Unauth,
    /// 403: not allowed to this caller
    Denied,
}
use E::*;

const CALLERS: [&str; 7] = [
    "anonymous",
    "member",
    "author",
    "editor",
    "admin",
    "key content:write",
    "key weather:write",
];

/// What a row needs to build its request, made fresh for each caller.
struct Fixture<'a> {
    app: &'a TestApp,
    admin_token: String,
}

impl Fixture<'_> {
    fn created(&self, path: &str, body: Value) -> String {
        let res = self
            .app
            .post(path)
            .bearer(&self.admin_token)
            .json(&body)
            .send();
        assert_eq!(res.status, 201, "{}", res.text());
        res.json()["id"].as_str().unwrap().to_string()
    }
    fn section(&self) -> String {
        self.created("/api/v1/sections", json!({"name": "Section"}))
    }
    fn tag(&self) -> String {
        self.created("/api/v1/tags", json!({"name": "Tag"}))
    }
    fn key(&self) -> String {
        self.created(
            "/api/v1/api-keys",
            json!({"name": "k", "scopes": ["content:read"]}),
        )
    }
    fn member(&self) -> String {
        self.app.member().id
    }
    /// An open poll for members, created by the admin.
    fn poll(&self) -> String {
        let closes = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
        self.created(
            "/api/v1/polls",
            json!({"question": "Q ?", "options": [{"label": "Oui"}, {"label": "Non"}], "closes_at": closes, "who_may_vote": "members"}),
        )
    }
    /// A published article written by the admin: nobody else's own.
    fn article(&self) -> String {
        self.created(
            "/api/v1/articles",
            json!({"title": "Article", "status": "published"}),
        )
    }
}

type Build = fn(&Fixture) -> (&'static str, String, Option<Value>);

fn rows() -> Vec<(&'static str, Build, [E; 7])> {
    let staff_write = [Unauth, Denied, Denied, Ok, Ok, Ok, Denied];
    let admin_only = [Unauth, Denied, Denied, Denied, Ok, Denied, Denied];
    let any_user = [Unauth, Ok, Ok, Ok, Ok, Denied, Denied];
    let newsroom_or_submitter = [Unauth, Ok, Ok, Ok, Ok, Ok, Denied];
    vec![
        (
            "create section",
            |_| {
                (
                    "POST",
                    "/api/v1/sections".into(),
                    Some(json!({"name": "Nouvelle"})),
                )
            },
            staff_write,
        ),
        (
            "update section",
            |f| {
                (
                    "PATCH",
                    format!("/api/v1/sections/{}", f.section()),
                    Some(json!({"name": "Renommée"})),
                )
            },
            staff_write,
        ),
        (
            "delete section",
            |f| ("DELETE", format!("/api/v1/sections/{}", f.section()), None),
            staff_write,
        ),
        (
            "create tag",
            |_| {
                (
                    "POST",
                    "/api/v1/tags".into(),
                    Some(json!({"name": "Nouveau"})),
                )
            },
            staff_write,
        ),
        (
            "update tag",
            |f| {
                (
                    "PATCH",
                    format!("/api/v1/tags/{}", f.tag()),
                    Some(json!({"name": "Renommé"})),
                )
            },
            staff_write,
        ),
        (
            "delete tag",
            |f| ("DELETE", format!("/api/v1/tags/{}", f.tag()), None),
            staff_write,
        ),
        (
            "submit or write article",
            |_| {
                (
                    "POST",
                    "/api/v1/articles".into(),
                    Some(json!({"title": "Nouvel article"})),
                )
            },
            newsroom_or_submitter,
        ),
        (
            "edit another's article",
            |f| {
                (
                    "PATCH",
                    format!("/api/v1/articles/{}", f.article()),
                    Some(json!({"title": "Modifié"})),
                )
            },
            staff_write,
        ),
        (
            "unpublish another's article",
            |f| {
                (
                    "PATCH",
                    format!("/api/v1/articles/{}", f.article()),
                    Some(json!({"status": "draft"})),
                )
            },
            staff_write,
        ),
        (
            "delete another's article",
            |f| ("DELETE", format!("/api/v1/articles/{}", f.article()), None),
            staff_write,
        ),
        (
            "list the article queue",
            |_| ("GET", "/api/v1/articles?status=pending".into(), None),
            [Unauth, Denied, Ok, Ok, Ok, Ok, Denied],
        ),
        (
            "create poll",
            |_| {
                let closes = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
                (
                    "POST",
                    "/api/v1/polls".into(),
                    Some(
                        json!({"question": "Q ?", "options": [{"label": "A"}, {"label": "B"}], "closes_at": closes}),
                    ),
                )
            },
            staff_write,
        ),
        (
            "edit poll",
            |f| {
                (
                    "PATCH",
                    format!("/api/v1/polls/{}", f.poll()),
                    Some(json!({"question": "Autre ?"})),
                )
            },
            staff_write,
        ),
        (
            "close poll",
            |f| ("POST", format!("/api/v1/polls/{}/close", f.poll()), None),
            staff_write,
        ),
        (
            "delete poll",
            |f| ("DELETE", format!("/api/v1/polls/{}", f.poll()), None),
            staff_write,
        ),
        (
            "vote in a members-only poll",
            |f| {
                let id = f.poll();
                let option = f.app.get(&format!("/api/v1/polls/{id}")).send().json()["options"][0]
                    ["id"]
                    .clone();
                (
                    "POST",
                    format!("/api/v1/polls/{id}/votes"),
                    Some(json!({"options": [option]})),
                )
            },
            [Unauth, Ok, Ok, Ok, Ok, Denied, Denied],
        ),
        (
            "list users",
            |_| ("GET", "/api/v1/users".into(), None),
            admin_only,
        ),
        (
            "read user",
            |f| ("GET", format!("/api/v1/users/{}", f.member()), None),
            admin_only,
        ),
        (
            "update user",
            |f| {
                (
                    "PATCH",
                    format!("/api/v1/users/{}", f.member()),
                    Some(json!({"role": "author"})),
                )
            },
            admin_only,
        ),
        (
            "delete user",
            |f| ("DELETE", format!("/api/v1/users/{}", f.member()), None),
            admin_only,
        ),
        (
            "create key",
            |_| {
                (
                    "POST",
                    "/api/v1/api-keys".into(),
                    Some(json!({"name": "k", "scopes": ["content:read"]})),
                )
            },
            admin_only,
        ),
        (
            "list keys",
            |_| ("GET", "/api/v1/api-keys".into(), None),
            admin_only,
        ),
        (
            "read key",
            |f| ("GET", format!("/api/v1/api-keys/{}", f.key()), None),
            admin_only,
        ),
        (
            "revoke key",
            |f| ("DELETE", format!("/api/v1/api-keys/{}", f.key()), None),
            admin_only,
        ),
        ("read me", |_| ("GET", "/api/v1/me".into(), None), any_user),
        (
            "update me",
            |_| {
                (
                    "PATCH",
                    "/api/v1/me".into(),
                    Some(json!({"bio": "Bonjour"})),
                )
            },
            any_user,
        ),
        // last: it ends the caller's sessions
        (
            "change password",
            |_| {
                (
                    "POST",
                    "/api/v1/me/password".into(),
                    Some(
                        json!({"current_password": PASSWORD, "new_password": "Encore-un-autre-2026"}),
                    ),
                )
            },
            any_user,
        ),
    ]
}

fn every_write_asks_the_policy(app: &TestApp) {
    let admin = app.admin();
    let fixture = Fixture {
        app,
        admin_token: admin.token.clone(),
    };
    let tokens: Vec<Option<String>> = vec![
        None,
        Some(app.member().token),
        Some(app.author().token),
        Some(app.editor().token),
        Some(app.admin().token),
        Some(app.api_key(&["content:write"])),
        Some(app.api_key(&["weather:write"])),
    ];
    let mut failures = Vec::new();
    for (name, build, expected) in rows() {
        for (i, token) in tokens.iter().enumerate() {
            let (method, path, body) = build(&fixture);
            let mut req = app.request(method, &path);
            if let Some(t) = token {
                req = req.bearer(t);
            }
            if let Some(b) = &body {
                req = req.json(b);
            }
            let res = req.send();
            let got = match res.status {
                200..=299 => Ok,
                401 => Unauth,
                403 => Denied,
                other => panic!(
                    "{name} as {}: unexpected {other}: {}",
                    CALLERS[i],
                    res.text()
                ),
            };
            if got != Ok {
                res.problem(res.status);
            }
            if got == Unauth {
                assert!(
                    res.header("www-authenticate")
                        .is_some_and(|h| h.starts_with("Bearer"))
                );
            }
            if got != expected[i] {
                failures.push(format!(
                    "{name} as {}: expected {:?}, got {:?} ({})",
                    CALLERS[i], expected[i], got, res.status
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );
}

db_tests!(every_write_asks_the_policy);
