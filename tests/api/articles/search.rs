//! French full-text search.

use serde_json::json;

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

fn french_search_folds_accents_and_ranks(app: &TestApp) {
    let editor = app.editor();
    publish(
        app,
        &editor.token,
        "L'économie locale repart",
        json!({"lead": "Les entreprises embauchent."}),
    );
    publish(
        app,
        &editor.token,
        "Le marché de Noël",
        json!({"body": "Une économie de bouts de chandelle pour les exposants."}),
    );
    publish(app, &editor.token, "Match nul au stade", json!({}));
    let search = |q: &str| app.get(&format!("/api/v1/articles?q={q}")).send().ok();
    assert_eq!(
        titles(&search("economie")),
        ["L'économie locale repart", "Le marché de Noël"],
        "title matches rank first"
    );
    assert_eq!(
        titles(&search("%C3%89CONOMIE")),
        ["L'économie locale repart", "Le marché de Noël"]
    );
    assert_eq!(titles(&search("marche")), ["Le marché de Noël"]);
    assert_eq!(
        titles(&search("entreprise")),
        ["L'économie locale repart"],
        "singular finds plural"
    );
    assert_eq!(
        search("stade%20economie")["meta"]["total"],
        0,
        "all words must match"
    );
    for hostile in ["%22", "%27%20OR%201%3D1--", "NEAR(a%20b)", "*", "%3B"] {
        let res = app.get(&format!("/api/v1/articles?q={hostile}")).send();
        assert_eq!(res.status, 200, "{hostile}: {}", res.text());
        assert_eq!(
            res.json()["meta"]["total"],
            0,
            "{hostile} is only text, matching nothing"
        );
    }
    let by_date = search("economie&sort=-published_at");
    assert_eq!(
        titles(&by_date),
        ["Le marché de Noël", "L'économie locale repart"],
        "newest first"
    );
}

db_tests!(french_search_folds_accents_and_ranks);
