//! Preview tokens: a short-lived, read-only pass to one unpublished article,
//! which an editor hands to a front end (or a colleague without an account).
//!
//! A preview token is a JWT (HS256) signed with a key of its own, derived
//! from the token secret for this purpose only, with an audience of its own
//! and a `pur` claim: an access token is never a preview token, and a
//! preview token is never an access token (its signature fails there).

use actix_web::http::{StatusCode, header};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::config::Config;
use crate::error::AppError;

/// The purpose written in every preview token.
const PURPOSE: &str = "article-preview";

#[derive(Debug, Serialize, Deserialize)]
pub struct PreviewClaims {
    /// `article:<id>`
    pub sub: String,
    /// The article's id.
    pub art: i64,
    pub pur: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// Who asked for it (absent for an API key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<i64>,
}

pub struct PreviewKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    pub ttl_secs: i64,
}

/// Why a preview token is refused: 401 for one that is not (or no longer) a
/// valid token, 403 for a valid one of another article.
pub fn refused(code: &'static str, detail: &str) -> AppError {
    let status = if code == "preview_token_other_article" {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::UNAUTHORIZED
    };
    let e = AppError::new(status, code, detail.to_string());
    if status == StatusCode::UNAUTHORIZED {
        e.with_header(
            header::WWW_AUTHENTICATE,
            "Bearer realm=\"kiosque\", error=\"invalid_token\"",
        )
    } else {
        e
    }
}

impl PreviewKeys {
    pub fn new(config: &Config) -> Self {
        // a key of its own: neither kind of token verifies as the other
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&config.jwt_secret).expect("HMAC takes any key length");
        mac.update(b"kiosque article preview tokens v1");
        let key = mac.finalize().into_bytes();
        let audience = format!("{}:preview", config.jwt_audience);
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // expiry is checked against the application clock
        validation.validate_exp = false;
        Self {
            encoding: EncodingKey::from_secret(key.as_slice())
                .expect("an HMAC key accepts any secret"),
            decoding: DecodingKey::from_secret(key.as_slice())
                .expect("an HMAC key accepts any secret"),
            validation,
            issuer: config.jwt_issuer.clone(),
            audience,
            ttl_secs: config.preview_token_ttl.as_secs() as i64,
        }
    }

    /// A token for `article`, valid from `now` (Unix seconds); with its expiry.
    pub fn issue(
        &self,
        article: i64,
        by: Option<i64>,
        now: i64,
    ) -> Result<(String, i64), AppError> {
        let claims = PreviewClaims {
            sub: format!("article:{article}"),
            art: article,
            pur: PURPOSE.into(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            exp: now + self.ttl_secs,
            by,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("signing a preview token: {e}")))?;
        Ok((token, claims.exp))
    }

    /// The article a genuine, current preview token opens.
    pub fn verify(&self, token: &str, now: i64) -> Result<i64, AppError> {
        let invalid = |detail: &str| refused("preview_token_invalid", detail);
        if token.is_empty() || token.len() > 4_096 {
            return Err(invalid("the preview token is empty or too long"));
        }
        let claims = jsonwebtoken::decode::<PreviewClaims>(token, &self.decoding, &self.validation)
            .map_err(|_| {
                invalid(
                    "this is not a preview token of this site (forged, altered or of another kind)",
                )
            })?
            .claims;
        if claims.pur != PURPOSE || claims.sub != format!("article:{}", claims.art) {
            return Err(invalid("this is not a preview token"));
        }
        if claims.exp <= now {
            return Err(refused(
                "preview_token_expired",
                "the preview token has expired; ask for a new one",
            ));
        }
        if claims.iat > now + 60 {
            return Err(invalid("the preview token was issued in the future"));
        }
        Ok(claims.art)
    }
}
