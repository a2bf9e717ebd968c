//! Articles: writing, the workflow, revisions, slugs, lists, search, caching.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{TestApp, TestUser};

fn create_section(app: &TestApp, token: &str, name: &str) -> Value {
    app.post("/api/v1/sections")
        .bearer(token)
        .json(&json!({"name": name}))
        .send()
        .ok()
}

fn create_tag(app: &TestApp, token: &str, name: &str) -> Value {
    app.post("/api/v1/tags")
        .bearer(token)
        .json(&json!({"name": name}))
        .send()
        .ok()
}

pub fn create_article(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app
        .post("/api/v1/articles")
        .bearer(token)
        .json(&body)
        .send();
    assert_eq!(res.status, 201, "{}", res.text());
    let created = res.json();
    assert_eq!(
        res.header("location").unwrap(),
        format!("/api/v1/articles/{}", created["id"].as_str().unwrap())
    );
    created
}

fn publish(app: &TestApp, token: &str, title: &str, extra: Value) -> Value {
    let mut body =
        json!({"title": title, "status": "published", "lead": "Un chapô.", "body": "Du texte."});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    create_article(app, token, body)
}

fn titles(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect()
}

fn path_of(article: &Value) -> String {
    format!("/api/v1/articles/{}", article["id"].as_str().unwrap())
}

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
            "video_url": "https://video.example/embed/42"
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
    let queries_for = |limit: usize| {
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
    let small = queries_for(2);
    let large = queries_for(40);
    assert_eq!(small, large, "no query per article");
    assert!(large <= 6, "a list page takes {large} queries");
}

fn an_article_shows_its_poll(app: &TestApp) {
    let editor = app.editor();
    let art = publish(
        app,
        &editor.token,
        "Faut-il piétonniser le centre ?",
        json!({}),
    );
    let closes = (Utc::now() + Duration::days(7)).to_rfc3339();
    let poll = app
        .post("/api/v1/polls")
        .bearer(&editor.token)
        .json(&json!({"question": "Pour ou contre ?", "options": [{"label": "Pour"}, {"label": "Contre"}], "closes_at": closes, "article_id": art["id"]}))
        .send()
        .ok();
    let shown = app.get(&path_of(&art)).send().ok();
    assert_eq!(shown["poll_id"], poll["id"]);
    assert_eq!(
        app.get("/api/v1/articles").send().ok()["data"][0]["poll_id"],
        poll["id"]
    );
}

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

fn reads_are_cached_and_stale_writes_refused(app: &TestApp) {
    let editor = app.editor();
    let art = publish(app, &editor.token, "Cache", json!({}));
    let path = path_of(&art);
    let read = app.get(&path).send();
    assert_eq!(read.header("cache-control"), Some("public, max-age=60"));
    let etag = read.header("etag").unwrap().to_string();
    assert_eq!(
        app.get(&path).header("If-None-Match", &etag).send().status,
        304
    );
    let staff = app.get(&path).bearer(&editor.token).send();
    assert_eq!(staff.header("cache-control"), Some("private, no-cache"));
    let staff_etag = staff.header("etag").unwrap().to_string();
    app.patch(&path)
        .bearer(&editor.token)
        .header("If-Match", &staff_etag)
        .json(&json!({"title": "Cache 2"}))
        .send()
        .ok();
    app.patch(&path)
        .bearer(&editor.token)
        .header("If-Match", &staff_etag)
        .json(&json!({"title": "Cache 3"}))
        .send()
        .problem(412);
    assert_eq!(app.get(&path).send().ok()["title"], "Cache 2");
    assert_eq!(
        app.get(&path).header("If-None-Match", &etag).send().status,
        200
    );
}

fn authors_have_public_profiles(app: &TestApp) {
    let editor = app.editor();
    let a = app.author();
    app.member();
    publish(app, &editor.token, "Signé A", json!({"authors": [a.id]}));
    create_article(
        app,
        &editor.token,
        json!({"title": "Brouillon A", "authors": [a.id]}),
    );
    let authors = app.get("/api/v1/authors").send().ok();
    assert_eq!(
        authors["meta"]["total"], 2,
        "members have no public profile"
    );
    let slug = app
        .get(&format!("/api/v1/users/{}", a.id))
        .bearer(&app.admin().token)
        .send()
        .ok()["slug"]
        .as_str()
        .unwrap()
        .to_string();
    let profile = app.get(&format!("/api/v1/authors/{slug}")).send().ok();
    assert_eq!(profile["article_count"], 1);
    assert_eq!(
        titles(&json!({"data": profile["recent_articles"]})),
        ["Signé A"]
    );
    assert_eq!(
        app.get(&format!("/api/v1/articles?author={slug}"))
            .send()
            .ok()["meta"]["total"],
        1
    );
    app.get("/api/v1/authors/nobody").send().problem(404);
}

db_tests!(
    the_newsroom_writes_and_publishes,
    scheduled_articles_go_public_on_their_own,
    member_submissions_wait_for_an_editor,
    authors_change_only_their_own_articles,
    former_slugs_redirect_to_the_current_address,
    every_change_keeps_a_revision,
    lists_filter_sort_and_stay_cheap,
    french_search_folds_accents_and_ranks,
    related_articles_share_the_section,
    reads_are_cached_and_stale_writes_refused,
    authors_have_public_profiles,
    an_article_shows_its_poll,
);

fn the_demo_site_is_browsable(app: &TestApp) {
    let seeded = kiosque::seed::seed(&app.state.config, 300, 7).unwrap();
    assert_eq!(seeded.articles, 300);
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
    assert!(kiosque::seed::seed(&app.state.config, 10, 7).is_err());
}

db_tests!(the_demo_site_is_browsable);

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

db_tests!(cursors_continue_after_the_last_article_seen);
