//! The authorization matrix: every write endpoint (and every restricted read)
//! × every kind of caller, allowed or refused with the right status; a
//! refused write changes nothing.

use serde_json::json;

use crate::db_tests;
use crate::helpers::{Action, DENIED, Matrix, OK, PASSWORD, TestApp, UNAUTH};

fn every_write_asks_the_policy(app: &TestApp) {
    let admin = app.admin();
    let (member, author, editor, other_admin) =
        (app.member(), app.author(), app.editor(), app.admin());
    let (write_key, weather_key) = (
        app.api_key(&["content:write"]),
        app.api_key(&["weather:write"]),
    );
    let mut m = Matrix::new(app, &admin)
        .anonymous("anonymous")
        .caller("member", &member)
        .caller("author", &author)
        .caller("editor", &editor)
        .caller("admin", &other_admin)
        .caller("key content:write", &write_key)
        .caller("key weather:write", &weather_key);
    let staff_write = [UNAUTH, DENIED, DENIED, OK, OK, OK, DENIED];
    let admin_only = [UNAUTH, DENIED, DENIED, DENIED, OK, DENIED, DENIED];
    let any_user = [UNAUTH, OK, OK, OK, OK, DENIED, DENIED];
    let newsroom_or_submitter = [UNAUTH, OK, OK, OK, OK, OK, DENIED];
    let admin = &admin;

    m.row("create section", staff_write, |_| {
        Action::post("/api/v1/sections")
            .json(json!({"name": "Nouvelle"}))
            .unchanged("/api/v1/sections?limit=100")
    });
    m.row("update section", staff_write, |_| {
        let s = app.section(admin).name("Section").create();
        Action::patch(s.path())
            .json(json!({"name": "Renommée"}))
            .unchanged(s.path())
    });
    m.row("delete section", staff_write, |_| {
        let s = app.section(admin).name("Section").create();
        Action::delete(s.path()).unchanged(s.path())
    });
    m.row("create tag", staff_write, |_| {
        Action::post("/api/v1/tags")
            .json(json!({"name": "Nouveau"}))
            .unchanged("/api/v1/tags?limit=100")
    });
    m.row("update tag", staff_write, |_| {
        let t = app.tag(admin).name("Tag").create();
        Action::patch(t.path())
            .json(json!({"name": "Renommé"}))
            .unchanged(t.path())
    });
    m.row("delete tag", staff_write, |_| {
        let t = app.tag(admin).name("Tag").create();
        Action::delete(t.path()).unchanged(t.path())
    });
    m.row("submit or write article", newsroom_or_submitter, |_| {
        Action::post("/api/v1/articles")
            .json(json!({"title": "Nouvel article"}))
            .unchanged("/api/v1/articles?status=draft,pending,published&limit=100")
    });
    // a published article written by the admin: nobody else's own
    let article = || app.article(admin).title("Article").published();
    m.row("edit another's article", staff_write, |_| {
        let a = article();
        Action::patch(a.path())
            .json(json!({"title": "Modifié"}))
            .unchanged(a.path())
    });
    m.row("unpublish another's article", staff_write, |_| {
        let a = article();
        Action::patch(a.path())
            .json(json!({"status": "draft"}))
            .unchanged(a.path())
    });
    m.row("delete another's article", staff_write, |_| {
        let a = article();
        Action::delete(a.path()).unchanged(a.path())
    });
    m.row(
        "list the article queue",
        [UNAUTH, DENIED, OK, OK, OK, OK, DENIED],
        |_| Action::get("/api/v1/articles?status=pending"),
    );
    m.row("create poll", staff_write, |_| {
        let closes = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
        Action::post("/api/v1/polls")
            .json(json!({"question": "Q ?", "options": [{"label": "A"}, {"label": "B"}], "closes_at": closes}))
            .unchanged("/api/v1/polls?limit=100")
    });
    // an open poll for members, created by the admin
    let poll = || {
        app.poll(admin)
            .with(
                json!({"question": "Q ?", "options": [{"label": "Oui"}, {"label": "Non"}],
                         "who_may_vote": "members"}),
            )
            .create()
    };
    m.row("edit poll", staff_write, |_| {
        let p = poll();
        Action::patch(p.path())
            .json(json!({"question": "Autre ?"}))
            .unchanged(p.path())
    });
    m.row("close poll", staff_write, |_| {
        let p = poll();
        Action::post(format!("{}/close", p.path())).unchanged(p.path())
    });
    m.row("delete poll", staff_write, |_| {
        let p = poll();
        Action::delete(p.path()).unchanged(p.path())
    });
    m.row(
        "vote in a members-only poll",
        [UNAUTH, OK, OK, OK, OK, DENIED, DENIED],
        |_| {
            let p = poll();
            Action::post(format!("{}/votes", p.path()))
                .json(json!({"options": [p["options"][0]["id"]]}))
                .unchanged(format!("{}/results", p.path()))
        },
    );
    m.row("list users", admin_only, |_| Action::get("/api/v1/users"));
    m.row("read user", admin_only, |_| {
        Action::get(format!("/api/v1/users/{}", app.member().id))
    });
    m.row("update user", admin_only, |_| {
        let path = format!("/api/v1/users/{}", app.member().id);
        Action::patch(&path)
            .json(json!({"role": "author"}))
            .unchanged(path)
    });
    m.row("delete user", admin_only, |_| {
        let path = format!("/api/v1/users/{}", app.member().id);
        Action::delete(&path).unchanged(path)
    });
    m.row("create key", admin_only, |_| {
        Action::post("/api/v1/api-keys")
            // (no re-read: the list shows when each key, the caller's too, was last used)
            .json(json!({"name": "k", "scopes": ["content:read"]}))
    });
    m.row("list keys", admin_only, |_| Action::get("/api/v1/api-keys"));
    m.row("read key", admin_only, |_| {
        Action::get(app.key(admin).name("k").create().path())
    });
    m.row("revoke key", admin_only, |_| {
        let k = app.key(admin).name("k").create();
        Action::delete(k.path()).unchanged(k.path())
    });
    m.row(
        "push weather",
        [UNAUTH, DENIED, DENIED, DENIED, OK, DENIED, OK],
        |_| {
            Action::put("/api/v1/weather/besancon")
                .json(json!({"name": "Besançon", "observation": {
                "temperature_c": 14.41, "description": "légère pluie",
                "observed_at": "2026-06-22T10:00:00Z", "wind_speed_ms": 1.85,
                "pressure_hpa": 1018.0, "humidity_pct": 91}}))
                .unchanged("/api/v1/weather")
        },
    );
    m.row("read me", any_user, |_| Action::get("/api/v1/me"));
    m.row("update me", any_user, |_| {
        Action::patch("/api/v1/me").json(json!({"bio": "Bonjour"}))
    });
    // last: it ends the caller's sessions
    m.row("change password", any_user, |_| {
        Action::post("/api/v1/me/password")
            .json(json!({"current_password": PASSWORD, "new_password": "Encore-un-autre-2026"}))
    });
    m.run();
}

db_tests!(every_write_asks_the_policy);
