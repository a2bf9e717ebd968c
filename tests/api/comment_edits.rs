//! Editing an approved comment under pre-moderation: an untrusted member's
//! edit waits for a moderator while the approved text stays public; trusted
//! members and post-moderation edit at once.

use kiosque::config::{Config, ModerationMode};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{Resp, TestApp, TestUser};

const APPROVED_TEXT: &str = "Le marché couvert rouvre samedi matin.";
const PHISHING: &str = "Gagnez un bon d'achat : [cliquez ici](https://phish.example/login)";

/// Pre-moderation (the default); trust after three approved comments.
fn pre_moderation(c: &mut Config) {
    c.comments_per_hour = 1_000_000;
    c.comments_burst = 1_000_000;
    c.comments_moderation = ModerationMode::Pre;
    c.comments_trusted_after = 3;
}

fn trusted_after_one(c: &mut Config) {
    pre_moderation(c);
    c.comments_trusted_after = 1;
}

fn post_moderation(c: &mut Config) {
    pre_moderation(c);
    c.comments_moderation = ModerationMode::Post;
}

fn article(app: &TestApp, editor: &TestUser) -> String {
    app.post("/api/v1/articles")
        .bearer(&editor.token)
        .json(&json!({"title": "Le marché couvert", "status": "published"}))
        .send()
        .ok()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A comment by `member`, approved by `editor` when it waits.
fn approved_comment(app: &TestApp, editor: &TestUser, member: &TestUser, art: &str) -> String {
    let res = app
        .post(&format!("/api/v1/articles/{art}/comments"))
        .bearer(&member.token)
        .json(&json!({"body": APPROVED_TEXT}))
        .send();
    assert_eq!(res.status, 201, "{}", res.text());
    let c = res.json();
    let id = c["id"].as_str().unwrap().to_string();
    if c["status"] != "approved" {
        decide(app, editor, &id, "approved").ok();
    }
    id
}

fn edit(app: &TestApp, member: &TestUser, id: &str, text: &str) -> Value {
    app.patch(&format!("/api/v1/comments/{id}"))
        .bearer(&member.token)
        .json(&json!({"body": text}))
        .send()
        .ok()
}

fn decide(app: &TestApp, editor: &TestUser, id: &str, status: &str) -> Resp {
    app.patch(&format!("/api/v1/comments/{id}"))
        .bearer(&editor.token)
        .json(&json!({"status": status}))
        .send()
}

/// The one comment readers see under the article.
fn public_comment(app: &TestApp, art: &str) -> Value {
    let page = app
        .get(&format!("/api/v1/articles/{art}/comments"))
        .send()
        .ok();
    assert_eq!(page["data"].as_array().unwrap().len(), 1, "{page}");
    page["data"][0].clone()
}

/// The moderation queue's entry for `id`, if it is there.
fn queued(app: &TestApp, editor: &TestUser, id: &str) -> Option<Value> {
    let page = app
        .get("/api/v1/comments")
        .bearer(&editor.token)
        .send()
        .ok();
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
}

fn comment_count(app: &TestApp, art: &str) -> i64 {
    app.get(&format!("/api/v1/articles/{art}")).send().ok()["comment_count"]
        .as_i64()
        .unwrap()
}

fn html(text: &str) -> String {
    kiosque::text::comment_to_html(text)
}

fn an_untrusted_members_edit_waits_while_the_approved_text_stays(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let art = article(app, &editor);
    let id = approved_comment(app, &editor, &member, &art);
    assert!(queued(app, &editor, &id).is_none());

    // the author rewrites it: the answer shows the edit waiting, the text unchanged
    let mine = edit(app, &member, &id, PHISHING);
    assert_eq!(mine["status"], "approved");
    assert_eq!(mine["body"], APPROVED_TEXT);
    assert_eq!(mine["pending_edit"]["body"], PHISHING);
    assert_eq!(mine["pending_edit"]["body_html"], html(PHISHING));
    assert!(mine["pending_edit"]["submitted_at"].is_string());
    // readers still see the approved text, and nothing of the edit
    let seen = public_comment(app, &art);
    assert_eq!(seen["body_html"], html(APPROVED_TEXT));
    assert!(seen.get("pending_edit").is_none(), "{seen}");
    assert!(!seen.to_string().contains("phish.example"));
    assert_eq!(comment_count(app, &art), 1);
    // moderators find it in the queue, with the edit to judge
    let entry = queued(app, &editor, &id).expect("the edit is in the queue");
    assert_eq!(entry["pending_edit"]["body"], PHISHING);
    assert_eq!(entry["body"], APPROVED_TEXT);

    // rejecting drops the edit: the approved text stays, the comment stays public
    let rejected = decide(app, &editor, &id, "rejected").ok();
    assert_eq!(rejected["status"], "approved");
    assert!(rejected.get("pending_edit").is_none());
    assert_eq!(public_comment(app, &art)["body_html"], html(APPROVED_TEXT));
    assert!(queued(app, &editor, &id).is_none());
    assert_eq!(comment_count(app, &art), 1);

    // a fair correction, edited twice: the last version waits, approving applies it
    edit(app, &member, &id, "Le marché rouvre samedi.");
    let fixed = "Le marché couvert rouvre samedi à 7 h.";
    assert_eq!(
        edit(app, &member, &id, fixed)["pending_edit"]["body"],
        fixed
    );
    assert_eq!(public_comment(app, &art)["body_html"], html(APPROVED_TEXT));
    let approved = decide(app, &editor, &id, "approved").ok();
    assert_eq!(approved["body"], fixed);
    assert!(approved.get("pending_edit").is_none());
    let seen = public_comment(app, &art);
    assert_eq!(seen["body_html"], html(fixed));
    assert!(seen["edited_at"].is_string());
    assert!(queued(app, &editor, &id).is_none());
    assert_eq!(comment_count(app, &art), 1);
}

/// Bulk decisions treat waiting edits the same way; `spam` withdraws the
/// comment with its edit.
fn bulk_approval_applies_edits_and_spam_withdraws_the_comment(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let art = article(app, &editor);
    let id = approved_comment(app, &editor, &member, &art);
    edit(app, &member, &id, "Version corrigée par son auteur.");
    let res = app
        .post("/api/v1/comments/moderation")
        .bearer(&editor.token)
        .json(&json!({"ids": [id], "status": "approved"}))
        .send()
        .ok();
    assert_eq!(res["data"][0]["body"], "Version corrigée par son auteur.");
    assert_eq!(
        public_comment(app, &art)["body_html"],
        html("Version corrigée par son auteur.")
    );

    edit(app, &member, &id, PHISHING);
    let spam = decide(app, &editor, &id, "spam").ok();
    assert_eq!(spam["status"], "spam");
    assert!(spam.get("pending_edit").is_none());
    assert_eq!(comment_count(app, &art), 0);
    let page = app
        .get(&format!("/api/v1/articles/{art}/comments"))
        .send()
        .ok();
    assert_eq!(page["data"].as_array().unwrap().len(), 0);
    assert!(queued(app, &editor, &id).is_none());
}

/// Trusted members (enough approved comments) edit at once, as before.
fn trusted_members_edit_at_once(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let art = article(app, &editor);
    let id = approved_comment(app, &editor, &member, &art);
    let now = edit(app, &member, &id, "Corrigé tout de suite.");
    assert_eq!(now["body"], "Corrigé tout de suite.");
    assert!(now.get("pending_edit").is_none());
    assert_eq!(
        public_comment(app, &art)["body_html"],
        html("Corrigé tout de suite.")
    );
    assert!(queued(app, &editor, &id).is_none());
}

/// In post-moderation an edit applies at once.
fn post_moderation_edits_apply_at_once(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let art = article(app, &editor);
    let id = approved_comment(app, &editor, &member, &art);
    let now = edit(app, &member, &id, "Publié aussitôt.");
    assert!(now.get("pending_edit").is_none());
    assert_eq!(
        public_comment(app, &art)["body_html"],
        html("Publié aussitôt.")
    );
}

db_tests!(config = pre_moderation;
    an_untrusted_members_edit_waits_while_the_approved_text_stays,
    bulk_approval_applies_edits_and_spam_withdraws_the_comment,
);
db_tests!(config = trusted_after_one; trusted_members_edit_at_once);
db_tests!(config = post_moderation; post_moderation_edits_apply_at_once);
