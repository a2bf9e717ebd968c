//! Who may do what to a comment.

use serde_json::json;

use super::*;
use crate::db_tests;
use crate::helpers::{Action, Matrix, TestApp};

/// Anonymous, the author, another member, an author, an editor, an admin, a
/// key with `comments:moderate`, a key without.
fn authorization_matrix(app: &TestApp) {
    let editor = app.editor();
    let art = article(app, &editor);
    let owner = app.member();
    let other = app.member();
    let staff_author = app.author();
    let admin = app.admin();
    let mod_key = app.api_key(&["comments:moderate"]);
    let write_key = app.api_key(&["content:write"]);
    // every comment of the article, in every state, with its flags
    let everything =
        format!("/api/v1/comments?status=pending,approved,rejected,spam&article={art}&limit=100");
    let n = std::cell::Cell::new(0);
    // an approved comment of the owner's, fresh for each cell
    let fresh = || {
        n.set(n.get() + 1);
        let c = say(app, &owner.token, &art, &format!("Commentaire {}", n.get()));
        decide(app, &editor.token, &c, "approved").ok();
        format!("/api/v1/comments/{}", id(&c))
    };
    let (art, everything) = (&art, &everything);
    let mut m = Matrix::new(app, &editor)
        .anonymous("anonymous")
        .caller("owner", &owner)
        .caller("other member", &other)
        .caller("author", &staff_author)
        .caller("editor", &editor)
        .caller("admin", &admin)
        .caller("key comments:moderate", &mod_key)
        .caller("key content:write", &write_key);
    m.row("post", [401, 201, 201, 201, 201, 201, 403, 403], |who| {
        Action::post(comments_path(art))
            .json(json!({"body": format!("Avis de {who}")}))
            .unchanged(everything)
    });
    m.row(
        "edit text",
        [401, 200, 403, 403, 403, 403, 403, 403],
        |_| {
            Action::patch(fresh())
                .json(json!({"body": "Modifié"}))
                .unchanged(everything)
        },
    );
    m.row("decide", [401, 403, 403, 403, 200, 200, 200, 403], |_| {
        Action::patch(fresh())
            .json(json!({"status": "rejected"}))
            .unchanged(everything)
    });
    m.row("delete", [401, 204, 403, 403, 204, 204, 204, 403], |_| {
        Action::delete(fresh()).unchanged(everything)
    });
    m.row("queue", [401, 403, 403, 403, 200, 200, 200, 403], |_| {
        Action::get("/api/v1/comments")
    });
    m.row("bulk", [401, 403, 403, 403, 200, 200, 200, 403], |_| {
        let path = fresh();
        let cid = path.rsplit('/').next().unwrap().to_string();
        Action::post("/api/v1/comments/moderation")
            .json(json!({"ids": [cid], "status": "spam"}))
            .unchanged(everything)
    });
    m.row("flag", [401, 201, 201, 201, 201, 201, 403, 403], |_| {
        Action::post(format!("{}/flags", fresh()))
            .json(json!({"reason": "test"}))
            .unchanged(everything)
    });
    // last: it bans the other member
    m.row("ban", [401, 403, 403, 403, 200, 200, 403, 403], |_| {
        Action::put(format!("/api/v1/users/{}/comment-ban", other.id))
            .json(json!({"reason": "test"}))
    });
    m.run();
    let lifted = app
        .delete(&format!("/api/v1/users/{}/comment-ban", other.id))
        .bearer(&editor.token)
        .send();
    assert!(matches!(lifted.status, 204 | 404), "{}", lifted.text());
    assert_eq!(
        comment_count(app, art),
        approved_total(app, &editor.token, art)
    );
}

db_tests!(config = generous; authorization_matrix);
