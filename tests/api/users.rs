//! Administration of accounts.

use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

fn admins_find_accounts_by_role_text_and_state(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let members: Vec<_> = (0..3).map(|_| app.member()).collect();
    app.patch(&format!("/api/v1/users/{}", members[0].id))
        .bearer(&admin.token)
        .json(&json!({"disabled": true}))
        .send()
        .ok();

    let list = |q: &str| {
        app.get(&format!("/api/v1/users{q}"))
            .bearer(&admin.token)
            .send()
            .ok()
    };
    assert_eq!(list("")["meta"]["total"], 5);
    assert_eq!(list("?role=member")["meta"]["total"], 3);
    assert_eq!(list("?role=member&disabled=false")["meta"]["total"], 2);
    let found = list(&format!("?q={}", editor.email.to_uppercase()));
    assert_eq!(found["meta"]["total"], 1);
    assert_eq!(found["data"][0]["id"], editor.id.as_str());
    assert!(found["data"][0].get("password_hash").is_none());
    let page = list("?limit=2&sort=email");
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["meta"]["total"], 5);
    app.get("/api/v1/users?role=emperor")
        .bearer(&admin.token)
        .send()
        .problem(400);

    let one = app
        .get(&format!("/api/v1/users/{}", editor.id))
        .bearer(&admin.token)
        .send()
        .ok();
    assert_eq!(one["role"], "editor");
    app.get("/api/v1/users/999999")
        .bearer(&admin.token)
        .send()
        .problem(404);
}

fn a_role_change_takes_effect_at_once(app: &TestApp) {
    let admin = app.admin();
    let member = app.member();
    let create = || app.section(&member).name("Jardinage").send();
    create().problem(403);
    let updated = app
        .patch(&format!("/api/v1/users/{}", member.id))
        .bearer(&admin.token)
        .json(&json!({"role": "editor"}))
        .send()
        .ok();
    assert_eq!(updated["role"], "editor");
    assert_eq!(
        create().status,
        201,
        "the same token now carries the new role"
    );
    app.patch(&format!("/api/v1/users/{}", member.id))
        .bearer(&admin.token)
        .json(&json!({"role": "overlord"}))
        .send()
        .problem(422);
}

fn the_last_admin_stays(app: &TestApp) {
    let admin = app.admin();
    let me = format!("/api/v1/users/{}", admin.id);
    for change in [json!({"role": "editor"}), json!({"disabled": true})] {
        let p = app
            .patch(&me)
            .bearer(&admin.token)
            .json(&change)
            .send()
            .problem(409);
        assert_eq!(p["code"], "last_admin");
    }
    app.delete(&me).bearer(&admin.token).send().problem(409);
    assert_eq!(
        app.get(&me).bearer(&admin.token).send().ok()["role"],
        "admin"
    );

    let second = app.admin();
    let demoted = app
        .patch(&me)
        .bearer(&second.token)
        .json(&json!({"role": "editor"}))
        .send()
        .ok();
    assert_eq!(demoted["role"], "editor");
    let second_path = format!("/api/v1/users/{}", second.id);
    let p = app
        .delete(&second_path)
        .bearer(&second.token)
        .send()
        .problem(409);
    assert_eq!(p["code"], "last_admin");
    assert_eq!(
        app.get(&second_path).bearer(&second.token).send().ok()["role"],
        "admin"
    );
}

fn re_enabled_accounts_sign_in_again(app: &TestApp) {
    let admin = app.admin();
    let member = app.member();
    let path = format!("/api/v1/users/{}", member.id);
    app.patch(&path)
        .bearer(&admin.token)
        .json(&json!({"disabled": true}))
        .send()
        .ok();
    app.login(&member.email, crate::helpers::PASSWORD)
        .problem(403);
    let back = app
        .patch(&path)
        .bearer(&admin.token)
        .json(&json!({"disabled": false}))
        .send()
        .ok();
    assert_eq!(back["disabled"], false);
    assert_eq!(
        app.login(&member.email, crate::helpers::PASSWORD).status,
        200
    );
}

db_tests!(
    admins_find_accounts_by_role_text_and_state,
    a_role_change_takes_effect_at_once,
    the_last_admin_stays,
    re_enabled_accounts_sign_in_again,
);
