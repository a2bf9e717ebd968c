//! What an article was: its revisions, and its former addresses.

use chrono::Duration;
use serde_json::json;

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

fn former_slugs_redirect_to_the_current_address(app: &TestApp) {
    let editor = app.editor();
    let art = publish(app, &editor.token, "Fermeture du pont", json!({}));
    assert_eq!(art["slug"], "fermeture-du-pont");
    let twin = publish(app, &editor.token, "Fermeture du pont", json!({}));
    assert_eq!(twin["slug"], "fermeture-du-pont-2");
    app.patch(&path_of(&art))
        .bearer(&editor.token)
        .json(&json!({"slug": "fermeture-du-pont-de-pierre"}))
        .send()
        .ok();
    let res = app.get("/api/v1/articles/fermeture-du-pont").send();
    assert_eq!(res.status, 301);
    assert_eq!(
        res.header("location"),
        Some("/api/v1/articles/fermeture-du-pont-de-pierre")
    );
    assert_eq!(
        app.get("/api/v1/articles/fermeture-du-pont-de-pierre")
            .send()
            .ok()["id"],
        art["id"]
    );
    app.patch(&path_of(&twin))
        .bearer(&editor.token)
        .json(&json!({"slug": "fermeture-du-pont-de-pierre"}))
        .send()
        .problem(409);
    // a new article may take the old address: the live article wins
    let new = publish(
        app,
        &editor.token,
        "Autre",
        json!({"slug": "fermeture-du-pont"}),
    );
    assert_eq!(
        app.get("/api/v1/articles/fermeture-du-pont").send().ok()["id"],
        new["id"]
    );
}

fn every_change_keeps_a_revision(app: &TestApp) {
    let editor = app.editor();
    let art = publish(
        app,
        &editor.token,
        "Version 1",
        json!({"body": "Premier jet"}),
    );
    let path = path_of(&art);
    let first_update = art["updated_at"].clone();

    app.state.clock.advance(Duration::minutes(5));
    let editor = app.editor();
    // nothing differs: nothing changes
    let same = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"title": "Version 1"}))
        .send()
        .ok();
    assert_eq!(same["updated_at"], first_update);
    let archived = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"status": "archived"}))
        .send()
        .ok();
    assert_eq!(
        archived["updated_at"], first_update,
        "a status change is not a content change"
    );
    app.patch(&path)
        .bearer(&editor.token)
        .json(&json!({"status": "published"}))
        .send()
        .ok();

    let v2 = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"title": "Version 2", "body": "Deuxième jet"}))
        .send()
        .ok();
    assert_ne!(v2["updated_at"], first_update);
    app.patch(&path)
        .bearer(&editor.token)
        .json(&json!({"title": "Version 3"}))
        .send()
        .ok();

    let revs = app
        .get(&format!("{path}/revisions"))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(revs["meta"]["total"], 2);
    assert_eq!(revs["data"][0]["title"], "Version 2");
    assert_eq!(revs["data"][1]["title"], "Version 1");
    let oldest = revs["data"][1]["id"].as_str().unwrap();
    let content = app
        .get(&format!("{path}/revisions/{oldest}"))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(content["content"]["body"], "Premier jet");

    let restored = app
        .post(&format!("{path}/revisions/{oldest}/restore"))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(restored["title"], "Version 1");
    assert_eq!(restored["body"], "Premier jet");
    assert_eq!(
        app.get(&format!("{path}/revisions"))
            .bearer(&editor.token)
            .send()
            .ok()["meta"]["total"],
        3
    );

    app.get(&format!("{path}/revisions")).send().problem(401);
    app.get(&format!("{path}/revisions"))
        .bearer(&app.member().token)
        .send()
        .problem(403);
    app.get(&format!("{path}/revisions/999999"))
        .bearer(&editor.token)
        .send()
        .problem(404);
}

db_tests!(
    former_slugs_redirect_to_the_current_address,
    every_change_keeps_a_revision,
);
