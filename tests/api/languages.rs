//! Problem documents speak French unless the caller prefers English
//! (`Accept-Language`, q-values honoured): `title`, `detail` and the
//! fields' messages change, `type`, `code` and field names never do.

use crate::db_tests;
use crate::helpers::*;

fn problems_are_french_by_default_and_english_on_request(app: &TestApp) {
    let missing = "/api/v1/articles/999999";
    // no Accept-Language at all: French
    let res = app.get(missing).no_language().send();
    let fr = res.problem(404);
    assert_eq!(fr["title"], "Ressource introuvable");
    assert_eq!(fr["detail"], "article introuvable");
    assert_eq!(fr["code"], "not_found");
    assert_eq!(res.header("content-language"), Some("fr"));
    assert!(res.header("vary").unwrap().contains("Accept-Language"));

    for (accept, lang) in [
        ("en", "en"),
        ("en-GB", "en"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("fr;q=0.4, en;q=0.8", "en"),
        ("de, en;q=0.5", "en"),
        ("de", "fr"),
        ("es;q=1, *;q=0.1", "fr"),
        ("en;q=0", "fr"),
        ("n'importe quoi", "fr"),
    ] {
        let res = app.get(missing).header("Accept-Language", accept).send();
        let p = res.problem(404);
        assert_eq!(res.header("content-language"), Some(lang), "{accept}");
        let want = if lang == "en" {
            "Not Found"
        } else {
            "Ressource introuvable"
        };
        assert_eq!(p["title"], want, "{accept}");
        assert_eq!(p["code"], "not_found");
    }
}

fn validation_messages_are_translated_field_names_are_not(app: &TestApp) {
    let editor = app.editor();
    let body = serde_json::json!({"name": ""});
    let fr = app
        .post("/api/v1/sections")
        .bearer(&editor.token)
        .json(&body)
        .header("Accept-Language", "fr")
        .send()
        .problem(422);
    assert_eq!(fr["code"], "validation_failed");
    assert_eq!(fr["errors"][0]["field"], "name");
    assert_eq!(fr["errors"][0]["message"], "ne doit pas être vide");
    assert_eq!(fr["detail"], "name : ne doit pas être vide");
    let en = app
        .post("/api/v1/sections")
        .bearer(&editor.token)
        .json(&body)
        .header("Accept-Language", "en-US,en;q=0.9")
        .send()
        .problem(422);
    assert_eq!(en["errors"][0]["field"], "name");
    assert_eq!(en["errors"][0]["message"], "must not be empty");

    // refusals before any handler (no token) and bad queries speak too
    let res = app
        .post("/api/v1/sections")
        .no_language()
        .json(&body)
        .send();
    let p = res.problem(401);
    assert_eq!(p["title"], "Authentification requise");
    assert_eq!(p["code"], "unauthorized");
    let p = app
        .get("/api/v1/articles?limite=3")
        .no_language()
        .send()
        .problem(400);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .starts_with("paramètre inconnu `limite`")
    );
}

db_tests!(
    problems_are_french_by_default_and_english_on_request,
    validation_messages_are_translated_field_names_are_not,
);
