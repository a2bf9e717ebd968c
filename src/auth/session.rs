//! Sessions: an access token plus a rotating refresh token. Each refresh
//! token belongs to a family (one sign-in); presenting a token that was
//! already used means it was stolen or replayed, and ends the whole family.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Role;
use super::tokens::{TokenKeys, hash_secret, new_family, new_refresh_token};
use crate::db::AnyConnection;
use crate::db::schema::refresh_tokens;
use crate::error::AppError;

pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
}

/// Issues a token pair; `family` continues a session, `None` starts one.
pub fn issue(
    conn: &mut AnyConnection,
    keys: &TokenKeys,
    user: (i64, Role, i32),
    now: NaiveDateTime,
    family: Option<String>,
) -> Result<Issued, AppError> {
    let (refresh_token, hash) = new_refresh_token();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(user.0),
            refresh_tokens::family.eq(family.unwrap_or_else(new_family)),
            refresh_tokens::token_hash.eq(hash),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::expires_at.eq(now + chrono::Duration::seconds(keys.refresh_ttl_secs)),
        ))
        .execute(conn)?;
    let access_token = keys.issue(user.0, user.1, user.2, now.and_utc().timestamp())?;
    Ok(Issued {
        access_token,
        refresh_token,
        expires_in: keys.access_ttl_secs,
    })
}

#[derive(Queryable)]
struct TokenState {
    id: i64,
    user_id: i64,
    family: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

pub enum Rotation {
    /// The token was valid and is now used: continue `family` for `user_id`.
    Valid { user_id: i64, family: String },
    /// The token had been used before: the family has been revoked.
    Reused,
    /// Unknown, revoked or expired.
    Invalid(&'static str),
}

/// Marks a presented refresh token as used, atomically: of two concurrent
/// refreshes with one token, only one succeeds and the other counts as reuse.
pub fn rotate(
    conn: &mut AnyConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<Rotation, AppError> {
    let row: Option<TokenState> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash_secret(token)))
        .select((
            refresh_tokens::id,
            refresh_tokens::user_id,
            refresh_tokens::family,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            refresh_tokens::revoked_at,
        ))
        .first(conn)
        .optional()?;
    let Some(TokenState {
        id,
        user_id,
        family,
        expires_at,
        used_at,
        revoked_at,
    }) = row
    else {
        return Ok(Rotation::Invalid("unknown refresh token"));
    };
    if revoked_at.is_some() {
        return Ok(Rotation::Invalid("this session has ended; sign in again"));
    }
    if used_at.is_some() {
        revoke_family(conn, &family, now)?;
        return Ok(Rotation::Reused);
    }
    if expires_at <= now {
        return Ok(Rotation::Invalid(
            "the refresh token has expired; sign in again",
        ));
    }
    let claimed = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    if claimed == 0 {
        revoke_family(conn, &family, now)?;
        return Ok(Rotation::Reused);
    }
    Ok(Rotation::Valid { user_id, family })
}

pub fn revoke_family(
    conn: &mut AnyConnection,
    family: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
}

/// Ends the session a refresh token belongs to (sign-out). Unknown tokens are ignored.
pub fn end(conn: &mut AnyConnection, token: &str, now: NaiveDateTime) -> QueryResult<()> {
    let family: Option<String> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash_secret(token)))
        .select(refresh_tokens::family)
        .first(conn)
        .optional()?;
    if let Some(family) = family {
        revoke_family(conn, &family, now)?;
    }
    Ok(())
}
