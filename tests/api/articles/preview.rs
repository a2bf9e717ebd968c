//! Previews: an editor hands a front end a short-lived token that shows one
//! unpublished article to whoever holds it, and to nobody else.

use chrono::Duration;
use serde_json::{Value, json};

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

/// Asks for a preview token of `article` as `token`'s holder.
fn preview_of(app: &TestApp, token: &str, article: &Value) -> Value {
    app.post(&format!("{}/preview", path_of(article)))
        .bearer(token)
        .send()
        .ok()
}

fn a_preview_token_shows_a_draft_to_its_holder_only(app: &TestApp) {
    let editor = app.editor();
    let draft = create_article(
        app,
        &editor.token,
        json!({"title": "Le scoop de lundi", "body": "Top secret."}),
    );
    let path = path_of(&draft);
    app.get(&path).send().problem(404);

    let preview = preview_of(app, &editor.token, &draft);
    let token = preview["token"].as_str().unwrap();
    assert_eq!(
        preview["url"],
        format!(
            "/api/v1/articles/{}?preview={token}",
            draft["id"].as_str().unwrap()
        )
    );
    let expires: chrono::DateTime<chrono::Utc> =
        preview["expires_at"].as_str().unwrap().parse().unwrap();
    let lifetime = expires - app.state.clock.now_utc();
    assert!(
        lifetime > Duration::minutes(59) && lifetime <= Duration::minutes(60),
        "an hour by default: {lifetime}"
    );

    // anyone with the token reads the draft, and no cache keeps it
    let read = app.get(preview["url"].as_str().unwrap()).send();
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.json()["title"], "Le scoop de lundi");
    assert_eq!(read.json()["status"], "draft");
    assert_eq!(read.header("cache-control"), Some("private, no-store"));
    assert!(read.header("surrogate-key").is_none());
    let again = app.get(preview["url"].as_str().unwrap()).send();
    assert_eq!(again.status, 200);
    assert_eq!(again.header("cache-control"), Some("private, no-store"));
    // …and without it, the draft is still hidden
    app.get(&path).send().problem(404);
    // by slug too
    let by_slug = app
        .get(&format!(
            "/api/v1/articles/{}?preview={token}",
            draft["slug"].as_str().unwrap()
        ))
        .send();
    assert_eq!(by_slug.status, 200, "{}", by_slug.text());

    // it shows the draft as it is now, edits included
    app.patch(&path)
        .bearer(&editor.token)
        .json(&json!({"title": "Le scoop de mardi"}))
        .send()
        .ok();
    let read = app.get(preview["url"].as_str().unwrap()).send().ok();
    assert_eq!(read["title"], "Le scoop de mardi");

    // a published article read with a token is not kept by the cache either
    let public = publish(app, &editor.token, "Déjà public", json!({}));
    let public_preview = preview_of(app, &editor.token, &public);
    let read = app.get(public_preview["url"].as_str().unwrap()).send();
    assert_eq!(read.header("cache-control"), Some("private, no-store"));
    let plain = app.get(&path_of(&public)).send();
    assert_eq!(plain.header("cache-control"), Some("public, max-age=60"));
}

fn only_those_who_may_edit_an_article_get_a_preview_token(app: &TestApp) {
    let editor = app.editor();
    let writer = app.author();
    let colleague = app.author();
    let member = app.member();
    let own = create_article(app, &writer.token, json!({"title": "Mon papier"}));
    // its author and any editor
    preview_of(app, &writer.token, &own);
    preview_of(app, &editor.token, &own);
    // not anonymous callers, not another author, not a member
    app.post(&format!("{}/preview", path_of(&own)))
        .send()
        .problem(401);
    app.post(&format!("{}/preview", path_of(&own)))
        .bearer(&colleague.token)
        .send()
        .problem(403);
    app.post(&format!("{}/preview", path_of(&own)))
        .bearer(&member.token)
        .send()
        .problem(404);
    app.post("/api/v1/articles/999999/preview")
        .bearer(&editor.token)
        .send()
        .problem(404);
    // a member previews their own submission
    let submission = create_article(app, &member.token, json!({"title": "Ma fête de quartier"}));
    assert_eq!(submission["status"], "pending");
    let preview = preview_of(app, &member.token, &submission);
    let read = app.get(preview["url"].as_str().unwrap()).send().ok();
    assert_eq!(read["title"], "Ma fête de quartier");
}

fn expired_forged_and_misused_preview_tokens_are_refused(app: &TestApp) {
    let editor = app.editor();
    let draft = create_article(app, &editor.token, json!({"title": "Brouillon A"}));
    let other = create_article(app, &editor.token, json!({"title": "Brouillon B"}));
    let preview = preview_of(app, &editor.token, &draft);
    let token = preview["token"].as_str().unwrap().to_string();
    let with = |article: &Value, token: &str| {
        app.get(&format!("{}?preview={token}", path_of(article)))
            .send()
    };

    // another article: the token opens only its own
    let p = with(&other, &token).problem(403);
    assert_eq!(p["code"], "preview_token_other_article");

    // forged: altered signature, altered claims, an access token, rubbish
    let mut altered = token.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    let p = with(&draft, &altered).problem(401);
    assert_eq!(p["code"], "preview_token_invalid");
    let parts: Vec<&str> = token.split('.').collect();
    let claims = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut c: Value = serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
        c["art"] = json!(other["id"].as_str().unwrap().parse::<i64>().unwrap());
        c["sub"] = json!(format!("article:{}", other["id"].as_str().unwrap()));
        engine.encode(serde_json::to_vec(&c).unwrap())
    };
    let p = with(&other, &format!("{}.{claims}.{}", parts[0], parts[2])).problem(401);
    assert_eq!(p["code"], "preview_token_invalid");
    let p = with(&draft, &editor.token).problem(401);
    assert_eq!(
        p["code"], "preview_token_invalid",
        "an access token is no preview token"
    );
    let p = with(&draft, "n1mporte-quoi").problem(401);
    assert_eq!(p["code"], "preview_token_invalid");
    assert!(
        app.get(&format!("{}?preview=", path_of(&draft)))
            .send()
            .status
            == 401
    );

    // a preview token is not an access token
    app.get(&path_of(&draft)).bearer(&token).send().problem(401);
    app.get("/api/v1/me").bearer(&token).send().problem(401);
    app.patch(&path_of(&draft))
        .bearer(&token)
        .json(&json!({"title": "Piraté"}))
        .send()
        .problem(401);

    // expired after the setting's lifetime
    with(&draft, &token).ok();
    app.state.clock.advance(Duration::minutes(61));
    let p = with(&draft, &token).problem(401);
    assert_eq!(p["code"], "preview_token_expired");
    // a fresh one works again (asked with a fresh session: an hour later
    // the editor's access token has expired too)
    let editor = app.signed_in(&editor.email);
    let fresh = preview_of(app, &editor.token, &draft);
    with(&draft, fresh["token"].as_str().unwrap()).ok();
}

db_tests!(
    a_preview_token_shows_a_draft_to_its_holder_only,
    only_those_who_may_edit_an_article_get_a_preview_token,
    expired_forged_and_misused_preview_tokens_are_refused,
);
