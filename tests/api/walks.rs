//! Walking long lists: every list and every sort can be followed by keyset
//! cursor (`meta.next_cursor`, `Link: rel="next"`) and gives each item
//! exactly once, ties included; deep `page=` pages hold what a walk holds at
//! the same place; `meta.total` stays exact after writes and when a
//! scheduled article's time comes; French stems and bounded ranking in
//! searches, on both backends.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::TestApp;

/// Every item of `path` (with its query), read by following `next_cursor`
/// `limit` at a time; checks that `Link: rel="next"` says the same.
fn walk(app: &TestApp, token: Option<&str>, path: &str, limit: usize) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..200 {
        let url = match &cursor {
            None => format!("{path}{sep}limit={limit}"),
            Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
        };
        let mut req = app.get(&url);
        if let Some(t) = token {
            req = req.bearer(t);
        }
        let res = req.send();
        let page = res.ok();
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= limit, "{url}: a page holds at most `limit`");
        items.extend(data.iter().cloned());
        match page["meta"]["next_cursor"].as_str() {
            Some(c) => {
                // a first page links to `page=2`; a page read by cursor, to the next cursor
                let link = res.header("link").unwrap_or_default().to_string();
                assert!(
                    cursor.is_none() || link.contains(&format!("cursor={c}>; rel=\"next\"")),
                    "{url}: Link names the next cursor: {link}"
                );
                cursor = Some(c.to_string());
            }
            None => return items,
        }
    }
    panic!("{path}: the walk never ends");
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// The whole list in one page (all tests' lists hold fewer than 100 items).
fn whole(app: &TestApp, token: Option<&str>, path: &str) -> Value {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut req = app.get(&format!("{path}{sep}limit=100"));
    if let Some(t) = token {
        req = req.bearer(t);
    }
    req.send().ok()
}

/// Walks `path` with each sort, in pages of 2 and 3, and checks each walk
/// against the whole list in one page: same items, same order, none twice;
/// then that `page=` pages hold the same slices.
fn check_walks(app: &TestApp, token: Option<&str>, path: &str, sorts: &[&str], expected: usize) {
    for sort in sorts {
        let sorted = if path.contains('?') {
            format!("{path}&sort={sort}")
        } else {
            format!("{path}?sort={sort}")
        };
        let all = whole(app, token, &sorted);
        let order = ids(all["data"].as_array().unwrap());
        assert_eq!(order.len(), expected, "{sorted}: {all}");
        assert_eq!(all["meta"]["total"], expected, "{sorted}");
        for limit in [2, 3] {
            let walked = ids(&walk(app, token, &sorted, limit));
            assert_eq!(walked, order, "{sorted}, {limit} at a time");
        }
        for (n, chunk) in order.chunks(2).enumerate() {
            let mut req = app.get(&format!("{sorted}&limit=2&page={}", n + 1));
            if let Some(t) = token {
                req = req.bearer(t);
            }
            let page = req.send().ok();
            assert_eq!(
                ids(page["data"].as_array().unwrap()),
                chunk,
                "{sorted}: page {}",
                n + 1
            );
        }
    }
}

fn every_article_sort_walks_each_article_once(app: &TestApp) {
    let editor = app.editor();
    // ties everywhere: three titles shared, two publication times shared
    for i in 0..9 {
        app.article(&editor.token)
            .title(["Égalité", "Marée haute", "Zénith"][i % 3])
            .set("slug", format!("article-{i}"))
            .set(
                "published_at",
                ["2025-03-01T08:00:00Z", "2025-03-02T08:00:00Z"][i % 2],
            )
            .published();
    }
    // drafts have no publication date: the staff's lists hold them too
    for i in 0..3 {
        app.article(&editor.token)
            .title("Brouillon")
            .set("slug", format!("brouillon-{i}"))
            .draft();
    }
    let sorts = [
        "-published_at",
        "published_at",
        "title",
        "-title",
        "updated_at",
        "-updated_at",
        "-published_at,title",
        "title,-published_at",
    ];
    check_walks(app, None, "/api/v1/articles", &sorts, 9);
    check_walks(
        app,
        Some(&editor.token),
        "/api/v1/articles?status=draft,published",
        &sorts,
        12,
    );
    check_walks(app, None, "/api/v1/articles?q=egalite", &["title"], 3);

    // a cursor walk continues after its last item while others are published
    let first = app.get("/api/v1/articles?sort=title&limit=4").send().ok();
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_string();
    app.article(&editor.token).title("Abeilles").published();
    let rest = walk(
        app,
        None,
        &format!("/api/v1/articles?sort=title&cursor={cursor}"),
        100,
    );
    let mut seen = ids(first["data"].as_array().unwrap());
    seen.extend(ids(&rest));
    assert_eq!(
        seen.len(),
        9,
        "the new article sorts before the cursor: not shown"
    );

    // a cursor's key is checked against its list
    let mut raw: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&cursor).unwrap()).unwrap();
    raw["k"] = json!([12, "x"]);
    let forged = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&raw).unwrap());
    app.get(&format!("/api/v1/articles?sort=title&cursor={forged}"))
        .send()
        .problem(400);
}

