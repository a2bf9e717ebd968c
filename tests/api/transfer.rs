//! Moving a site between databases: `export` from one backend, `import` into
//! the other, and every public and staff answer is the same afterwards —
//! byte for byte, ETags included. Imported accounts sign in with their
//! passwords, imported API keys still work, and a bad or partial file, or a
//! non-empty target, changes nothing.

use std::collections::BTreeSet;

use chrono::Duration;
use diesel::prelude::*;
use kiosque::config::{Backend, Config, ModerationMode};
use kiosque::transfer::{self, Error, import::Options};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp, TestUser};

pub fn roomy(c: &mut Config) {
    c.comments_per_hour = 1_000_000;
    c.comments_burst = 1_000_000;
    c.comments_moderation = ModerationMode::Pre;
    c.submissions_per_hour = 1_000;
}

/// What a test needs to read a site back: who is who, and the paths to visit.
pub struct Site {
    pub admin: TestUser,
    pub member: TestUser,
    pub banned: TestUser,
    pub api_key: String,
    pub paths: Vec<String>,
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let res = app.post(path).bearer(token).json(&body).send();
    assert_eq!(res.status, 201, "POST {path}: {}", res.text());
    res.json()
}

fn patched(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    app.patch(path).bearer(token).json(&body).send().ok()
}

