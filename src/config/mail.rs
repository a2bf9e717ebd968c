//! Mail (how messages leave) and members (what the links sent by mail allow).

use std::time::Duration;

use super::{Config, parsed, ranged, var};

/// How mail leaves the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// Writes each message (and its links) to the log: development needs no mail server.
    Log,
    /// Sends through an SMTP server.
    Smtp,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption (a relay on the same machine, tests).
    None,
}

/// Everything about sending mail and about members' links.
#[derive(Clone)]
pub struct MailConfig {
    pub transport: MailTransport,
    pub from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: SmtpSecurity,
    pub smtp_user: Option<String>,
    /// Never printed (see the `Debug` impl).
    pub smtp_password: Option<String>,
    pub smtp_timeout: Duration,
    /// Attempts before a message is given up (`failed`).
    pub max_attempts: i32,
    /// The site's name in messages.
    pub site_name: String,
    /// The front end's address; links in messages point there.
    pub site_url: String,
    /// The API's public address, for the one-click `List-Unsubscribe` header.
    pub api_url: String,
    /// Lifetimes of the links.
    pub verify_ttl: Duration,
    pub reset_ttl: Duration,
    pub signin_ttl: Duration,
    /// Whether a member whose address is not verified may comment, vote and submit.
    pub unverified_may_participate: bool,
    /// Sign-in by a link sent by mail.
    pub signin_links: bool,
    /// On erasure: comments are kept under "membre supprimé" (`keep`) or removed (`remove`).
    pub erase_comments: EraseComments,
    /// Mail-sending actions per address and per client address: per hour, and at once.
    pub per_hour: u32,
    pub burst: u32,
    /// Hours between two digests of the moderation queue to the staff (0: none).
    pub digest_hours: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EraseComments {
    Keep,
    Remove,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("transport", &self.transport)
            .field("from", &self.from)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_user", &self.smtp_user)
            .field("smtp_password", &self.smtp_password.as_ref().map(|_| "***"))
            .field("site_url", &self.site_url)
            .finish_non_exhaustive()
    }
}

impl MailConfig {
    pub fn defaults() -> Self {
        Self {
            transport: MailTransport::Log,
            from: "Kiosque <no-reply@localhost>".into(),
            smtp_host: "localhost".into(),
            smtp_port: 587,
            smtp_security: SmtpSecurity::StartTls,
            smtp_user: None,
            smtp_password: None,
            smtp_timeout: Duration::from_secs(10),
            max_attempts: 8,
            site_name: "Kiosque".into(),
            site_url: "http://localhost:3000".into(),
            api_url: "http://localhost:8080".into(),
            verify_ttl: Duration::from_secs(48 * 3600),
            reset_ttl: Duration::from_secs(3600),
            signin_ttl: Duration::from_secs(15 * 60),
            unverified_may_participate: false,
            signin_links: false,
            erase_comments: EraseComments::Keep,
            per_hour: 10,
            burst: 3,
            digest_hours: 24,
        }
    }
}

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    let m = &mut cfg.mail;
    m.transport = match var("KIOSQUE_MAIL_TRANSPORT").as_deref() {
        None => m.transport.clone(),
        Some("log") => MailTransport::Log,
        Some("smtp") => MailTransport::Smtp,
        Some(other) => {
            return Err(format!(
                "KIOSQUE_MAIL_TRANSPORT: `{other}` is not `log` or `smtp`"
            ));
        }
    };
    if let Some(from) = var("KIOSQUE_MAIL_FROM") {
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!(
                "KIOSQUE_MAIL_FROM: `{from}` is not an address (`Name <a@b.fr>` or `a@b.fr`)"
            ));
        }
        m.from = from;
    }
    if let Some(host) = var("KIOSQUE_SMTP_HOST") {
        m.smtp_host = host;
    }
    m.smtp_port = parsed("KIOSQUE_SMTP_PORT", m.smtp_port)?;
    m.smtp_security = match var("KIOSQUE_SMTP_SECURITY").as_deref() {
        None => m.smtp_security,
        Some("starttls") => SmtpSecurity::StartTls,
        Some("tls") => SmtpSecurity::Tls,
        Some("none") => SmtpSecurity::None,
        Some(other) => {
            return Err(format!(
                "KIOSQUE_SMTP_SECURITY: `{other}` is not `starttls`, `tls` or `none`"
            ));
        }
    };
    m.smtp_user = var("KIOSQUE_SMTP_USER").or(m.smtp_user.take());
    m.smtp_password = var("KIOSQUE_SMTP_PASSWORD").or(m.smtp_password.take());
    m.max_attempts = ranged("KIOSQUE_MAIL_MAX_ATTEMPTS", m.max_attempts, 1, 100)?;
    // the site's name and addresses are the site's settings (`site.rs`)
    m.site_name = cfg.site.name.clone();
    m.site_url = cfg.site.url.clone();
    m.api_url = cfg.site.api_base(cfg.addr);
    let minutes = |name: &str, d: Duration, max: u64| -> Result<Duration, String> {
        Ok(Duration::from_secs(
            60 * ranged(name, d.as_secs() / 60, 1, max)?,
        ))
    };
    m.verify_ttl = minutes("KIOSQUE_VERIFY_LINK_MINUTES", m.verify_ttl, 43_200)?;
    m.reset_ttl = minutes("KIOSQUE_RESET_LINK_MINUTES", m.reset_ttl, 1_440)?;
    m.signin_ttl = minutes("KIOSQUE_SIGNIN_LINK_MINUTES", m.signin_ttl, 1_440)?;
    m.unverified_may_participate = parsed(
        "KIOSQUE_UNVERIFIED_MAY_PARTICIPATE",
        m.unverified_may_participate,
    )?;
    m.signin_links = parsed("KIOSQUE_SIGNIN_LINKS", m.signin_links)?;
    m.erase_comments = match var("KIOSQUE_ERASE_COMMENTS").as_deref() {
        None => m.erase_comments,
        Some("keep") => EraseComments::Keep,
        Some("remove") => EraseComments::Remove,
        Some(other) => {
            return Err(format!(
                "KIOSQUE_ERASE_COMMENTS: `{other}` is not `keep` or `remove`"
            ));
        }
    };
    m.per_hour = ranged("KIOSQUE_MAIL_PER_HOUR", m.per_hour, 1, 1_000_000)?;
    m.burst = ranged("KIOSQUE_MAIL_BURST", m.burst, 1, 1_000_000)?;
    m.digest_hours = ranged("KIOSQUE_MODERATION_DIGEST_HOURS", m.digest_hours, 0, 8_760)?;
    if m.transport == MailTransport::Smtp
        && cfg.env == super::Environment::Production
        && m.smtp_security == SmtpSecurity::None
        && m.smtp_password.is_some()
    {
        return Err("KIOSQUE_SMTP_SECURITY: `none` would send the SMTP password in clear".into());
    }
    Ok(())
}
