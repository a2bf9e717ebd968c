//! The editors' side: making, listing, editing, closing and deleting polls.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

fn editors_manage_polls(app: &TestApp) {
    let editor = app.editor();
    let art = app
        .article(&editor)
        .title("Le centre-ville piéton ?")
        .published()
        .id()
        .to_string();
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

    // the article's polls: by filter, and on the article itself
    create(app, &editor.token, json!({}));
    let listed = app.get(&format!("/api/v1/polls?article={art}")).send().ok();
    assert_eq!(listed["meta"]["total"], 1);
    assert_eq!(listed["data"][0]["id"], poll["id"]);
    assert_eq!(app.get("/api/v1/polls").send().ok()["meta"]["total"], 2);
    let article = app.get(&format!("/api/v1/articles/{art}")).send().ok();
    assert_eq!(article["poll_id"], poll["id"]);
    let listed_articles = app.get("/api/v1/articles").send().ok();
    assert_eq!(listed_articles["meta"]["total"], 1);
    assert_eq!(listed_articles["data"][0]["poll_id"], poll["id"]);
    let without = app.article(&editor).published();
    assert_eq!(app.get(&without.path()).send().ok()["poll_id"], Value::Null);
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

db_tests!(
    editors_manage_polls,
    bad_polls_are_refused,
    options_freeze_at_the_first_vote,
);