/// A time `days` away, in whole seconds as clients send them. (SQLite
/// stores a client's nanoseconds as given, PostgreSQL rounds them to
/// microseconds: such a time would read differently after a move.)
fn at(app: &TestApp, days: i64) -> String {
    (app.state.clock.now_utc() + Duration::days(days))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A site with something of every kind, written through the API.
pub fn build_site(app: &TestApp) -> Site {
    let admin = app.admin();
    let editor = app.editor();
    let author = app.author();
    let member = app.member();
    let banned = app.member();
    let gone = app.member();
    patched(
        app,
        &member.token,
        "/api/v1/me",
        json!({"display_name": "Maïwenn L."}),
    );

    let sport = created(
        app,
        &editor.token,
        "/api/v1/sections",
        json!({"name": "Sport"}),
    );
    created(
        app,
        &editor.token,
        "/api/v1/sections",
        json!({"name": "Économie"}),
    );
    created(app, &editor.token, "/api/v1/tags", json!({"name": "Rugby"}));
    created(
        app,
        &editor.token,
        "/api/v1/tags",
        json!({"name": "Marché"}),
    );

    let a = "/api/v1/articles";
    let main = created(
        app,
        &editor.token,
        a,
        json!({
        "title": "Le XV de Quimper l'emporte", "lead": "Un chapô.", "body": "Du **texte**.",
        "section": id(&sport), "tags": ["rugby", "marche"], "authors": [author.id, editor.id],
        "status": "published", "published_at": at(app, -2),
        "cover": {"url": "https://img.example/xv.jpg", "alt": "L'équipe"}}),
    );
    let main_path = format!("{a}/{}", id(&main));
    patched(
        app,
        &editor.token,
        &main_path,
        json!({"title": "Le XV de Quimper l'emporte enfin"}),
    );
    patched(
        app,
        &editor.token,
        &main_path,
        json!({"slug": "quimper-gagne"}),
    );
    let second = created(
        app,
        &author.token,
        a,
        json!({"title": "Foire aux marrons", "status": "published", "tags": ["marche"]}),
    );
    created(
        app,
        &author.token,
        a,
        json!({"title": "Brouillon d'auteur"}),
    );
    created(
        app,
        &member.token,
        a,
        json!({"title": "Notre club fête ses 20 ans", "body": "Venez !"}),
    );
    let archived = created(
        app,
        &editor.token,
        a,
        json!({"title": "Vieille nouvelle", "status": "published"}),
    );
    patched(
        app,
        &editor.token,
        &format!("{a}/{}", id(&archived)),
        json!({"status": "archived"}),
    );
    let rejected = created(app, &member.token, a, json!({"title": "Pub déguisée"}));
    patched(
        app,
        &editor.token,
        &format!("{a}/{}", id(&rejected)),
        json!({"status": "rejected", "rejection_reason": "Publicité."}),
    );
    created(
        app,
        &editor.token,
        a,
        json!({"title": "Le marché de Noël ouvre", "status": "scheduled", "published_at": at(app, 3)}),
    );

    // comments: approved, pending, spam, a reply, a flag, a deletion, a ban
    let comments = format!("{main_path}/comments");
    let first = created(
        app,
        &member.token,
        &comments,
        json!({"body": "Bravo les gars !"}),
    );
    created(
        app,
        &editor.token,
        &comments,
        json!({"body": "Merci !", "parent_id": id(&first)}),
    );
    let spam = created(
        app,
        &banned.token,
        &comments,
        json!({"body": "Achetez ici"}),
    );
    created(
        app,
        &gone.token,
        &comments,
        json!({"body": "Et le match retour ?"}),
    );
    let regret = created(app, &member.token, &comments, json!({"body": "Je retire"}));
    created(
        app,
        &member.token,
        &format!("{a}/{}/comments", id(&second)),
        json!({"body": "Miam"}),
    );
    let decide = |ids: Vec<String>, status: &str| {
        app.post("/api/v1/comments/moderation")
            .bearer(&editor.token)
            .json(&json!({"ids": ids, "status": status}))
            .send()
            .ok()
    };
    decide(vec![id(&first), id(&regret)], "approved");
    decide(vec![id(&spam)], "spam");
    created(
        app,
        &author.token,
        &format!("/api/v1/comments/{}/flags", id(&first)),
        json!({"reason": "hors sujet"}),
    );
    assert_eq!(
        app.delete(&format!("/api/v1/comments/{}", id(&regret)))
            .bearer(&member.token)
            .send()
            .status,
        204
    );
    app.put(&format!("/api/v1/users/{}/comment-ban", banned.id))
        .bearer(&editor.token)
        .json(&json!({"reason": "insultes"}))
        .send()
        .ok();

    // a member who left, after commenting
    patched(
        app,
        &admin.token,
        &format!("/api/v1/users/{}", gone.id),
        json!({"disabled": true}),
    );

    // classifieds
    let offer = |title: &str| {
        json!({
        "title": title, "company": {"name": "Boulangerie Le Goff"},
        "location": {"city": "Quimper", "postal_code": "29000"},
        "contract_type": "cdi", "working_time": "full_time",
        "salary": {"min_cents": 180000, "max_cents": 210000, "period": "month"},
        "description": "Nous cherchons **un·e boulanger·e**.", "apply": {"email": "emploi@legoff.example"}})
    };
    let job = created(app, &editor.token, "/api/v1/jobs", {
        let mut o = offer("Boulanger·e");
        o["status"] = json!("published");
        o
    });
    let pending_job = created(app, &member.token, "/api/v1/jobs", offer("Vendeur·se"));
    let event = |title: &str, days: i64| {
        json!({
        "title": title, "description": "Venez nombreux !",
        "starts_at": at(app, days), "ends_at": at(app, days + 1),
        "venue": {"name": "Salle des fêtes", "address": "2 place de la Mairie", "city": "Pont-l'Abbé", "postal_code": "29120"},
        "price": {"free": false, "amount_cents": 850, "currency": "EUR"}, "organizer": "Comité des fêtes", "category": "concert"})
    };
    let concert = created(app, &editor.token, "/api/v1/events", {
        let mut e = event("Fest-noz", 5);
        e["status"] = json!("published");
        e["venue"]["latitude"] = json!(47.8724013);
        e["venue"]["longitude"] = json!(-4.2241);
        e
    });
    created(app, &member.token, "/api/v1/events", event("Loto", 9));

    // polls: members' votes, an open one for anyone, a closed one
    let poll = created(
        app,
        &editor.token,
        "/api/v1/polls",
        json!({
        "question": "Faut-il un nouveau stade ?", "options": [{"label": "Oui"}, {"label": "Non"}],
        "closes_at": at(app, 7), "article_id": id(&main), "who_may_vote": "members", "results_visibility": "always"}),
    );
    let options: Vec<String> = poll["options"].as_array().unwrap().iter().map(id).collect();
    for (voter, choice) in [(&member, 0), (&banned, 1), (&author, 0)] {
        created(
            app,
            &voter.token,
            &format!("/api/v1/polls/{}/votes", id(&poll)),
            json!({"options": [options[choice]]}),
        );
    }
    let open = created(
        app,
        &editor.token,
        "/api/v1/polls",
        json!({
        "question": "Quels marchés ?", "options": [{"label": "Samedi"}, {"label": "Mercredi"}, {"label": "Dimanche"}],
        "multiple": true, "max_choices": 2, "closes_at": at(app, 3), "who_may_vote": "anyone", "results_visibility": "after_close"}),
    );
    let open_options: Vec<String> = open["options"].as_array().unwrap().iter().map(id).collect();
    app.post(&format!("/api/v1/polls/{}/votes", id(&open)))
        .json(&json!({"options": [open_options[0], open_options[2]]}))
        .send()
        .ok();
    let closed = created(
        app,
        &editor.token,
        "/api/v1/polls",
        json!({
        "question": "Ancien sondage", "options": [{"label": "A"}, {"label": "B"}], "closes_at": at(app, 1)}),
    );
    app.post(&format!("/api/v1/polls/{}/close", id(&closed)))
        .bearer(&editor.token)
        .send()
        .ok();

    // keys: one in use, one revoked
    let key = created(
        app,
        &admin.token,
        "/api/v1/api-keys",
        json!({"name": "Appli mobile", "scopes": ["content:read", "content:write"]}),
    );
    let old = created(
        app,
        &admin.token,
        "/api/v1/api-keys",
        json!({"name": "Ancienne", "scopes": ["comments:moderate"]}),
    );
    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{}", id(&old)))
            .bearer(&admin.token)
            .send()
            .status,
        204
    );

    let mut paths: Vec<String> = [
        "/api/v1/openapi.json",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/users?disabled=true",
        "/api/v1/users?role=member&sort=-created_at",
        "/api/v1/api-keys",
        "/api/v1/api-keys?revoked=true",
        "/api/v1/sections",
        "/api/v1/sections/sport",
        "/api/v1/tags",
        "/api/v1/tags/rugby",
        "/api/v1/articles",
        "/api/v1/articles?section=sport",
        "/api/v1/articles?tag=marche",
        "/api/v1/articles?sort=title",
        "/api/v1/articles?mine=true",
        "/api/v1/authors",
        "/api/v1/comments",
        "/api/v1/comments?status=approved",
        "/api/v1/comments?status=spam",
        "/api/v1/comments?status=deleted",
        "/api/v1/jobs",
        "/api/v1/jobs?city=quimper",
        "/api/v1/events",
        "/api/v1/events.ics",
        "/api/v1/events?free=false",
        "/api/v1/polls",
        "/api/v1/polls?status=closed",
        "/api/v1/articles/le-xv-de-quimper-l-emporte",
        "/api/v1/articles/quimper-gagne",
    ]
    .map(String::from)
    .to_vec();
    for status in [
        "draft",
        "pending",
        "published",
        "scheduled",
        "archived",
        "rejected",
    ] {
        paths.push(format!("/api/v1/articles?status={status}"));
    }
    for status in ["pending", "published"] {
        paths.push(format!("/api/v1/jobs?status={status}"));
        paths.push(format!("/api/v1/events?status={status}"));
    }
    let admin_list = app
        .get(
            "/api/v1/articles?limit=100&status=draft,pending,published,scheduled,archived,rejected",
        )
        .bearer(&admin.token)
        .send();
    let mut articles: Vec<String> = vec![id(&main), id(&second), id(&archived), id(&rejected)];
    if admin_list.status == 200 {
        articles.extend(admin_list.json()["data"].as_array().unwrap().iter().map(id));
    }
    for art in BTreeSet::from_iter(articles) {
        for tail in ["", "/related", "/revisions", "/comments"] {
            paths.push(format!("{a}/{art}{tail}"));
        }
    }
    let revisions = app
        .get(&format!("{main_path}/revisions"))
        .bearer(&admin.token)
        .send()
        .ok();
    for r in revisions["data"].as_array().unwrap() {
        paths.push(format!("{main_path}/revisions/{}", id(r)));
    }
    for author_page in app.get("/api/v1/authors").send().ok()["data"]
        .as_array()
        .unwrap()
    {
        paths.push(format!(
            "/api/v1/authors/{}",
            author_page["slug"].as_str().unwrap()
        ));
    }
    for user in app
        .get("/api/v1/users?limit=100")
        .bearer(&admin.token)
        .send()
        .ok()["data"]
        .as_array()
        .unwrap()
    {
        paths.push(format!("/api/v1/users/{}", id(user)));
    }
    paths.push(format!("/api/v1/api-keys/{}", id(&key)));
    paths.push(format!("/api/v1/api-keys/{}", id(&old)));
    for j in [id(&job), id(&pending_job)] {
        paths.push(format!("/api/v1/jobs/{j}"));
        paths.push(format!("/api/v1/jobs/{j}/jsonld"));
    }
    paths.push(format!("/api/v1/events/{}", id(&concert)));
    paths.push(format!("/api/v1/events/{}.ics", id(&concert)));
    for p in [&poll, &open, &closed] {
        paths.push(format!("/api/v1/polls/{}", id(p)));
        paths.push(format!("/api/v1/polls/{}/results", id(p)));
    }
    Site {
        admin,
        member,
        banned,
        api_key: key["secret"].as_str().unwrap().to_string(),
        paths,
    }
}

