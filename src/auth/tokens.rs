//! Access tokens (JWT, HS256 pinned), opaque refresh tokens and API key
//! secrets. Opaque secrets are random and stored only as SHA-256 hashes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Role;
use crate::config::Config;
use crate::error::AppError;

/// Prefix of an API key secret: recognisable in logs and by secret scanners.
pub const API_KEY_PREFIX: &str = "kq_";
/// Prefix of a refresh token.
pub const REFRESH_PREFIX: &str = "kqr_";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// the user id
    pub sub: String,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// the user's token epoch when issued: a password change or a disabling bumps it
    pub epo: i32,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
}

impl TokenKeys {
    pub fn new(config: &Config) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(&config.jwt_secret)
                .expect("an HMAC key accepts any secret"),
            decoding: DecodingKey::from_secret(&config.jwt_secret)
                .expect("an HMAC key accepts any secret"),
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            access_ttl_secs: config.access_token_ttl.as_secs() as i64,
            refresh_ttl_secs: config.refresh_token_ttl.as_secs() as i64,
        }
    }

    pub fn issue(
        &self,
        user_id: i64,
        role: Role,
        epoch: i32,
        now: i64,
    ) -> Result<String, AppError> {
        let claims = Claims {
            sub: user_id.to_string(),
            role: role.as_str().to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            exp: now + self.access_ttl_secs,
            epo: epoch,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("signing a token: {e}")))
    }

    /// Verifies signature, algorithm, issuer, audience and times against `now`
    /// (the application clock, so tests can age a token).
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, AppError> {
        let mut validation = self.validation.clone();
        // expiry is checked below against the application clock
        validation.validate_exp = false;
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                AppError::invalid_token(match e.kind() {
                    ErrorKind::InvalidSignature => "the token's signature is not valid",
                    ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                        "the token is not signed with the expected algorithm"
                    }
                    ErrorKind::InvalidIssuer => "the token was issued by someone else",
                    ErrorKind::InvalidAudience => "the token is meant for another audience",
                    ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
                    _ => "the token is malformed",
                })
            })?;
        let claims = data.claims;
        if claims.exp <= now - self.validation.leeway as i64 {
            return Err(AppError::invalid_token("the token has expired"));
        }
        if claims.iat > now + 60 {
            return Err(AppError::invalid_token(
                "the token was issued in the future",
            ));
        }
        Ok(claims)
    }
}

fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A new refresh token (returned to the client) and the hash to store.
pub fn new_refresh_token() -> (String, String) {
    let token = format!("{REFRESH_PREFIX}{}", random_secret(32));
    let hash = hash_secret(&token);
    (token, hash)
}

/// A new API key secret, its visible prefix and the hash to store.
pub fn new_api_key() -> (String, String, String) {
    let secret = format!("{API_KEY_PREFIX}{}", random_secret(32));
    let prefix = secret.chars().take(API_KEY_PREFIX.len() + 6).collect();
    let hash = hash_secret(&secret);
    (secret, prefix, hash)
}

/// An identifier for a refresh-token family.
pub fn new_family() -> String {
    random_secret(16)
}

/// High-entropy secrets need no slow hash: SHA-256 is enough to make a
/// leaked table useless, and keeps lookups by hash exact.
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new secret for a link sent by mail (returned once, inside the link) and
/// the hash to store. 32 random bytes: nothing in it is guessable.
pub fn new_link_token() -> (String, String) {
    let token = random_secret(32);
    let hash = hash_secret(&token);
    (token, hash)
}

/// Compares two secrets (or their hashes) in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A random claim mark for the mail queue (not a secret).
pub fn new_claim() -> String {
    random_secret(12)
}
