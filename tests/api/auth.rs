//! Sign-up, sign-in, sessions, and the attacks on tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kiosque::config::Config;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{PASSWORD, TestApp};

fn register(app: &TestApp, email: &str) -> crate::helpers::Resp {
    app.post("/api/v1/auth/register")
        .json(&json!({"email": email, "password": PASSWORD, "display_name": "Léa Martin"}))
        .send()
}

fn a_reader_becomes_a_member_and_signs_in(app: &TestApp) {
    let res = register(app, "Lea.Martin@Example.org");
    assert_eq!(res.status, 202, "{}", res.text());
    let accepted = res.text();
    let res = app.login("Lea.Martin@Example.org", PASSWORD);
    assert_eq!(res.status, 200, "{}", res.text());
    let session = res.json();
    assert_eq!(session["token_type"], "Bearer");
    assert_eq!(session["expires_in"], 900);
    assert!(
        session["refresh_token"]
            .as_str()
            .unwrap()
            .starts_with("kqr_")
    );
    assert_eq!(session["user"]["role"], "member");
    assert_eq!(session["user"]["email"], "lea.martin@example.org");
    assert!(session["user"].get("password_hash").is_none());
    assert!(
        !res.text().contains("argon2"),
        "the hash never leaves the server"
    );

    let me = app
        .get("/api/v1/me")
        .bearer(session["access_token"].as_str().unwrap())
        .send()
        .ok();
    assert_eq!(me["display_name"], "Léa Martin");

    // e-mails are unique whatever their case; a taken address gets the
    // same answer as a new one (its owner gets a notice by mail)
    let again = register(app, "LEA.MARTIN@example.org");
    assert_eq!((again.status, again.text()), (202, accepted));

    let login = app.login("lea.martin@EXAMPLE.org", PASSWORD);
    assert_eq!(login.status, 200, "{}", login.text());
    assert!(login.json()["user"]["last_login_at"].is_string());
}

fn weak_passwords_and_bad_addresses_are_refused(app: &TestApp) {
    let p = app
        .post("/api/v1/auth/register")
        .json(&json!({"email": "not-an-email", "password": "short", "display_name": ""}))
        .send()
        .problem(422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "password", "display_name"]);
    let p = app
        .post("/api/v1/auth/register")
        .json(&json!({"email": "a@b.fr", "password": "motdepasse1", "display_name": "A"}))
        .send()
        .problem(422);
    assert_eq!(p["errors"][0]["message"], "is too common");
}

fn nobody_signs_up_with_a_role(app: &TestApp) {
    for extra in [
        json!({"role": "admin"}),
        json!({"disabled": false}),
        json!({"email_verified": true}),
    ] {
        let mut body =
            json!({"email": "mallory@example.org", "password": PASSWORD, "display_name": "M"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let p = app
            .post("/api/v1/auth/register")
            .json(&body)
            .send()
            .problem(422);
        let field = extra.as_object().unwrap().keys().next().unwrap().clone();
        assert_eq!(p["errors"][0]["field"], field.as_str());
    }
    app.login("mallory@example.org", PASSWORD).problem(401);
}

fn wrong_credentials_do_not_reveal_accounts(app: &TestApp) {
    let member = app.member();
    let wrong_password = app.login(&member.email, "Not-the-right-one-1");
    let unknown = app.login("nobody@example.org", PASSWORD);
    let a = wrong_password.problem(401);
    let b = unknown.problem(401);
    assert_eq!(a["detail"], b["detail"]);
    assert_eq!(a["code"], "invalid_credentials");
    assert!(
        wrong_password
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );
}

fn refresh_tokens_rotate_and_reuse_ends_the_session(app: &TestApp) {
    let member = app.member();
    let refresh = |token: &str| {
        app.post("/api/v1/auth/refresh")
            .json(&json!({"refresh_token": token}))
            .send()
    };

    let first = refresh(&member.refresh);
    assert_eq!(first.status, 200, "{}", first.text());
    let rotated = first.json()["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rotated, member.refresh);
    let access = first.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/v1/me").bearer(&access).send().status, 200);

    // the old token presented again: theft is assumed and the family ends
    let p = refresh(&member.refresh).problem(401);
    assert!(p["detail"].as_str().unwrap().contains("already used"));
    refresh(&rotated).problem(401);

    // another sign-in is another family, untouched
    let other = app.login(&member.email, PASSWORD).json();
    let other_refresh = other["refresh_token"].as_str().unwrap();
    assert_eq!(refresh(other_refresh).status, 200);

    refresh("kqr_forged").problem(401);
}

fn a_replayed_refresh_token_racing_its_twin_ends_the_session(app: &TestApp) {
    for _ in 0..5 {
        let member = app.member();
        let results: Vec<crate::helpers::Resp> = std::thread::scope(|s| {
            let racers: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        app.post("/api/v1/auth/refresh")
                            .json(&json!({"refresh_token": member.refresh}))
                            .send()
                    })
                })
                .collect();
            racers.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let winners: Vec<&crate::helpers::Resp> =
            results.iter().filter(|r| r.status == 200).collect();
        assert_eq!(winners.len(), 1, "one refresh token, one new pair");
        assert_eq!(results.iter().filter(|r| r.status == 401).count(), 1);
        // the loser was a replay: the whole family ends, the winner's new token too
        let issued = winners[0].json()["refresh_token"]
            .as_str()
            .unwrap()
            .to_string();
        app.post("/api/v1/auth/refresh")
            .json(&json!({"refresh_token": issued}))
            .send()
            .problem(401);
    }
}

fn logout_ends_the_session(app: &TestApp) {
    let member = app.member();
    let res = app
        .post("/api/v1/auth/logout")
        .json(&json!({"refresh_token": member.refresh}))
        .send();
    assert_eq!(res.status, 204);
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": member.refresh}))
        .send()
        .problem(401);
    // unknown tokens sign out quietly
    assert_eq!(
        app.post("/api/v1/auth/logout")
            .json(&json!({"refresh_token": "kqr_unknown"}))
            .send()
            .status,
        204
    );
}

fn forge(header: Value, claims: Value, signature: &str) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        signature
    )
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[track_caller]
fn refused(app: &TestApp, token: &str) -> Value {
    let res = app.get("/api/v1/me").bearer(token).send();
    let p = res.problem(401);
    let challenge = res.header("www-authenticate").unwrap();
    assert!(
        challenge.contains("Bearer") && challenge.contains("invalid_token"),
        "{challenge}"
    );
    p
}