/// Every GET of the API, as the OpenAPI document lists it, must be among
/// `paths`: a new endpoint cannot escape the comparison.
fn check_coverage(app: &TestApp, paths: &[String]) {
    let doc = app.get("/api/v1/openapi.json").send().ok();
    for (template, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() || !template.starts_with("/api/v1") {
            continue;
        }
        let covered = paths
            .iter()
            .any(|p| matches_template(template, p.split('?').next().unwrap()));
        assert!(
            covered,
            "the transfer comparison visits no `GET {template}`: add it to build_site"
        );
    }
}

fn matches_template(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| match t.find('{') {
            None => t == p,
            Some(start) => {
                let suffix = &t[t.find('}').unwrap() + 1..];
                p.len() > start + suffix.len() && p.starts_with(&t[..start]) && p.ends_with(suffix)
            }
        })
}

/// Asserts that both servers answer every path alike, for each viewer.
pub fn assert_same_answers(a: &TestApp, b: &TestApp, site: &Site) {
    let viewers = [None, Some(&site.admin.token), Some(&site.member.token)];
    let mut compared = 0;
    for path in &site.paths {
        for viewer in viewers {
            let get = |app: &TestApp| {
                let req = app.get(path);
                match viewer {
                    Some(t) => req.bearer(t),
                    None => req,
                }
                .send()
            };
            let (x, y) = (get(a), get(b));
            let who = if viewer.is_some() {
                "signed in"
            } else {
                "anonymous"
            };
            assert_eq!(
                x.status,
                y.status,
                "GET {path} ({who}): {} / {}",
                x.text(),
                y.text()
            );
            assert!(x.status < 500, "GET {path} ({who}): {}", x.text());
            if viewer == Some(&site.admin.token) {
                assert!(x.status < 400, "an admin reads GET {path}: {}", x.text());
            }
            assert_eq!(x.text(), y.text(), "GET {path} ({who}) answers differently");
            for h in ["etag", "location", "content-type"] {
                assert_eq!(x.header(h), y.header(h), "GET {path} ({who}): header {h}");
            }
            compared += 1;
        }
    }
    assert!(compared > 200, "a rich site: {compared} answers compared");
}

