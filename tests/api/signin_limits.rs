//! Sign-in limits count failures, per account and address and per account:
//! a stranger's wrong guesses are stopped without locking the owner out.

use kiosque::config::{Config, RateStore};
use serde_json::json;

use crate::db_tests;
use crate::helpers::{PASSWORD, Resp, TestApp};

fn from(app: &TestApp, ip: &str, email: &str, password: &str) -> Resp {
    app.post("/api/v1/auth/login")
        .header("X-Forwarded-For", ip)
        .json(&json!({"email": email, "password": password}))
        .send()
}

#[track_caller]
fn limited(res: &Resp) {
    let p = res.problem(429);
    assert_eq!(p["code"], "rate_limited");
    let wait: u64 = res
        .header("retry-after")
        .expect("a 429 says when to come back")
        .parse()
        .unwrap();
    assert!(wait >= 1);
}

/// Case and spacing variants of one address.
fn variants(email: &str) -> [String; 3] {
    [
        email.to_uppercase(),
        format!("  {email} "),
        email
            .char_indices()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect(),
    ]
}

/// Behind a proxy the app trusts: 5 failures at once per account and
/// address (then one every 5 minutes), 5 per account (then one a minute).
fn limits(config: &mut Config) {
    config.trust_proxy = true;
    config.rate_auth_per_minute = 1;
    config.rate_auth_burst = 5;
    config.signin_failures_per_hour = 12;
    config.signin_failures_burst = 5;
}

/// The same, with room per address and per account: only the limit per
/// account and address can stop anyone.
fn only_per_account_and_address(config: &mut Config) {
    limits(config);
    config.rate_auth_per_minute = 1_000;
    config.rate_auth_burst = 1_000;
}

fn in_the_database(config: &mut Config) {
    config.rate_store = RateStore::Database;
}

fn limits_in_the_database(config: &mut Config) {
    limits(config);
    in_the_database(config);
}

fn only_per_account_and_address_in_the_database(config: &mut Config) {
    only_per_account_and_address(config);
    in_the_database(config);
}

/// Fifty wrong guesses from one address, in any case or spacing of the
/// owner's address: the stranger is stopped, the owner is not.
fn a_strangers_guesses_do_not_lock_the_owner_out(app: &TestApp) {
    let owner = app.member();
    let stranger = "198.51.100.66";
    let spellings = variants(&owner.email);
    let mut refused = 0;
    for n in 0..50 {
        let email = &spellings[n % spellings.len()];
        let res = from(app, stranger, email, "Wrong-password-1");
        if n < 5 {
            assert_eq!(res.status, 401, "guess {n}: {}", res.text());
        } else {
            limited(&res);
            refused += 1;
        }
    }
    assert_eq!(refused, 45, "every spelling counts as the same account");
    // even the right password is refused to the guessing address
    limited(&from(app, stranger, &owner.email, PASSWORD));
    // the owner, from an address of their own, signs in at once
    let res = from(app, "203.0.113.9", &owner.email, PASSWORD);
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["user"]["id"], owner.id.as_str());
    // and the stranger's block lifts with time
    app.state.clock.advance(chrono::Duration::hours(1));
    assert_eq!(
        from(app, stranger, &owner.email, "Wrong-password-2").status,
        401
    );
}

/// Many addresses guessing together spend the account's own limit: each
/// address that has failed is stopped, a fresh one gets one answer, and the
/// owner's correct password from a fresh address still works.
fn guesses_spread_over_addresses_stay_bounded(app: &TestApp) {
    let owner = app.member();
    // the account's limit is 5 failures at once (KIOSQUE_RATE_AUTH_BURST)
    for n in 0..5 {
        let res = from(app, &format!("192.0.2.{n}"), &owner.email, "Wrong-1");
        assert_eq!(res.status, 401, "{}", res.text());
    }
    // an address that has failed is stopped, right password or not
    limited(&from(app, "192.0.2.0", &owner.email, "Wrong-2"));
    // a fresh address with a wrong password is answered 429, and is stopped after
    let fresh = "192.0.2.77";
    limited(&from(app, fresh, &variants(&owner.email)[0], "Wrong-3"));
    limited(&from(app, fresh, &owner.email, "Wrong-4"));
    // the owner, from a fresh address, with the right password: signed in
    let res = from(app, "203.0.113.10", &owner.email, PASSWORD);
    assert_eq!(res.status, 200, "{}", res.text());
    // other accounts are not affected by this one's limit
    let other = app.member();
    assert_eq!(from(app, "192.0.2.1", &other.email, "Wrong-1").status, 401);
}

/// An owner who mistyped once, while a stranger spends the account's limit,
/// gets in again once their own single failure has aged.
fn an_owners_own_typo_ages_out(app: &TestApp) {
    let owner = app.member();
    let home = "203.0.113.20";
    assert_eq!(from(app, home, &owner.email, "Typo-typo-1").status, 401);
    for n in 0..10 {
        let _ = from(app, &format!("192.0.2.{n}"), &owner.email, "Wrong-1");
    }
    limited(&from(app, home, &owner.email, PASSWORD));
    // one failure is forgotten after one period (5 minutes at 12 an hour);
    // meanwhile the stranger has spent the account's limit again
    app.state.clock.advance(chrono::Duration::minutes(6));
    for n in 20..40 {
        let _ = from(app, &format!("192.0.2.{n}"), &owner.email, "Wrong-1");
    }
    limited(&from(app, "192.0.2.0", &owner.email, "Wrong-1"));
    let res = from(app, home, &owner.email, PASSWORD);
    assert_eq!(res.status, 200, "{}", res.text());
}

db_tests!(config = only_per_account_and_address;
    a_strangers_guesses_do_not_lock_the_owner_out,
);
db_tests!(config = limits;
    guesses_spread_over_addresses_stay_bounded,
    an_owners_own_typo_ages_out,
);

/// The same stories with the counts kept in the database, shared by every node.
mod counted_in_the_database {
    use super::*;
    db_tests!(config = only_per_account_and_address_in_the_database;
        a_strangers_guesses_do_not_lock_the_owner_out,
    );
    db_tests!(config = limits_in_the_database;
        guesses_spread_over_addresses_stay_bounded,
        an_owners_own_typo_ages_out,
    );
}
