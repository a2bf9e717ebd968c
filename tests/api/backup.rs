//! Backups: a copy taken while the server keeps serving writes is one
//! consistent moment, restores into an empty database (of either backend)
//! and serves; a restore never lands on a database that holds data unless
//! forced.

use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::prelude::*;
use kiosque::config::Backend;
use kiosque::transfer::{self, Error};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::TestApp;
use crate::transfer_site::roomy;

fn backup_file(app: &TestApp) -> std::path::PathBuf {
    app.state.config.data_dir.join("site.backup")
}

/// (total voters as shown, the options' counts added up, the ballots stored)
fn poll_numbers(app: &TestApp, poll: &str, token: &str) -> (i64, i64, i64) {
    let r = app
        .get(&format!("/api/v1/polls/{poll}/results"))
        .bearer(token)
        .send()
        .ok();
    let counted: i64 = r["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["count"].as_i64().unwrap())
        .sum();
    let mut conn = kiosque::db::AnyConnection::open(&app.state.config.database).unwrap();
    let stored: i64 = kiosque::db::schema::poll_votes::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    (r["total_voters"].as_i64().unwrap(), counted, stored)
}

fn a_backup_taken_while_writes_go_on_restores_and_serves(app: &TestApp) {
    let editor = app.editor();
    let poll: Value = app
        .post("/api/v1/polls")
        .bearer(&editor.token)
        .json(&json!({
            "question": "Un marché le dimanche ?",
            "options": [{"label": "Oui"}, {"label": "Non"}],
            "closes_at": (app.state.clock.now_utc() + chrono::Duration::days(3)).to_rfc3339(),
            "who_may_vote": "members", "results_visibility": "always"}))
        .send()
        .ok();
    let poll_id = poll["id"].as_str().unwrap().to_string();
    let options: Vec<String> = poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    let voters: Vec<_> = (0..40).map(|_| app.member()).collect();
    let cast = AtomicUsize::new(0);
    let file = backup_file(app);

    std::thread::scope(|s| {
        let writer = s.spawn(|| {
            for (i, voter) in voters.iter().enumerate() {
                let res = app
                    .post(&format!("/api/v1/polls/{poll_id}/votes"))
                    .bearer(&voter.token)
                    .json(&json!({"options": [options[i % 2]]}))
                    .send();
                assert_eq!(
                    res.status,
                    201,
                    "the server keeps taking votes: {}",
                    res.text()
                );
                cast.fetch_add(1, Ordering::SeqCst);
            }
        });
        while cast.load(Ordering::SeqCst) < 5 {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        transfer::backup(&app.state.config.database, &file).expect("a backup while serving");
        writer.join().unwrap();
    });
    assert_eq!(poll_numbers(app, &poll_id, &editor.token).0, 40);
    let start = std::fs::read(&file).unwrap();
    match app.backend() {
        Backend::Sqlite => assert!(start.starts_with(b"SQLite format 3\0"), "a SQLite file"),
        Backend::Postgres => assert!(
            start.starts_with(b"{\"format\":\"kiosque-export\""),
            "an export"
        ),
    }

    // restored on the same backend, and on the other one when it is at hand
    for to in [app.backend(), other(app.backend())] {
        let Some(restored) = TestApp::spawn(to, roomy) else {
            continue;
        };
        transfer::restore(&restored.state.config.database, &file, false).expect("restore");
        let (shown, counted, stored) = poll_numbers(&restored, &poll_id, &editor.token);
        assert!(
            (5..=40).contains(&shown),
            "the backup holds the votes of its moment: {shown}"
        );
        assert_eq!(
            shown, counted,
            "one moment: the poll's and its options' counters agree"
        );
        assert_eq!(
            shown, stored,
            "one moment: as many ballots as voters counted"
        );
        // it serves, reads and writes
        let res = restored
            .post(&format!("/api/v1/polls/{poll_id}/votes"))
            .bearer(&voters[39].token)
            .json(&json!({"options": [options[0]]}));
        let status = res.send().status;
        assert!(
            status == 201 || status == 409,
            "a voter of the copy: {status}"
        );
        assert_eq!(
            restored.get("/api/v1/polls").send().ok()["meta"]["total"],
            1
        );
    }
}

fn other(backend: Backend) -> Backend {
    match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    }
}

/// Restoring onto data is refused (and changes nothing); forced, it replaces.
fn restore_refuses_a_database_that_holds_data(app: &TestApp) {
    let admin = app.admin();
    let section = |name: &str| {
        app.post("/api/v1/sections")
            .bearer(&admin.token)
            .json(&json!({"name": name}))
            .send()
            .ok()
    };
    section("Sport");
    let file = backup_file(app);
    transfer::backup(&app.state.config.database, &file).unwrap();
    section("Culture");

    let refused = transfer::restore(&app.state.config.database, &file, false);
    assert!(matches!(refused, Err(Error::NotEmpty(_))), "{refused:?}");
    assert_eq!(app.get("/api/v1/sections").send().ok()["meta"]["total"], 2);

    transfer::restore(&app.state.config.database, &file, true).expect("a forced restore");
    // A restore is made with the server stopped (its response cache does not
    // see a restore made under it); a staff read is never served from it.
    let names: Vec<Value> = app.get("/api/v1/sections").bearer(&admin.token).send().ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].clone())
        .collect();
    assert_eq!(
        names,
        vec![json!("Sport")],
        "back to the moment of the backup"
    );

    // a backup overwrites its previous file only once complete
    transfer::backup(&app.state.config.database, &file).unwrap();
    let missing = app.state.config.data_dir.join("none.backup");
    assert!(transfer::restore(&app.state.config.database, &missing, false).is_err());
}