fn export_bytes(app: &TestApp) -> Vec<u8> {
    let mut out = Vec::new();
    transfer::export(&app.state.config.database, &mut out).expect("export");
    out
}

fn import_bytes(app: &TestApp, bytes: &[u8], replace: bool) -> Result<transfer::Summary, Error> {
    transfer::import(
        &app.state.config.database,
        &mut &bytes[..],
        Options { replace },
    )
}

/// The rows of an export, without its header (which names the source and the time).
fn rows_of(export: &[u8]) -> &[u8] {
    let start = export.iter().position(|&b| b == b'\n').unwrap() + 1;
    &export[start..]
}

/// What users keep after a move: their passwords, their keys, their bans.
fn accounts_still_work(app: &TestApp, site: &Site) {
    let res = app.login(&site.member.email, PASSWORD);
    assert_eq!(
        res.status,
        200,
        "an imported password signs in: {}",
        res.text()
    );
    app.login(&site.member.email, "wrong-password-123")
        .problem(401);
    let with_key = app
        .post("/api/v1/tags")
        .bearer(&site.api_key)
        .json(&json!({"name": "Après le déménagement"}))
        .send();
    assert_eq!(
        with_key.status,
        201,
        "an imported API key works: {}",
        with_key.text()
    );
    let main = app.get("/api/v1/articles/quimper-gagne").send().ok();
    let p = app
        .post(&format!("/api/v1/articles/{}/comments", id(&main)))
        .bearer(&site.banned.token)
        .json(&json!({"body": "Me revoilà"}))
        .send()
        .problem(403);
    assert_eq!(p["code"], "banned_from_comments", "the ban moved too");
    // new rows take fresh ids after the imported ones
    let section = created(
        app,
        &site.admin.token,
        "/api/v1/sections",
        json!({"name": "Nouvelle"}),
    );
    assert!(id(&section).parse::<i64>().unwrap() > 2);
}

