//! The reader's rights (RGPD): a member downloads everything the site holds
//! about them, then is erased; the database afterwards holds no personal
//! data of theirs, while their votes stay counted.

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::*;
use kiosque::config::{Config, EraseComments};
use kiosque::db::schema::{mail_outbox, member_tokens};

/// The whole database as the `export` command writes it (every carried table).
fn dump(app: &TestApp) -> String {
    let mut out = Vec::new();
    kiosque::transfer::export(&app.state.config.database, &mut out).expect("export");
    String::from_utf8(out).unwrap()
}

fn rows<'a>(dump: &'a str, table: &'a str) -> impl Iterator<Item = Value> + 'a {
    dump.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(move |v| v["table"] == table)
        .map(|v| v["row"].clone())
}

const NAME: &str = "Gwenaëlle Kerhervé";

/// A member who commented, voted, submitted an event; with the poll.
fn active_member(app: &TestApp) -> (TestUser, String, String) {
    let editor = app.editor();
    let article = app.article(&editor).published();
    let poll = app
        .poll(&editor)
        .with(json!({"results_visibility": "always"}))
        .create();
    let member = app.member();
    app.patch("/api/v1/me")
        .bearer(&member.token)
        .json(&json!({"display_name": NAME}))
        .send()
        .ok();
    let comment = app
        .comment(&member, article.id())
        .body("Un commentaire de Gwenaëlle")
        .send();
    assert!(comment.status < 300, "{}", comment.text());
    let option = poll["options"][0]["id"].clone();
    let vote = app
        .post(&format!("/api/v1/polls/{}/votes", poll.id()))
        .bearer(&member.token)
        .json(&json!({"options": [option]}))
        .send();
    assert!(vote.status < 300, "{}", vote.text());
    let event = app.event(&member).title("Vide-grenier de Gwenaëlle").send();
    assert!(event.status < 300, "{}", event.text());
    (member, poll.id().to_string(), article.id().to_string())
}

fn voters(app: &TestApp, poll: &str) -> Value {
    app.get(&format!("/api/v1/polls/{poll}/results"))
        .send()
        .ok()["total_voters"]
        .clone()
}

fn a_member_downloads_their_data_then_is_erased(app: &TestApp) {
    let (member, poll, article) = active_member(app);
    let export = app.get("/api/v1/me/export").bearer(&member.token).send();
    assert_eq!(export.status, 200, "{}", export.text());
    assert_eq!(export.header("cache-control"), Some("no-store"));
    let export = export.json();
    assert_eq!(export["profile"]["email"], member.email.as_str());
    assert_eq!(export["profile"]["display_name"], NAME);
    assert_eq!(export["comments"][0]["body"], "Un commentaire de Gwenaëlle");
    assert_eq!(export["comments"][0]["article_id"], article.as_str());
    assert_eq!(export["votes"][0]["poll_id"], poll.as_str());
    assert_eq!(export["submissions"][0]["kind"], "event");
    assert_eq!(
        export["submissions"][0]["title"],
        "Vide-grenier de Gwenaëlle"
    );
    assert!(!export["sessions"].as_array().unwrap().is_empty());
    assert_eq!(export["notifications"]["replies_to_my_comments"], true);
    assert_eq!(export["notifications"]["moderation_digest"], true);
    assert!(
        !export.to_string().contains("argon2"),
        "no secret in the export"
    );

    let before = dump(app);
    let user = rows(&before, "users")
        .find(|u| u["email"] == member.email.as_str())
        .unwrap();
    let hash = user["password_hash"].as_str().unwrap().to_string();
    assert_eq!(voters(app, &poll), 1);

    // the password confirms it
    let wrong = app
        .delete("/api/v1/me")
        .bearer(&member.token)
        .json(&json!({"password": "pas-le-bon-mot"}))
        .send()
        .problem(422);
    assert_eq!(wrong["errors"][0]["field"], "password");
    let erased = app
        .delete("/api/v1/me")
        .bearer(&member.token)
        .json(&json!({"password": PASSWORD}))
        .send();
    assert_eq!(erased.status, 204, "{}", erased.text());

    app.get("/api/v1/me")
        .bearer(&member.token)
        .send()
        .problem(401);
    // the vote stays counted
    assert_eq!(voters(app, &poll), 1);

    // nothing personal is left anywhere (read before the failed sign-in
    // below, which the audit log notes with the address tried)
    let after = dump(app);
    for trace in [member.email.as_str(), NAME, hash.as_str()] {
        let left: Vec<&str> = after.lines().filter(|l| l.contains(trace)).collect();
        assert!(
            left.is_empty(),
            "{trace} is still in the database: {left:?}"
        );
    }
    assert!(!after.contains(&format!("\"user:{}\"", member.id)));
    // the comment stays, attached to nobody, without its address
    let comment = rows(&after, "comments")
        .find(|c| c["body"] == "Un commentaire de Gwenaëlle")
        .expect("kept as a deleted member's comment");
    assert_eq!(comment["author_id"], Value::Null);
    assert_eq!(comment["ip"], "");
    for entry in rows(&after, "audit_log") {
        assert_ne!(entry["actor_id"], json!(member.id.parse::<i64>().unwrap()));
        if entry["target_id"] == member.id.as_str() {
            assert_eq!(entry["details"], "{}", "{entry}");
            assert_eq!(entry["ip"], Value::Null, "{entry}");
        }
    }
    // nor in the tables no export carries
    let mut conn = app.state.db.get().unwrap();
    let mails: i64 = mail_outbox::table
        .filter(mail_outbox::recipient.eq(&member.email))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(mails, 0);
    let links: i64 = member_tokens::table
        .filter(member_tokens::user_id.eq(member.id.parse::<i64>().unwrap()))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(links, 0);
    app.login(&member.email, PASSWORD).problem(401);
}

fn removing(config: &mut Config) {
    config.mail.erase_comments = EraseComments::Remove;
}

fn an_admin_erases_an_account_on_request(app: &TestApp) {
    let (member, poll, _) = active_member(app);
    let admin = app.admin();
    let path = format!("/api/v1/users/{}/erase", member.id);
    app.post(&path).bearer(&member.token).send().problem(403);
    let erased = app.post(&path).bearer(&admin.token).send();
    assert_eq!(erased.status, 204, "{}", erased.text());
    app.post(&path).bearer(&admin.token).send().problem(404);
    assert_eq!(voters(app, &poll), 1);
    let after = dump(app);
    for trace in [member.email.as_str(), NAME, "Un commentaire de Gwenaëlle"] {
        assert!(!after.contains(trace), "{trace} is still in the database");
    }
    // the erasure is in the audit log, naming nobody
    let audit = app
        .get("/api/v1/audit?action=user.erased")
        .bearer(&admin.token)
        .send()
        .ok();
    assert_eq!(audit["data"].as_array().unwrap().len(), 1);
}

db_tests!(a_member_downloads_their_data_then_is_erased);

db_tests!(
    config = removing;
    an_admin_erases_an_account_on_request,
);
