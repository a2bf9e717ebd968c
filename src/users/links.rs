//! Links sent by mail: single-use, short-lived secrets stored as SHA-256
//! hashes (`member_tokens`). A secret is looked up by its hash, the hash
//! compared again in constant time, and spent in the same transaction as
//! what it allows.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::tokens::{hash_secret, new_link_token, same_secret};
use crate::db::AnyConnection;
use crate::db::schema::member_tokens as t;
use crate::error::{AppError, AppResult};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    PasswordReset,
    SignIn,
    EmailChange,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::PasswordReset => "password_reset",
            Purpose::SignIn => "sign_in",
            Purpose::EmailChange => "email_change",
        }
    }
}

#[derive(Queryable)]
struct TokenRow {
    id: i64,
    user_id: i64,
    token_hash: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    new_email: Option<String>,
}

/// Makes a link secret for `user_id`; older unused links of the same purpose
/// stop working. Returns the secret (for the message only).
pub fn issue(
    conn: &mut AnyConnection,
    user_id: i64,
    purpose: Purpose,
    ttl: Duration,
    now: NaiveDateTime,
) -> AppResult<String> {
    issue_for(conn, user_id, purpose, ttl, now, None)
}

/// Like [`issue`], the link carrying an address to confirm (`EmailChange`).
pub fn issue_for(
    conn: &mut AnyConnection,
    user_id: i64,
    purpose: Purpose,
    ttl: Duration,
    now: NaiveDateTime,
    new_email: Option<&str>,
) -> AppResult<String> {
    revoke(conn, user_id, purpose, now)?;
    let (token, hash) = new_link_token();
    let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(1));
    diesel::insert_into(t::table)
        .values((
            t::user_id.eq(user_id),
            t::purpose.eq(purpose.as_str()),
            t::token_hash.eq(hash),
            t::new_email.eq(new_email),
            t::created_at.eq(now),
            t::expires_at.eq(now + ttl),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Spends every unused link of `purpose` for `user_id`.
pub fn revoke(
    conn: &mut AnyConnection,
    user_id: i64,
    purpose: Purpose,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        t::table
            .filter(t::user_id.eq(user_id))
            .filter(t::purpose.eq(purpose.as_str()))
            .filter(t::used_at.is_null()),
    )
    .set(t::used_at.eq(now))
    .execute(conn)
}

/// Spends the link `token` of `purpose`: the account it belongs to, or a
/// clear 400 (`invalid_link`, `link_used`, `link_expired`).
pub fn redeem(
    conn: &mut AnyConnection,
    token: &str,
    purpose: Purpose,
    now: NaiveDateTime,
) -> AppResult<i64> {
    Ok(redeem_for(conn, token, purpose, now)?.0)
}

/// Like [`redeem`], with the address the link carries.
pub fn redeem_for(
    conn: &mut AnyConnection,
    token: &str,
    purpose: Purpose,
    now: NaiveDateTime,
) -> AppResult<(i64, Option<String>)> {
    let hash = hash_secret(token.trim());
    let row: Option<TokenRow> = t::table
        .filter(t::token_hash.eq(&hash))
        .filter(t::purpose.eq(purpose.as_str()))
        .select((
            t::id,
            t::user_id,
            t::token_hash,
            t::expires_at,
            t::used_at,
            t::new_email,
        ))
        .first(conn)
        .optional()?;
    let Some(row) = row.filter(|r| same_secret(&r.token_hash, &hash)) else {
        return Err(refused(
            "invalid_link",
            "this link is not valid (mistyped, or for something else)",
        ));
    };
    if row.used_at.is_some() {
        return Err(refused(
            "link_used",
            "this link was already used (or replaced by a newer one); ask for a new one",
        ));
    }
    if row.expires_at <= now {
        return Err(refused(
            "link_expired",
            "this link has expired; ask for a new one",
        ));
    }
    // spent under a condition: of two requests with the same link, one wins
    let n = diesel::update(
        t::table
            .filter(t::id.eq(row.id))
            .filter(t::used_at.is_null()),
    )
    .set(t::used_at.eq(now))
    .execute(conn)?;
    if n != 1 {
        return Err(refused("link_used", "this link was already used"));
    }
    Ok((row.user_id, row.new_email))
}

fn refused(code: &'static str, detail: &str) -> AppError {
    AppError::new(actix_web::http::StatusCode::BAD_REQUEST, code, detail)
}