fn forged_and_stale_tokens_are_refused(app: &TestApp) {
    let member = app.member();
    let claims = claims_of(&member.token);

    // alg none, with or without a signature
    let mut as_admin = claims.clone();
    as_admin["role"] = json!("admin");
    refused(
        app,
        &forge(json!({"alg": "none", "typ": "JWT"}), as_admin.clone(), ""),
    );
    // another algorithm with the secret as a public key, or a wrong secret
    refused(
        app,
        &forge(
            json!({"alg": "HS512", "typ": "JWT"}),
            as_admin.clone(),
            "c2ln",
        ),
    );
    let wrong_key = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"another-secret-another-secret-!!").unwrap(),
    )
    .unwrap();
    refused(app, &wrong_key);
    // a payload changed under a valid signature
    let parts: Vec<&str> = member.token.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(as_admin.to_string()),
        parts[2]
    );
    refused(app, &tampered);
    // another audience or issuer, correctly signed
    for (field, value) in [("aud", "someone-else"), ("iss", "elsewhere")] {
        let mut c = claims.clone();
        c[field] = json!(value);
        let signed = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &c,
            &jsonwebtoken::EncodingKey::from_secret(&app.state.config.jwt_secret).unwrap(),
        )
        .unwrap();
        refused(app, &signed);
    }
    refused(app, "garbage");
    let res = app
        .get("/api/v1/me")
        .header("Authorization", &format!("Basic {}", member.token))
        .send();
    res.problem(401);

    // a malformed token is refused even where anonymous reads are allowed
    app.get("/api/v1/sections")
        .bearer("garbage")
        .send()
        .problem(401);

    // still valid after 14 minutes, expired after 16
    app.state.clock.advance(chrono::Duration::minutes(14));
    assert_eq!(
        app.get("/api/v1/me").bearer(&member.token).send().status,
        200
    );
    app.state.clock.advance(chrono::Duration::minutes(2));
    let p = refused(app, &member.token);
    assert!(p["detail"].as_str().unwrap().contains("expired"));
}

fn tokens_of_disabled_or_deleted_accounts_are_refused(app: &TestApp) {
    let admin = app.admin();
    let disabled = app.member();
    let deleted = app.member();
    app.patch(&format!("/api/v1/users/{}", disabled.id))
        .bearer(&admin.token)
        .json(&json!({"disabled": true}))
        .send()
        .ok();
    refused(app, &disabled.token);
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": disabled.refresh}))
        .send()
        .problem(401);
    let p = app.login(&disabled.email, PASSWORD).problem(403);
    assert_eq!(p["code"], "account_disabled");

    assert_eq!(
        app.delete(&format!("/api/v1/users/{}", deleted.id))
            .bearer(&admin.token)
            .send()
            .status,
        204
    );
    refused(app, &deleted.token);
}

