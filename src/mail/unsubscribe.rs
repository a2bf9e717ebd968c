//! One-click unsubscribe (RFC 8058): each notification carries a link that
//! turns that kind of notification off for its recipient. The link's token
//! is signed (HMAC-SHA-256 with the site's secret), so it needs no storage
//! and cannot be forged for another member or another topic.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::Message;
use crate::config::MailConfig;

/// A kind of notification a member can turn off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// A reply to my comment.
    Replies,
    /// A decision on my submission.
    Reviews,
    /// The digest of the moderation queue (staff).
    Digest,
}

impl Topic {
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Replies => "replies",
            Topic::Reviews => "reviews",
            Topic::Digest => "digest",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        match s {
            "replies" => Some(Topic::Replies),
            "reviews" => Some(Topic::Reviews),
            "digest" => Some(Topic::Digest),
            _ => None,
        }
    }
}

fn mac(secret: &[u8], payload: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"kiosque-unsubscribe:");
    mac.update(payload.as_bytes());
    mac
}

/// The token that turns `topic` off for `user_id`.
pub fn token(secret: &[u8], user_id: i64, topic: Topic) -> String {
    let payload = format!("{user_id}.{}", topic.as_str());
    let sig = URL_SAFE_NO_PAD.encode(mac(secret, &payload).finalize().into_bytes());
    format!("{payload}.{sig}")
}

/// The member and topic of a genuine token.
pub fn check(secret: &[u8], token: &str) -> Option<(i64, Topic)> {
    let (payload, sig) = token.trim().rsplit_once('.')?;
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    mac(secret, payload).verify_slice(&sig).ok()?;
    let (user, topic) = payload.split_once('.')?;
    Some((user.parse().ok()?, Topic::parse(topic)?))
}

/// The front end's unsubscribe page for `token` (for the message's body).
pub fn page(config: &MailConfig, token: &str) -> String {
    format!("{}/desabonnement?token={token}", config.site_url)
}

/// Adds the `List-Unsubscribe` headers (one click, straight to the API).
pub fn attach(message: &mut Message, config: &MailConfig, token: &str) {
    message.headers.insert(
        "List-Unsubscribe".into(),
        format!("<{}/api/v1/unsubscribe?token={token}>", config.api_url),
    );
    message.headers.insert(
        "List-Unsubscribe-Post".into(),
        "List-Unsubscribe=One-Click".into(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_one_member_and_one_topic() {
        let t = token(b"secret", 42, Topic::Reviews);
        assert_eq!(check(b"secret", &t), Some((42, Topic::Reviews)));
        assert_eq!(check(b"other", &t), None);
        let forged = t.replacen("42.", "43.", 1);
        assert_eq!(check(b"secret", &forged), None);
        let other_topic = t.replacen("reviews", "replies", 1);
        assert_eq!(check(b"secret", &other_topic), None);
        assert_eq!(check(b"secret", "nonsense"), None);
    }
}
