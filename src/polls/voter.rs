//! Who a voter is. A member is their account (`user:<id>`); an anonymous
//! voter is a random id carried in a signed voter token, returned by the first
//! vote (in the body and as the `kiosque_voter` cookie) and sent back in the
//! cookie or the `X-Voter-Token` header. A token whose signature does not
//! verify is refused, never taken for a new voter.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::auth::Caller;
use crate::error::AppError;

pub const COOKIE: &str = "kiosque_voter";
pub const HEADER: &str = "x-voter-token";
const VERSION: &str = "v1";

type HmacSha256 = Hmac<Sha256>;

/// The signing key, derived from the JWT secret so that the two are never the same key.
fn mac(secret: &[u8]) -> HmacSha256 {
    let mut derive = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    derive.update(b"kiosque poll voter token");
    let key = derive.finalize().into_bytes();
    HmacSha256::new_from_slice(&key).expect("HMAC takes keys of any length")
}

fn signature(secret: &[u8], id: &str) -> HmacSha256 {
    let mut m = mac(secret);
    m.update(VERSION.as_bytes());
    m.update(b".");
    m.update(id.as_bytes());
    m
}

/// A new anonymous voter: `(token, voter id)`.
pub fn issue(secret: &[u8]) -> (String, String) {
    let mut raw = [0u8; 16];
    rand::rng().fill_bytes(&mut raw);
    let id = URL_SAFE_NO_PAD.encode(raw);
    let sig = URL_SAFE_NO_PAD.encode(signature(secret, &id).finalize().into_bytes());
    (format!("{VERSION}.{id}.{sig}"), id)
}

pub fn invalid_token() -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "invalid_voter_token",
        "the voter token is not valid (altered, or not issued by this site); \
         send the token as it was given, or none to vote as a new voter",
    )
}

/// The voter id inside a token, when its signature verifies.
pub fn verify(secret: &[u8], token: &str) -> Result<String, AppError> {
    let mut parts = token.trim().split('.');
    let (Some(version), Some(id), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid_token());
    };
    if version != VERSION || id.len() != 22 || URL_SAFE_NO_PAD.decode(id).is_err() {
        return Err(invalid_token());
    }
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| invalid_token())?;
    signature(secret, id)
        .verify_slice(&sig)
        .map_err(|_| invalid_token())?;
    Ok(id.to_string())
}

/// The token a request carries: the header first, then the cookie.
pub fn presented(req: &HttpRequest) -> Result<Option<String>, AppError> {
    if let Some(value) = req.headers().get(HEADER) {
        let value = value.to_str().map_err(|_| invalid_token())?;
        return Ok(Some(value.to_string()));
    }
    Ok(req.cookie(COOKIE).map(|c| c.value().to_string()))
}

/// The key under which `caller` votes, if they can be told apart from others.
/// For reads: a bad token just means "not known" (the page still shows).
pub fn reader_key(req: &HttpRequest, caller: &Caller, secret: &[u8]) -> Option<String> {
    match caller {
        Caller::User(u) => Some(member_key(u.id.0)),
        Caller::Anonymous => presented(req)
            .ok()
            .flatten()
            .and_then(|t| verify(secret, &t).ok())
            .map(|id| anonymous_key(&id)),
        Caller::Key(_) => None,
    }
}

/// The key of an anonymous voter, and a new token when they had none.
/// A token that does not verify is refused (400).
pub fn anonymous_voter(
    req: &HttpRequest,
    secret: &[u8],
) -> Result<(String, Option<String>), AppError> {
    match presented(req)? {
        Some(token) => Ok((anonymous_key(&verify(secret, &token)?), None)),
        None => {
            let (token, id) = issue(secret);
            Ok((anonymous_key(&id), Some(token)))
        }
    }
}

pub fn member_key(user_id: i64) -> String {
    format!("user:{user_id}")
}

fn anonymous_key(id: &str) -> String {
    format!("anon:{id}")
}

/// The cookie that brings the token back with the voter's next requests.
pub fn cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, token.to_string())
        .path("/api/v1/polls")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::days(400))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_tampering_is_refused() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let (token, id) = issue(secret);
        assert_eq!(verify(secret, &token).unwrap(), id);
        assert!(verify(b"another-secret-another-secret-xx", &token).is_err());
        let (other, _) = issue(secret);
        let parts: Vec<&str> = token.split('.').collect();
        let other_parts: Vec<&str> = other.split('.').collect();
        // another voter's signature on this id
        assert!(verify(secret, &format!("v1.{}.{}", parts[1], other_parts[2])).is_err());
        for bad in ["", "garbage", "v1..", "v2.a.b", &format!("{token}.x")] {
            assert_eq!(verify(secret, bad).unwrap_err().status, 400);
        }
    }
}