fn move_site(from: Backend, to: Backend) {
    let Some(source) = TestApp::spawn(from, roomy) else {
        return;
    };
    let site = build_site(&source);
    check_coverage(&source, &site.paths);
    let export = export_bytes(&source);

    let Some(target) = TestApp::spawn(to, roomy) else {
        return;
    };
    let summary = import_bytes(&target, &export, false).expect("import into an empty database");
    assert!(summary.total() > 50);
    assert_same_answers(&source, &target, &site);
    assert_eq!(
        rows_of(&export_bytes(&target)),
        rows_of(&export),
        "exporting the imported site gives the same rows back"
    );

    // and back again, to the first backend
    let Some(back) = TestApp::spawn(from, roomy) else {
        return;
    };
    import_bytes(&back, &export_bytes(&target), false).expect("import back");
    assert_same_answers(&source, &back, &site);

    accounts_still_work(&target, &site);
    accounts_still_work(&back, &site);
}

#[test]
fn a_site_moves_from_sqlite_to_sqlite() {
    move_site(Backend::Sqlite, Backend::Sqlite);
}

#[test]
#[cfg_attr(
    not(kiosque_pg),
    ignore = "set KIOSQUE_TEST_POSTGRES_URL to run on PostgreSQL"
)]
fn a_site_moves_from_sqlite_to_postgres_and_back() {
    move_site(Backend::Sqlite, Backend::Postgres);
}

#[test]
#[cfg_attr(
    not(kiosque_pg),
    ignore = "set KIOSQUE_TEST_POSTGRES_URL to run on PostgreSQL"
)]
fn a_site_moves_from_postgres_to_sqlite_and_back() {
    move_site(Backend::Postgres, Backend::Sqlite);
}

/// Every table of the migrated schema is carried or left behind on purpose,
/// and the carried ones come after the tables they reference.
fn every_table_is_carried_in_foreign_key_order(app: &TestApp) {
    let mut conn = kiosque::db::AnyConnection::open(&app.state.config.database).unwrap();
    let in_db = transfer::schema::database_tables(&mut conn).unwrap();
    let known: Vec<&str> = transfer::tables::CARRIED
        .iter()
        .copied()
        .chain(transfer::tables::LEFT_BEHIND.iter().map(|(t, _)| *t))
        .collect();
    for table in &in_db {
        assert!(
            known.contains(&table.as_str()),
            "table `{table}` is not in src/transfer/tables.rs"
        );
    }
    for table in &known {
        assert!(
            in_db.iter().any(|t| t == table),
            "src/transfer/tables.rs names `{table}`, the schema has none"
        );
    }
    #[derive(QueryableByName)]
    struct Reference {
        #[diesel(sql_type = diesel::sql_types::Text)]
        parent: String,
    }
    let carried = transfer::tables::CARRIED;
    for (i, table) in carried.iter().enumerate() {
        let parents: Vec<Reference> = match app.backend() {
            Backend::Sqlite => diesel::sql_query(format!(
                "SELECT \"table\" AS parent FROM pragma_foreign_key_list('{table}')"
            )),
            Backend::Postgres => diesel::sql_query(format!(
                "SELECT confrelid::regclass::text AS parent FROM pg_constraint \
                 WHERE contype = 'f' AND conrelid = '{table}'::regclass"
            )),
        }
        .load(&mut conn)
        .unwrap();
        for parent in parents {
            let at = carried.iter().position(|t| *t == parent.parent);
            assert!(
                at.is_some_and(|p| p <= i),
                "`{table}` references `{}`, which must come before it in CARRIED",
                parent.parent
            );
        }
    }
    // an empty site travels too
    let export = export_bytes(app);
    let lines = String::from_utf8(export).unwrap();
    let header: Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(header["format"], "kiosque-export");
    assert_eq!(header["version"], 1);
    assert_eq!(header["tables"].as_array().unwrap().len(), carried.len());
    assert_eq!(lines.lines().count(), 2, "a header and the end line");
}