fn members_edit_their_own_profile_only(app: &TestApp) {
    let member = app.member();
    let me = app
        .patch("/api/v1/me")
        .bearer(&member.token)
        .json(&json!({"display_name": "Jeanne D.", "bio": "Lectrice depuis 1998", "avatar_url": "https://img.example/j.png"}))
        .send()
        .ok();
    assert_eq!(me["display_name"], "Jeanne D.");
    assert_eq!(me["avatar_url"], "https://img.example/j.png");
    let cleared = app
        .patch("/api/v1/me")
        .bearer(&member.token)
        .json(&json!({"avatar_url": null}))
        .send()
        .ok();
    assert_eq!(cleared["avatar_url"], Value::Null);
    assert_eq!(cleared["bio"], "Lectrice depuis 1998");

    for field in [
        json!({"role": "admin"}),
        json!({"disabled": true}),
        json!({"email": "x@y.fr"}),
        json!({"email_verified": true}),
        json!({"token_epoch": 0}),
    ] {
        let p = app
            .patch("/api/v1/me")
            .bearer(&member.token)
            .json(&field)
            .send()
            .problem(422);
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("unknown field")
        );
    }
    let p = app
        .patch("/api/v1/me")
        .bearer(&member.token)
        .json(&json!({"avatar_url": "javascript:alert(1)"}))
        .send()
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "avatar_url");
    assert_eq!(
        app.get("/api/v1/me").bearer(&member.token).send().json()["role"],
        "member"
    );
    app.get("/api/v1/me").send().problem(401);
}

fn changing_the_password_ends_other_sessions(app: &TestApp) {
    let member = app.member();
    let p = app
        .post("/api/v1/me/password")
        .bearer(&member.token)
        .json(&json!({"current_password": "wrong-wrong-wrong", "new_password": "Un-nouveau-mot-2026"}))
        .send()
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "current_password");

    let res = app
        .post("/api/v1/me/password")
        .bearer(&member.token)
        .json(&json!({"current_password": PASSWORD, "new_password": "Un-nouveau-mot-2026"}))
        .send();
    assert_eq!(res.status, 200, "{}", res.text());
    let fresh = res.json()["access_token"].as_str().unwrap().to_string();
    refused(app, &member.token);
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": member.refresh}))
        .send()
        .problem(401);
    assert_eq!(app.get("/api/v1/me").bearer(&fresh).send().status, 200);
    app.login(&member.email, PASSWORD).problem(401);
    assert_eq!(app.login(&member.email, "Un-nouveau-mot-2026").status, 200);
}

db_tests!(
    a_reader_becomes_a_member_and_signs_in,
    weak_passwords_and_bad_addresses_are_refused,
    nobody_signs_up_with_a_role,
    wrong_credentials_do_not_reveal_accounts,
    refresh_tokens_rotate_and_reuse_ends_the_session,
    a_replayed_refresh_token_racing_its_twin_ends_the_session,
    logout_ends_the_session,
    forged_and_stale_tokens_are_refused,
    tokens_of_disabled_or_deleted_accounts_are_refused,
    members_edit_their_own_profile_only,
    changing_the_password_ends_other_sessions,
);

fn tight_limits(config: &mut Config) {
    config.rate_auth_burst = 3;
    config.rate_auth_per_minute = 60;
    config.trust_proxy = true;
}

fn sign_in_is_rate_limited_per_address_and_per_account(app: &TestApp) {
    let attempt = |email: &str, ip: &str| {
        app.post("/api/v1/auth/login")
            .header("X-Forwarded-For", ip)
            .json(&json!({"email": email, "password": "Wrong-password-1"}))
            .send()
    };
    // per address: three tries, then 429 with Retry-After
    for n in 0..3 {
        assert_eq!(
            attempt(&format!("u{n}@example.org"), "198.51.100.7").status,
            401
        );
    }
    let res = attempt("u9@example.org", "198.51.100.7");
    let p = res.problem(429);
    assert_eq!(p["code"], "rate_limited");
    let wait: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait));
    // another address is not affected
    assert_eq!(attempt("u9@example.org", "198.51.100.8").status, 401);
    // and the limit recovers
    std::thread::sleep(std::time::Duration::from_millis(wait * 1000 + 500));
    assert_eq!(attempt("u10@example.org", "198.51.100.7").status, 401);

    // per account: one address per try does not get round it
    for n in 0..3 {
        assert_eq!(
            attempt("target@example.org", &format!("203.0.113.{n}")).status,
            401
        );
    }
    attempt("target@example.org", "203.0.113.50").problem(429);
}

db_tests!(config = tight_limits; sign_in_is_rate_limited_per_address_and_per_account);

fn tight_shared_limits(config: &mut Config) {
    tight_limits(config);
    config.rate_store = kiosque::config::RateStore::Database;
}

/// Several Kiosque processes on one database count sign-in attempts together.
fn limits_are_shared_by_every_server_on_the_database(app: &TestApp) {
    let other = app.spawn_sibling();
    let attempt = |server: &TestApp, n: u32| {
        server
            .post("/api/v1/auth/login")
            .header("X-Forwarded-For", "192.0.2.44")
            .json(&json!({"email": format!("who{n}@example.org"), "password": "Wrong-password-1"}))
            .send()
    };
    assert_eq!(attempt(app, 1).status, 401);
    assert_eq!(attempt(&other, 2).status, 401);
    assert_eq!(attempt(app, 3).status, 401);
    // the burst of 3 is spent, whichever server is asked
    let res = attempt(&other, 4);
    res.problem(429);
    assert!(res.header("retry-after").is_some());
    attempt(app, 5).problem(429);
}

db_tests!(config = tight_shared_limits; limits_are_shared_by_every_server_on_the_database);
