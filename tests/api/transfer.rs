//! Moving a site between databases: `export` from one backend, `import` into
//! the other, and every public and staff answer is the same afterwards —
//! byte for byte, ETags included. Imported accounts sign in with their
//! passwords, imported API keys still work, and a bad or partial file, or a
//! non-empty target, changes nothing.

use diesel::prelude::*;
use kiosque::config::Backend;
use kiosque::transfer::{self, Error, import::Options};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp};
use crate::transfer_site::{
    Site, assert_same_answers, build_site, check_coverage, created, id, roomy,
};

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