/// A target that holds data is left alone; `--force` replaces it, in one go.
fn a_non_empty_database_is_refused_unless_forced(app: &TestApp) {
    let site = build_site(app);
    let export = export_bytes(app);
    let before = app
        .get("/api/v1/articles")
        .bearer(&site.admin.token)
        .send()
        .text();
    assert!(matches!(
        import_bytes(app, &export, false),
        Err(Error::NotEmpty(_))
    ));
    assert_eq!(
        app.get("/api/v1/articles")
            .bearer(&site.admin.token)
            .send()
            .text(),
        before
    );

    // more data arrives, then the export replaces the whole site
    let extra = created(
        app,
        &site.admin.token,
        "/api/v1/sections",
        json!({"name": "En trop"}),
    );
    import_bytes(app, &export, true).expect("a forced import replaces the data");
    app.get(&format!("/api/v1/sections/{}", id(&extra)))
        .send()
        .problem(404);
    assert_eq!(
        app.get("/api/v1/articles")
            .bearer(&site.admin.token)
            .send()
            .text(),
        before
    );
    // the search index follows the replaced rows
    let found = app.get("/api/v1/articles?q=marrons").send().ok();
    assert_eq!(found["meta"]["total"], 1, "{found}");
}

/// A file cut short, damaged or from another version changes nothing.
fn bad_files_change_nothing(app: &TestApp) {
    let Some(source) = TestApp::spawn(app.backend(), roomy) else {
        return;
    };
    let site = build_site(&source);
    let export = String::from_utf8(export_bytes(&source)).unwrap();
    let lines: Vec<&str> = export.lines().collect();
    let mut cases: Vec<(&str, String)> = vec![
        ("truncated", lines[..lines.len() - 1].join("\n")),
        ("cut in a line", export[..export.len() - 40].to_string()),
        ("empty", String::new()),
        ("not an export", "{\"hello\": 1}\n".to_string()),
    ];
    let mut newer: Value = serde_json::from_str(lines[0]).unwrap();
    newer["version"] = json!(2);
    let mut other_schema: Value = serde_json::from_str(lines[0]).unwrap();
    other_schema["schema"] = json!("20991231000000");
    for (name, header) in [("a future format", newer), ("another schema", other_schema)] {
        let mut changed = vec![header.to_string()];
        changed.extend(lines[1..].iter().map(|l| l.to_string()));
        cases.push((name, changed.join("\n")));
    }
    let wrong_type = export.replacen("\"disabled\":false", "\"disabled\":\"no\"", 1);
    cases.push(("a value of the wrong type", wrong_type));
    let out_of_order = {
        let mut l: Vec<&str> = lines.clone();
        let users = l
            .iter()
            .position(|x| x.starts_with("{\"table\":\"users\""))
            .unwrap();
        let comment = l
            .iter()
            .position(|x| x.starts_with("{\"table\":\"comments\""))
            .unwrap();
        l.swap(users, comment);
        l.join("\n")
    };
    cases.push(("rows out of order", out_of_order));
    for (name, text) in cases {
        let result = import_bytes(app, text.as_bytes(), false);
        assert!(result.is_err(), "{name}: refused");
        let problem = result.unwrap_err().to_string();
        assert!(!problem.is_empty(), "{name}: says why");
        assert_eq!(
            app.get("/api/v1/sections").send().ok()["meta"]["total"],
            0,
            "{name}: nothing was written ({problem})"
        );
        let mut conn = kiosque::db::AnyConnection::open(&app.state.config.database).unwrap();
        let count: i64 = kiosque::db::schema::users::table
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(count, 0, "{name}: no user either");
    }
    // the intact file still imports afterwards
    import_bytes(app, export.as_bytes(), false).unwrap();
    assert_eq!(app.login(&site.admin.email, PASSWORD).status, 200);
}

db_tests!(
    every_table_is_carried_in_foreign_key_order,
    a_non_empty_database_is_refused_unless_forced,
    bad_files_change_nothing,
);
