//! Lists: filters, sorting, cost per page, cursors, related articles, the
//! poll shown with an article, and the demo site.

use serde_json::{Value, json};

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

fn lists_filter_sort_and_stay_cheap(app: &TestApp) {
    let editor = app.editor();
    let a = app.author();
    create_section(app, &editor.token, "Sport");
    create_section(app, &editor.token, "Culture");
    create_tag(app, &editor.token, "Rugby");
    publish(
        app,
        &editor.token,
        "Victoire du XV",
        json!({"section": "sport", "tags": ["rugby"], "authors": [a.id], "published_at": "2024-03-01T10:00:00Z"}),
    );
    publish(
        app,
        &editor.token,
        "Le festival de jazz",
        json!({"section": "culture", "published_at": "2025-07-14T18:00:00Z"}),
    );
    publish(
        app,
        &editor.token,
        "Défaite à domicile",
        json!({"section": "sport", "published_at": "2025-01-10T20:00:00Z"}),
    );
    create_article(
        app,
        &editor.token,
        json!({"title": "Brouillon", "section": "sport"}),
    );

    let list = |q: &str| app.get(&format!("/api/v1/articles{q}")).send().ok();
    assert_eq!(
        titles(&list("")),
        [
            "Le festival de jazz",
            "Défaite à domicile",
            "Victoire du XV"
        ]
    );
    assert_eq!(
        titles(&list("?section=sport")),
        ["Défaite à domicile", "Victoire du XV"]
    );
    let sport_id = app.get("/api/v1/sections/sport").send().ok()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(list(&format!("?section={sport_id}"))["meta"]["total"], 2);
    assert_eq!(titles(&list("?tag=rugby")), ["Victoire du XV"]);
    assert_eq!(
        titles(&list(&format!("?author={}", a.id))),
        ["Victoire du XV"]
    );
    assert_eq!(
        titles(&list(
            "?published_after=2025-01-01T00:00:00Z&published_before=2025-06-01T00:00:00Z"
        )),
        ["Défaite à domicile"]
    );
    assert_eq!(
        titles(&list("?sort=title")),
        [
            "Défaite à domicile",
            "Le festival de jazz",
            "Victoire du XV"
        ]
    );
    assert_eq!(
        titles(&list("?sort=published_at")),
        [
            "Victoire du XV",
            "Défaite à domicile",
            "Le festival de jazz"
        ]
    );
    assert_eq!(list("?section=nowhere")["meta"]["total"], 0);
    app.get("/api/v1/articles?status=bogus")
        .bearer(&editor.token)
        .send()
        .problem(400);
    app.get("/api/v1/articles?sort=body").send().problem(400);
    app.get("/api/v1/articles?published_after=yesterday")
        .send()
        .problem(400);
    let all = app
        .get("/api/v1/articles?status=draft,published")
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(all["meta"]["total"], 4);

    // a page costs the same number of queries with 2 articles as with 40
    // (once the total is counted: it is remembered until the next write)
    let queries_for = |limit: usize| {
        app.get("/api/v1/articles").send().ok();
        let before = app.state.db.query_count();
        let page = app
            .get(&format!("/api/v1/articles?limit={limit}"))
            .send()
            .ok();
        assert_eq!(page["data"].as_array().unwrap().len(), limit);
        app.state.db.query_count() - before
    };
    for i in 0..40 {
        publish(
            app,
            &editor.token,
            &format!("Brève {i}"),
            json!({"section": "culture", "tags": ["rugby"], "authors": [a.id, editor.id]}),
        );
    }
    // the fewest of three tries: background work (the lease, timed work)
    // queries the same pool now and then
    let fewest = |limit: usize| (0..3).map(|_| queries_for(limit)).min().unwrap();
    let small = fewest(2);
    let large = fewest(40);
    assert_eq!(small, large, "no query per article");
    // the page, then its sections, tags, authors, covers, polls and uploaded
    // videos; with the response cache on, when the next scheduled article
    // goes public (how long the page may be kept)
    assert!(large <= 8, "a list page takes {large} queries");
}

