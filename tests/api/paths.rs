//! Addressing: every resource that has a slug answers to it wherever it
//! answers to its id (reads, changes, deletions, filters), and a segment that
//! cannot name an item is a 404 problem, never a 400 or a 500.

use crate::db_tests;
use crate::helpers::TestApp;
use serde_json::json;

fn sections_and_tags_are_deleted_by_slug_too(app: &TestApp) {
    let editor = app.editor();
    for kind in ["sections", "tags"] {
        let made = app
            .request("POST", &format!("/api/v1/{kind}"))
            .bearer(&editor.token)
            .json(&json!({"name": "Vie associative"}))
            .send();
        assert_eq!(made.status, 201, "{kind}: {}", made.text());
        let slug = made.json()["slug"].as_str().unwrap().to_string();
        let res = app
            .delete(&format!("/api/v1/{kind}/{slug}"))
            .bearer(&editor.token)
            .send();
        assert_eq!(res.status, 204, "{kind} by slug: {}", res.text());
        app.get(&format!("/api/v1/{kind}/{slug}"))
            .send()
            .problem(404);
        // deleting what is gone is a 404, by slug as by id
        app.delete(&format!("/api/v1/{kind}/{slug}"))
            .bearer(&editor.token)
            .send()
            .problem(404);
    }
}

fn authors_answer_to_id_and_slug(app: &TestApp) {
    let editor = app.editor();
    let author = app.author();
    let article = app
        .article(&editor)
        .title("Le marché couvert rouvre")
        .authors(&[&author])
        .published();
    let by_article = app.get(&article.path()).send().ok();
    let listed = &by_article["authors"][0];
    let slug = listed["slug"].as_str().unwrap();
    let id = listed["id"].as_str().unwrap();
    let by_slug = app.get(&format!("/api/v1/authors/{slug}")).send().ok();
    let by_id = app.get(&format!("/api/v1/authors/{id}")).send().ok();
    assert_eq!(by_slug, by_id);
    assert_eq!(by_slug["display_name"], listed["display_name"]);
}

fn polls_are_filtered_by_article_slug(app: &TestApp) {
    let editor = app.editor();
    let article = app
        .article(&editor)
        .title("Budget participatif")
        .published();
    let other = app.article(&editor).title("Autre sujet").published();
    let poll = app.poll(&editor).article(&article).create();
    app.poll(&editor).article(&other).create();
    for key in [article.slug().to_string(), article.id().to_string()] {
        let page = app.get(&format!("/api/v1/polls?article={key}")).send().ok();
        let ids: Vec<&str> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![poll.id()], "?article={key}");
    }
    let none = app.get("/api/v1/polls?article=pas-un-article").send().ok();
    assert_eq!(none["data"], json!([]));
    assert_eq!(none["meta"]["total"], 0);
}

fn segments_that_name_nothing_are_404(app: &TestApp) {
    let admin = app.admin();
    for path in [
        "/api/v1/jobs/abc",
        "/api/v1/events/-1",
        "/api/v1/polls/0",
        "/api/v1/users/99999999999999999999",
        "/api/v1/comments/1.5",
        "/api/v1/api-keys/%20",
        "/api/v1/articles/nope/revisions/abc",
    ] {
        let p = app.get(path).bearer(&admin.token).send();
        // comments have no GET: the method is refused before the id is read
        if path.starts_with("/api/v1/comments/") {
            p.problem(405);
        } else {
            let p = p.problem(404);
            assert_eq!(p["code"], "not_found", "{path}");
        }
    }
}

/// A path that belongs to a literal route (`/comments/moderation`) answers
/// 405 with that route's methods under another method, never "no such comment".
fn a_literal_route_under_another_method_is_405(app: &TestApp) {
    let editor = app.editor();
    for method in ["PATCH", "DELETE"] {
        let res = app
            .request(method, "/api/v1/comments/moderation")
            .bearer(&editor.token)
            .json(&json!({"status": "spam"}))
            .send();
        let p = res.problem(405);
        assert_eq!(p["code"], "method_not_allowed");
        assert_eq!(res.header("allow"), Some("POST"), "{method}");
    }
}

db_tests!(
    a_literal_route_under_another_method_is_405,
    sections_and_tags_are_deleted_by_slug_too,
    authors_answer_to_id_and_slug,
    polls_are_filtered_by_article_slug,
    segments_that_name_nothing_are_404,
);