db_tests!(
    config = roomy;
    a_backup_taken_while_writes_go_on_restores_and_serves,
    restore_refuses_a_database_that_holds_data,
);

/// The commands an operator types, run as the real binary.
#[test]
fn the_commands_back_up_restore_export_and_import() {
    let Some(app) = TestApp::spawn(Backend::Sqlite, roomy) else {
        return;
    };
    let admin = app.admin();
    app.post("/api/v1/sections")
        .bearer(&admin.token)
        .json(&json!({"name": "Sport"}))
        .send()
        .ok();
    let dir = app.state.config.data_dir.clone();
    let source = format!("sqlite://{}", app.state.config.database.target);
    let kiosque = |url: &str, args: &[&str], stdin: &[u8]| {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kiosque"))
            .args(args)
            .current_dir(&dir)
            .env("DATABASE_URL", url)
            .env("KIOSQUE_JWT_SECRET", "test-secret-test-secret-test-secret!")
            .env("KIOSQUE_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        let stdin = stdin.to_vec();
        let feeder = std::thread::spawn(move || {
            let _ = input.write_all(&stdin);
        });
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        (
            out.status.success(),
            out.stdout,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let rows = |export: &[u8]| -> Vec<u8> {
        let start = export.iter().position(|&b| b == b'\n').unwrap() + 1;
        export[start..].to_vec()
    };

    let (ok, export, err) = kiosque(&source, &["export"], b"");
    assert!(ok, "export: {err}");
    assert!(err.contains("exported"), "{err}");
    // copying the site's data out is an audited act
    let log = app
        .get("/api/v1/audit?action=export.created")
        .bearer(&admin.token)
        .send()
        .ok();
    assert_eq!(log["meta"]["total"], 1, "{log}");
    assert_eq!(log["data"][0]["action"], "export.created");
    assert_eq!(log["data"][0]["actor"]["type"], "system", "{log}");
    let copy = format!("sqlite://{}", dir.join("copy.db").display());
    let (ok, _, err) = kiosque(&copy, &["import"], &export);
    assert!(ok, "import into a new database: {err}");
    let (ok, again, _) = kiosque(&copy, &["export"], b"");
    assert!(ok);
    assert_eq!(rows(&again), rows(&export), "the copy holds the same rows");
    let (ok, _, err) = kiosque(&copy, &["import"], &export);
    assert!(
        !ok && err.contains("not empty"),
        "a second import is refused: {err}"
    );
    let file = dir.join("export.jsonl");
    std::fs::write(&file, &export).unwrap();
    let (ok, _, err) = kiosque(&copy, &["import", "--force", file.to_str().unwrap()], b"");
    assert!(ok, "a forced import from a file: {err}");

    let backup = dir.join("nightly.db");
    let (ok, _, err) = kiosque(&source, &["backup", "--to", backup.to_str().unwrap()], b"");
    assert!(ok, "backup: {err}");
    let restored = format!("sqlite://{}", dir.join("restored.db").display());
    let from = ["restore", "--from", backup.to_str().unwrap()];
    let (ok, _, err) = kiosque(&restored, &from, b"");
    assert!(ok, "restore: {err}");
    let (ok, _, err) = kiosque(&restored, &from, b"");
    assert!(!ok && err.contains("not empty"), "{err}");
    let (ok, _, err) = kiosque(&restored, &[&from[..], &["--force"]].concat(), b"");
    assert!(ok, "{err}");
    let (_, back, _) = kiosque(&restored, &["export"], b"");
    // the site's rows; the audit log differs by design: each copy made of the
    // source is recorded there after it is made
    let site = |export: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(&rows(export))
            .lines()
            .filter(|l| !l.contains(r#""table":"audit_log""#) && !l.starts_with(r#"{"end""#))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        site(&back),
        site(&export),
        "the restored site is the backed-up one"
    );
}
