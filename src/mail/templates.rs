//! The messages' texts: French templates kept in `templates/` (plain text,
//! whose first line is the subject, and an HTML fragment set in
//! `layout.html`). Placeholders are `{{name}}`; in HTML the values are escaped.

use std::collections::BTreeMap;

use super::Message;
use crate::config::MailConfig;

/// The kinds of message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    VerifyEmail,
    PasswordReset,
    AccountExists,
    SignIn,
    ReviewDecision,
    EmailChange,
    EmailChangeNotice,
    CommentReply,
    ModerationDigest,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::VerifyEmail => "verify_email",
            Kind::PasswordReset => "password_reset",
            Kind::AccountExists => "account_exists",
            Kind::SignIn => "sign_in",
            Kind::ReviewDecision => "review_decision",
            Kind::EmailChange => "email_change",
            Kind::EmailChangeNotice => "email_change_notice",
            Kind::CommentReply => "comment_reply",
            Kind::ModerationDigest => "moderation_digest",
        }
    }

    fn sources(self) -> (&'static str, &'static str) {
        match self {
            Kind::VerifyEmail => (
                include_str!("templates/verify_email.txt"),
                include_str!("templates/verify_email.html"),
            ),
            Kind::PasswordReset => (
                include_str!("templates/password_reset.txt"),
                include_str!("templates/password_reset.html"),
            ),
            Kind::AccountExists => (
                include_str!("templates/account_exists.txt"),
                include_str!("templates/account_exists.html"),
            ),
            Kind::SignIn => (
                include_str!("templates/sign_in.txt"),
                include_str!("templates/sign_in.html"),
            ),
            Kind::ReviewDecision => (
                include_str!("templates/review_decision.txt"),
                include_str!("templates/review_decision.html"),
            ),
            Kind::EmailChange => (
                include_str!("templates/email_change.txt"),
                include_str!("templates/email_change.html"),
            ),
            Kind::EmailChangeNotice => (
                include_str!("templates/email_change_notice.txt"),
                include_str!("templates/email_change_notice.html"),
            ),
            Kind::CommentReply => (
                include_str!("templates/comment_reply.txt"),
                include_str!("templates/comment_reply.html"),
            ),
            Kind::ModerationDigest => (
                include_str!("templates/moderation_digest.txt"),
                include_str!("templates/moderation_digest.html"),
            ),
        }
    }
}

const LAYOUT: &str = include_str!("templates/layout.html");

/// A front-end address on the site: `KIOSQUE_SITE_URL` + `path`.
pub fn site_link(config: &MailConfig, path: &str) -> String {
    format!("{}{path}", config.site_url)
}

/// A duration in words, as the messages say it ("1 heure", "15 minutes").
pub fn in_words(d: std::time::Duration) -> String {
    let minutes = d.as_secs() / 60;
    let plural = |n: u64, one: &str| format!("{n} {one}{}", if n > 1 { "s" } else { "" });
    if minutes.is_multiple_of(24 * 60) {
        plural(minutes / (24 * 60), "jour")
    } else if minutes.is_multiple_of(60) {
        plural(minutes / 60, "heure")
    } else {
        plural(minutes, "minute")
    }
}

/// The message `kind` to `to`, with `values` for its placeholders (the site's
/// name and address are always there).
pub fn compose(config: &MailConfig, kind: Kind, to: &str, values: &[(&str, &str)]) -> Message {
    let mut all: Vec<(&str, &str)> = vec![
        ("site", config.site_name.as_str()),
        ("site_url", config.site_url.as_str()),
    ];
    all.extend_from_slice(values);
    let (text, html) = kind.sources();
    let text = fill(text, &all, false);
    let (subject, body) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    let subject = subject.trim().to_string();
    let content = fill(html, &all, true);
    let mut page_values = all.clone();
    page_values.push(("subject", subject.as_str()));
    let page = fill(LAYOUT, &page_values, true).replace("{{content}}", &content);
    Message {
        to: to.to_string(),
        kind,
        subject: subject.clone(),
        text: body.trim_start().to_string(),
        html: page,
        headers: BTreeMap::new(),
    }
}

fn fill(template: &str, values: &[(&str, &str)], html: bool) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        let value = if html {
            escape(value)
        } else {
            value.to_string()
        };
        out = out.replace(&format!("{{{{{name}}}}}"), &value);
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled_and_html_is_escaped() {
        let config = MailConfig::defaults();
        for kind in [
            Kind::VerifyEmail,
            Kind::PasswordReset,
            Kind::AccountExists,
            Kind::SignIn,
            Kind::ReviewDecision,
            Kind::EmailChange,
            Kind::EmailChangeNotice,
            Kind::CommentReply,
        ] {
            let m = compose(
                &config,
                kind,
                "a@b.fr",
                &[
                    ("name", "<Zoé>"),
                    ("link", "https://x.fr/l?token=t"),
                    ("valid", "1 heure"),
                    ("subject_line", "Sujet"),
                    ("decision", "Décision"),
                    ("reason_line", ""),
                    ("unsubscribe", "https://x.fr/d?token=t"),
                    ("new_email", "n@b.fr"),
                    ("replier", "R"),
                    ("article", "A"),
                    ("excerpt", "E"),
                ],
            );
            assert!(!m.subject.is_empty() && !m.subject.contains("{{"));
            assert!(!m.text.contains("{{"), "{kind:?}: {}", m.text);
            assert!(!m.html.contains("{{"), "{kind:?}: {}", m.html);
            assert!(m.text.contains("<Zoé>") && m.html.contains("&lt;Zoé&gt;"));
            assert!(m.text.contains("https://x.fr/"));
        }
        assert_eq!(in_words(std::time::Duration::from_secs(3600)), "1 heure");
        assert_eq!(in_words(std::time::Duration::from_secs(900)), "15 minutes");
        assert_eq!(
            in_words(std::time::Duration::from_secs(2 * 86400)),
            "2 jours"
        );
    }
}