fn event_job_and_comment_sorts_walk_each_item_once(app: &TestApp) {
    let editor = app.editor();
    for i in 0..5 {
        app.event(&editor.token)
            .title(["Fest-noz", "Concert"][i % 2])
            .starts_in(Duration::days(2 + (i as i64 % 2)), 2)
            .published();
    }
    check_walks(
        app,
        None,
        "/api/v1/events",
        &[
            "starts_at",
            "-starts_at",
            "ends_at",
            "title",
            "-title",
            "-created_at",
        ],
        5,
    );
    for i in 0..6 {
        let job = app
            .job(&editor.token)
            .title(["Boulanger", "Serveur"][i % 2]);
        match i % 3 {
            // drafts have neither publication nor expiry date (NULLs: last,
            // on both backends)
            0 => job.draft(),
            1 => job
                .set(
                    "expires_at",
                    json!(crate::helpers::at(app, Duration::days(9))),
                )
                .published(),
            _ => job.published(),
        };
    }
    let sorts = [
        "-published_at",
        "published_at",
        "expires_at",
        "-expires_at",
        "title",
        "-title",
    ];
    check_walks(app, None, "/api/v1/jobs", &sorts, 4);
    check_walks(
        app,
        Some(&editor.token),
        "/api/v1/jobs?mine=true",
        &sorts,
        6,
    );
    let article = app.article(&editor.token).title("Débat").published();
    for _ in 0..5 {
        app.comment(&editor.token, article.id()).create();
    }
    let comments = format!("{}/comments", article.path());
    check_walks(app, None, &comments, &["created_at", "-created_at"], 5);
}

fn totals_stay_exact_after_writes_and_timed_changes(app: &TestApp) {
    let editor = app.editor();
    let total =
        |q: &str| app.get(&format!("/api/v1/articles{q}")).send().ok()["meta"]["total"].clone();
    let sport = app.section(&editor.token).name("Sport").create();
    assert_eq!(total(""), 0);
    let first = app.article(&editor.token).section(&sport).published();
    assert_eq!(total(""), 1, "a new article counts at once");
    assert_eq!(total("?section=sport"), 1);
    app.article(&editor.token).published();
    assert_eq!(total(""), 2);
    assert_eq!(total("?section=sport"), 1);
    let res = app.delete(&first.path()).bearer(&editor.token).send();
    assert!(res.status < 300, "{}", res.text());
    assert_eq!(total(""), 1, "a deleted article leaves the count at once");
    assert_eq!(total("?section=sport"), 0);
    // a scheduled article counts when its time comes, without a write; an
    // offer leaves the job list's count when it expires
    app.article(&editor.token)
        .scheduled(&crate::helpers::at(app, Duration::hours(1)));
    app.job(&editor.token)
        .set(
            "expires_at",
            json!(crate::helpers::at(app, Duration::hours(1))),
        )
        .published();
    let jobs = || app.get("/api/v1/jobs").send().ok()["meta"]["total"].clone();
    assert_eq!(total(""), 1);
    assert_eq!(jobs(), 1);
    app.state.clock.advance(Duration::hours(2));
    assert_eq!(total(""), 2, "counted once its time came");
    assert_eq!(jobs(), 0, "an expired offer is no longer counted");
}

fn searches_stem_french_words_on_both_backends(app: &TestApp) {
    let editor = app.editor();
    app.article(&editor.token)
        .title("La croissance économique ralentit")
        .published();
    app.article(&editor.token)
        .title("Marché")
        .body("Les économies des ménages fondent.")
        .published();
    app.article(&editor.token).title("Match nul").published();
    let found = |q: &str| {
        let mut t: Vec<String> = app.get(&format!("/api/v1/articles?q={q}")).send().ok()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_string())
            .collect();
        t.sort();
        t
    };
    let both = ["La croissance économique ralentit", "Marché"];
    assert_eq!(found("%C3%A9conomie"), both, "économie finds économique");
    assert_eq!(found("economiques"), both);
    assert_eq!(found("ralentir"), ["La croissance économique ralentit"]);
    app.job(&editor.token)
        .set("description", "Gestion des économies d'énergie.")
        .published();
    assert_eq!(
        app.get("/api/v1/jobs?q=economique").send().ok()["meta"]["total"],
        1
    );
}

fn common_word_searches_rank_the_newest_matches_and_keep_the_rest(app: &TestApp) {
    // more matches than a search ranks (500)
    let seeded = app.command(&["seed-demo", "--articles", "1000", "--seed", "3"], "");
    assert!(seeded.status.success(), "{seeded:?}");
    let editor = app.editor();
    // the best match: the word in the title, twice, and in the lead
    let best = app
        .article(&editor.token)
        .title("Dernier jour, dernière chance")
        .with(json!({"lead": "Le dernier marché de l'année."}))
        .published();
    let by_date = app
        .get("/api/v1/articles?q=dernier&sort=-published_at&limit=1")
        .send()
        .ok();
    let matches = by_date["meta"]["total"].as_i64().unwrap();
    assert!(matches > 500, "a common word: {matches} matches");
    let ranked = app.get("/api/v1/articles?q=dernier&limit=5").send().ok();
    assert_eq!(ranked["meta"]["total"], matches, "every match is counted");
    assert_eq!(
        ranked["data"][0]["id"], best.json["id"],
        "the best match first"
    );
    // ranked pages, then older matches: each match once
    let walked = ids(&walk(app, None, "/api/v1/articles?q=dernier", 100));
    assert_eq!(walked.len() as i64, matches);
    let mut unique = walked.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), walked.len(), "no match twice");
}

db_tests!(
    every_article_sort_walks_each_article_once,
    event_job_and_comment_sorts_walk_each_item_once,
    totals_stay_exact_after_writes_and_timed_changes,
    searches_stem_french_words_on_both_backends,
    common_word_searches_rank_the_newest_matches_and_keep_the_rest,
);