fn related_articles_share_the_section(app: &TestApp) {
    let editor = app.editor();
    create_section(app, &editor.token, "Sport");
    create_section(app, &editor.token, "Culture");
    let first = publish(
        app,
        &editor.token,
        "Sport 1",
        json!({"section": "sport", "published_at": "2025-01-01T00:00:00Z"}),
    );
    publish(
        app,
        &editor.token,
        "Sport 2",
        json!({"section": "sport", "published_at": "2025-02-01T00:00:00Z"}),
    );
    publish(
        app,
        &editor.token,
        "Sport 3",
        json!({"section": "sport", "published_at": "2025-03-01T00:00:00Z"}),
    );
    publish(
        app,
        &editor.token,
        "Culture 1",
        json!({"section": "culture"}),
    );
    create_article(
        app,
        &editor.token,
        json!({"title": "Sport brouillon", "section": "sport"}),
    );
    let related = app.get(&format!("{}/related", path_of(&first))).send().ok();
    assert_eq!(titles(&related), ["Sport 3", "Sport 2"]);
    let two = app
        .get(&format!("{}/related?limit=1", path_of(&first)))
        .send()
        .ok();
    assert_eq!(titles(&two), ["Sport 3"]);
    app.get("/api/v1/articles/nope/related").send().problem(404);
}

fn an_article_shows_its_poll(app: &TestApp) {
    let editor = app.editor();
    let art = publish(
        app,
        &editor.token,
        "Faut-il piétonniser le centre ?",
        json!({}),
    );
    let poll = app
        .poll(&editor)
        .with(json!({"question": "Pour ou contre ?",
                     "options": [{"label": "Pour"}, {"label": "Contre"}],
                     "article_id": art["id"]}))
        .create();
    let shown = app.get(&path_of(&art)).send().ok();
    assert_eq!(shown["poll_id"], poll["id"]);
    assert_eq!(
        app.get("/api/v1/articles").send().ok()["data"][0]["poll_id"],
        poll["id"]
    );
}

fn the_demo_site_is_browsable(app: &TestApp) {
    // `kiosque seed-demo`, as an operator runs it
    let seeded = app.command(&["seed-demo", "--articles", "300", "--seed", "7"], "");
    let said = String::from_utf8_lossy(&seeded.stdout);
    assert!(
        seeded.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    assert!(said.contains(" and 300 articles into "), "{said}");
    let sections = app.get("/api/v1/sections").send().ok();
    assert_eq!(sections["meta"]["total"], 8);
    let home = app.get("/api/v1/articles?limit=5").send().ok();
    let public = home["meta"]["total"].as_i64().unwrap();
    assert!(
        (270..300).contains(&public),
        "most are published, a few are drafts or scheduled: {public}"
    );
    let first = &home["data"][0];
    assert!(first["authors"].as_array().is_some_and(|a| !a.is_empty()));
    assert!(first["section"]["name"].is_string());
    let dates: Vec<&str> = home["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["published_at"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let eco = app.get("/api/v1/articles?section=economie").send().ok();
    assert!(eco["meta"]["total"].as_i64().unwrap() > 10);
    let found = app.get("/api/v1/articles?q=benevoles").send().ok();
    assert!(
        found["meta"]["total"].as_i64().unwrap() > 0,
        "search finds “bénévoles”"
    );
    assert_eq!(app.get("/api/v1/authors").send().ok()["meta"]["total"], 12);
    // once is enough
    let again = app.command(&["seed-demo", "--articles", "10", "--seed", "7"], "");
    assert!(!again.status.success(), "a second seeding is refused");
    assert_eq!(
        app.get("/api/v1/sections").send().ok()["meta"]["total"],
        8,
        "and adds nothing"
    );
}

fn cursors_continue_after_the_last_article_seen(app: &TestApp) {
    let editor = app.editor();
    for i in 0..5 {
        publish(
            app,
            &editor.token,
            &format!("Brève {i}"),
            json!({"published_at": format!("2025-0{}-01T08:00:00Z", i + 1)}),
        );
    }
    let first = app.get("/api/v1/articles?limit=2").send().ok();
    assert_eq!(titles(&first), ["Brève 4", "Brève 3"]);
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_string();
    // news is published while the reader scrolls
    publish(app, &editor.token, "Dernière minute", json!({}));
    let second = app
        .get(&format!("/api/v1/articles?limit=2&cursor={cursor}"))
        .send()
        .ok();
    assert_eq!(
        titles(&second),
        ["Brève 2", "Brève 1"],
        "no article repeated, none skipped"
    );
    let cursor = second["meta"]["next_cursor"].as_str().unwrap().to_string();
    let third = app
        .get(&format!("/api/v1/articles?limit=2&cursor={cursor}"))
        .send()
        .ok();
    assert_eq!(titles(&third), ["Brève 0"]);
    assert_eq!(third["meta"]["next_cursor"], Value::Null);
    assert_eq!(third["meta"]["total"], 6);
}

db_tests!(
    lists_filter_sort_and_stay_cheap,
    related_articles_share_the_section,
    an_article_shows_its_poll,
    the_demo_site_is_browsable,
    cursors_continue_after_the_last_article_seen,
);
