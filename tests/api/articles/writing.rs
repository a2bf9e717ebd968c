//! Writing and the workflow: drafts, publication, scheduling, members'
//! submissions, authors' rights over their own articles.

use chrono::{Duration, Utc};
use serde_json::json;

use super::*;
use crate::db_tests;
use crate::helpers::{TestApp, TestUser};

fn the_newsroom_writes_and_publishes(app: &TestApp) {
    let author = app.author();
    let eco = create_section(app, &author_editor(app).token, "Economie");
    let tag = create_tag(app, &author_editor(app).token, "Industrie");
    let draft = create_article(
        app,
        &author.token,
        json!({
            "title": "De l'usine à projets à l'usine à produits",
            "lead": "Comment une PME locale a changé de modèle.",
            "body": "## Le contexte\n\nUn **tournant**.\n\n<script>alert('x')</script>\n\n[lien](javascript:alert(1)) <img src=x onerror=alert(1)>",
            "section": "economie",
            "tags": [tag["slug"]],
            "cover": {"url": "https://cdn.example/usine.jpg", "alt": "L'atelier", "caption": "L'atelier en 2026", "credit": "© J. Dupont"},
            "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        }),
    );
    assert_eq!(draft["slug"], "de-l-usine-a-projets-a-l-usine-a-produits");
    assert_eq!(draft["status"], "draft", "staff start with a draft");
    assert_eq!(draft["section"]["id"], eco["id"]);
    assert_eq!(draft["tags"][0]["name"], "Industrie");
    assert_eq!(draft["authors"][0]["id"], author.id.as_str());
    assert_eq!(draft["cover"]["credit"], "© J. Dupont");
    assert_eq!(draft["comment_count"], 0);
    let html = draft["body_html"].as_str().unwrap();
    assert!(html.contains("<h2>Le contexte</h2>") && html.contains("<strong>tournant</strong>"));
    for bad in ["<script", "javascript:", "onerror"] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }

    let path = path_of(&draft);
    app.get(&path).send().problem(404);
    assert_eq!(app.get("/api/v1/articles").send().ok()["meta"]["total"], 0);
    assert_eq!(
        app.get(&path).bearer(&author.token).send().ok()["status"],
        "draft"
    );

    let published = app
        .patch(&path)
        .bearer(&author.token)
        .json(&json!({"status": "published"}))
        .send()
        .ok();
    assert_eq!(published["status"], "published");
    assert!(published["published_at"].is_string());
    let public = app
        .get("/api/v1/articles/de-l-usine-a-projets-a-l-usine-a-produits")
        .send()
        .ok();
    assert_eq!(public["title"], "De l'usine à projets à l'usine à produits");
    let list = app.get("/api/v1/articles").send().ok();
    assert_eq!(list["meta"]["total"], 1);
    assert!(
        list["data"][0].get("body").is_none(),
        "lists carry summaries"
    );
    assert_eq!(list["data"][0]["section"]["slug"], "economie");

    for (field, value) in [
        ("video_url", json!("http://video.example/x")),
        ("cover", json!({"url": "https://x.example/a.jpg"})),
        ("section", json!("nope")),
    ] {
        let p = app
            .post("/api/v1/articles")
            .bearer(&author.token)
            .json(&json!({"title": "T", field: value}))
            .send()
            .problem(422);
        assert!(
            p["errors"][0]["field"].as_str().unwrap().starts_with(field),
            "{p}"
        );
    }
}

fn author_editor(app: &TestApp) -> TestUser {
    app.editor()
}

fn scheduled_articles_go_public_on_their_own(app: &TestApp) {
    let editor = app.editor();
    let at = Utc::now() + Duration::hours(1);
    let a = create_article(
        app,
        &editor.token,
        json!({"title": "Le marché de Noël ouvre", "status": "scheduled", "published_at": at.to_rfc3339()}),
    );
    assert_eq!(a["status"], "scheduled");
    let path = path_of(&a);
    app.get(&path).send().problem(404);
    assert_eq!(app.get("/api/v1/articles").send().ok()["meta"]["total"], 0);
    let staff = app
        .get("/api/v1/articles?status=scheduled")
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(staff["meta"]["total"], 1);

    app.state.clock.advance(Duration::minutes(61));
    let editor = app.editor();
    assert_eq!(app.get(&path).send().ok()["status"], "published");
    assert_eq!(app.get("/api/v1/articles").send().ok()["meta"]["total"], 1);
    assert_eq!(
        app.get("/api/v1/articles?status=scheduled")
            .bearer(&editor.token)
            .send()
            .ok()["meta"]["total"],
        0
    );

    let p = app
        .post("/api/v1/articles")
        .bearer(&editor.token)
        .json(&json!({"title": "Trop tard", "status": "scheduled", "published_at": "2020-01-01T00:00:00Z"}))
        .send()
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "published_at");
}

