//! Where a media file is read from. Public media: Kiosque's own URL, or,
//! with `KIOSQUE_MEDIA_PUBLIC_BASE_URL`, `{base}/{sha256}` on a CDN or the
//! bucket itself (no byte goes through Kiosque). Private media: Kiosque's
//! URL with a bearer token, or a short-lived signed URL
//! (`?expires=…&sig=…`) that serves without one, for an `<img>` or a
//! download link.
//!
//! A signature is an HMAC-SHA256 of the path and the expiry under a key
//! derived from the token secret. The expiry is rounded up to a multiple of
//! the lifetime (valid for at least one lifetime, at most two), so the same
//! item reads the same, ETag included, for a whole period.

use std::collections::{HashMap, HashSet};

use actix_web::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use utoipa::IntoParams;

use super::model::{MediaRow, VariantRow};
use crate::error::AppError;
use crate::state::AppState;

type HmacSha256 = Hmac<Sha256>;

/// The query of a signed URL.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Signed {
    /// Signed URLs: when the URL stops working (Unix seconds).
    pub expires: Option<i64>,
    /// Signed URLs: the signature of the path and `expires`.
    pub sig: Option<String>,
}

pub struct Signer {
    key: Vec<u8>,
    ttl: i64,
}

impl Signer {
    pub fn of(state: &AppState) -> Self {
        // a key of its own, so a media signature is never a valid token elsewhere
        let mut mac = HmacSha256::new_from_slice(&state.config.jwt_secret).expect("any key size");
        mac.update(b"kiosque media urls v1");
        Self {
            key: mac.finalize().into_bytes().to_vec(),
            ttl: state.config.media.signed_url_ttl.as_secs().max(1) as i64,
        }
    }

    fn mac(&self, path: &str, expires: i64) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("any key size");
        mac.update(format!("{path}\n{expires}").as_bytes());
        URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..16])
    }

    /// `path` signed at `now` (Unix seconds).
    pub fn sign(&self, path: &str, now: i64) -> String {
        let expires = (now.div_euclid(self.ttl) + 2) * self.ttl;
        format!("{path}?expires={expires}&sig={}", self.mac(path, expires))
    }

    /// Whether `signed` opens `path` at `now`: `Ok(false)` when no signature
    /// was sent, 403 when a forged or expired one was.
    pub fn check(&self, path: &str, signed: &Signed, now: i64) -> Result<bool, AppError> {
        let (expires, sig) = match (signed.expires, signed.sig.as_deref()) {
            (None, None) => return Ok(false),
            (Some(e), Some(s)) => (e, s),
            _ => {
                return Err(AppError::bad_query(
                    "a signed URL carries both `expires` and `sig`",
                ));
            }
        };
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("any key size");
        mac.update(format!("{path}\n{expires}").as_bytes());
        let given = URL_SAFE_NO_PAD.decode(sig).unwrap_or_default();
        if given.len() != 16 || mac.verify_truncated_left(&given).is_err() {
            return Err(AppError::new(
                StatusCode::FORBIDDEN,
                "signature_invalid",
                "this signed URL is not valid; read the media item again for a fresh one",
            ));
        }
        if expires <= now {
            return Err(AppError::new(
                StatusCode::FORBIDDEN,
                "signature_expired",
                "this signed URL has expired; read the media item again for a fresh one",
            ));
        }
        Ok(true)
    }
}

/// What decides the URLs of one answer about media.
pub struct Shown<'a> {
    pub base: Option<&'a str>,
    pub signer: &'a Signer,
    /// Unix seconds.
    pub now: i64,
    /// Items used by published content (public though not marked so).
    pub published: HashSet<i64>,
    /// Rendered variants by item: (version, preset, format) → blob.
    pub variants: HashMap<i64, HashMap<(String, String, String), String>>,
}

impl<'a> Shown<'a> {
    pub fn new(state: &'a AppState, signer: &'a Signer, now: i64) -> Self {
        Self {
            base: state.config.media.public_base_url.as_deref(),
            signer,
            now,
            published: HashSet::new(),
            variants: HashMap::new(),
        }
    }

    /// Adds what the database says of these items.
    pub fn with(mut self, published: Vec<i64>, variants: Vec<VariantRow>) -> Self {
        self.published.extend(published);
        for v in variants {
            self.variants
                .entry(v.media_id)
                .or_default()
                .insert((v.version, v.preset, v.format), v.sha256);
        }
        self
    }

    pub fn is_public(&self, row: &MediaRow) -> bool {
        row.public || self.published.contains(&row.id)
    }

    /// The public base's URL of a blob, when the item is public and a base is set.
    pub fn public_url(&self, row: &MediaRow, sha256: &str) -> Option<String> {
        match self.base {
            Some(base) if self.is_public(row) => Some(format!("{base}/{sha256}")),
            _ => None,
        }
    }

    /// The blob of a rendered variant of the item's current version.
    pub fn variant_blob(&self, row: &MediaRow, preset: &str, format: &str) -> Option<&str> {
        self.variants
            .get(&row.id)?
            .get(&(row.version(), preset.to_string(), format.to_string()))
            .map(String::as_str)
    }

    /// `path` signed, for a private item (`None` for a public one).
    pub fn signed(&self, row: &MediaRow, path: &str) -> Option<String> {
        (!self.is_public(row)).then(|| self.signer.sign(path, self.now))
    }
}

/// The database facts for `rows`' URLs.
pub fn facts(
    conn: &mut crate::db::AnyConnection,
    rows: &[MediaRow],
) -> diesel::QueryResult<(Vec<i64>, Vec<VariantRow>)> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    Ok((
        super::queries::published_among(conn, &ids)?,
        super::queries::variants_among(conn, &ids)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_open_their_path_until_they_expire() {
        let s = Signer {
            key: b"k".to_vec(),
            ttl: 3600,
        };
        let url = s.sign("/api/v1/media/7/file", 10_000);
        let query: Signed = serde_urlencoded::from_str(url.split_once('?').unwrap().1).unwrap();
        let expires = query.expires.unwrap();
        assert!((10_000 + 3600..=10_000 + 7200).contains(&expires));
        assert_eq!(
            s.check("/api/v1/media/7/file", &query, 10_001).ok(),
            Some(true)
        );
        assert!(s.check("/api/v1/media/8/file", &query, 10_001).is_err());
        assert!(s.check("/api/v1/media/7/file", &query, expires).is_err());
        assert_eq!(s.check("/x", &Signed::default(), 0).ok(), Some(false));
        // the same answer for a whole period
        assert_eq!(url, s.sign("/api/v1/media/7/file", 10_800 - 1));
    }
}