fn member_submissions_wait_for_an_editor(app: &TestApp) {
    let member = app.member();
    let editor = app.editor();
    let sub = create_article(
        app,
        &member.token,
        json!({"title": "Notre association fête ses 20 ans", "body": "Venez nombreux"}),
    );
    assert_eq!(
        sub["status"], "pending",
        "a member's article is a submission"
    );
    let path = path_of(&sub);
    app.get(&path).send().problem(404);
    app.get(&path)
        .bearer(&app.member().token)
        .send()
        .problem(404);
    app.patch(&path)
        .bearer(&member.token)
        .json(&json!({"status": "published"}))
        .send()
        .problem(403);
    app.post("/api/v1/articles")
        .bearer(&member.token)
        .json(&json!({"title": "Direct", "status": "published"}))
        .send()
        .problem(403);
    let p = app
        .post("/api/v1/articles")
        .bearer(&member.token)
        .json(&json!({"title": "Signed", "authors": [editor.id]}))
        .send()
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "authors");

    let mine = app
        .get("/api/v1/articles?mine=true")
        .bearer(&member.token)
        .send()
        .ok();
    assert_eq!(
        mine["meta"]["total"], 1,
        "the refused ones were not written"
    );
    assert_eq!(mine["data"][0]["status"], "pending");
    app.get("/api/v1/articles?status=pending")
        .bearer(&member.token)
        .send()
        .problem(403);
    app.get("/api/v1/articles?status=pending")
        .send()
        .problem(401);
    let queue = app
        .get("/api/v1/articles?status=pending")
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(titles(&queue), ["Notre association fête ses 20 ans"]);

    app.patch(&path)
        .bearer(&editor.token)
        .json(&json!({"status": "rejected"}))
        .send()
        .problem(422);
    let rejected = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"status": "rejected", "rejection_reason": "Merci de préciser la date et le lieu."}))
        .send()
        .ok();
    assert_eq!(rejected["status"], "rejected");
    let seen = app.get(&path).bearer(&member.token).send().ok();
    assert_eq!(
        seen["rejection_reason"],
        "Merci de préciser la date et le lieu."
    );

    let fixed = app
        .patch(&path)
        .bearer(&member.token)
        .json(&json!({"body": "Samedi 12 à la salle des fêtes", "status": "pending"}))
        .send()
        .ok();
    assert_eq!(fixed["status"], "pending");
    assert!(fixed.get("rejection_reason").is_none());
    app.patch(&path)
        .bearer(&editor.token)
        .json(&json!({"status": "published"}))
        .send()
        .ok();
    assert_eq!(
        app.get(&path).send().ok()["body"],
        "Samedi 12 à la salle des fêtes"
    );
    // published: the member can no longer change it
    app.patch(&path)
        .bearer(&member.token)
        .json(&json!({"title": "Autre"}))
        .send()
        .problem(403);
    app.delete(&path).bearer(&member.token).send().problem(403);
}

fn authors_change_only_their_own_articles(app: &TestApp) {
    let a = app.author();
    let b = app.author();
    let editor = app.editor();
    let art = publish(
        app,
        &a.token,
        "Le conseil municipal vote le budget",
        json!({}),
    );
    let path = path_of(&art);
    app.patch(&path)
        .bearer(&b.token)
        .json(&json!({"title": "Piraté"}))
        .send()
        .problem(403);
    app.patch(&path)
        .bearer(&b.token)
        .json(&json!({"status": "archived"}))
        .send()
        .problem(403);
    app.delete(&path).bearer(&b.token).send().problem(403);
    let untouched = app.get(&path).send().ok();
    assert_eq!(untouched["title"], "Le conseil municipal vote le budget");
    assert_eq!(
        untouched["status"], "published",
        "the refusals changed nothing"
    );
    let shared = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"authors": [a.id, b.id]}))
        .send()
        .ok();
    assert_eq!(shared["authors"].as_array().unwrap().len(), 2);
    let edited = app
        .patch(&path)
        .bearer(&b.token)
        .json(&json!({"lead": "Co-signé"}))
        .send()
        .ok();
    assert_eq!(edited["lead"], "Co-signé");
    app.patch(&path)
        .bearer(&editor.token)
        .json(&json!({"status": "draft"}))
        .send()
        .ok();
    app.get(&path).send().problem(404);
    assert_eq!(app.delete(&path).bearer(&editor.token).send().status, 204);
    app.get(&path).bearer(&editor.token).send().problem(404);
}

db_tests!(
    the_newsroom_writes_and_publishes,
    scheduled_articles_go_public_on_their_own,
    member_submissions_wait_for_an_editor,
    authors_change_only_their_own_articles,
);
