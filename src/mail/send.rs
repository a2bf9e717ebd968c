//! Draining the queue: claim, send through the transport, mark.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::web;
use lettre::message::{Mailbox, MultiPart, SinglePart, header};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{SmtpTransport, Transport};

use super::outbox::{self, OutboxRow};
use crate::config::{MailConfig, MailTransport, SmtpSecurity};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Messages claimed per round.
const BATCH: i64 = 20;

/// Drains the queue on this node while `leading` says it holds the lease,
/// every scheduler tick.
pub fn start(state: web::Data<AppState>, leading: Arc<AtomicBool>) {
    actix_web::rt::spawn(async move {
        loop {
            let mut again = false;
            if leading.load(Ordering::Acquire) {
                match drain(&state).await {
                    Ok(n) => again = n as i64 >= BATCH,
                    Err(e) => {
                        tracing::warn!(error = %e, "mail: draining the queue failed; retrying at the next tick")
                    }
                }
            }
            if !again {
                actix_web::rt::time::sleep(state.config.scheduler_tick).await;
            }
        }
    });
}

/// Sends what is due now; says how many messages were handled.
pub async fn drain(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let due = state.db.run(move |c| Ok(outbox::any_due(c, now)?)).await?;
    if !due {
        return Ok(0);
    }
    let claim = crate::auth::tokens::new_claim();
    // long enough for a batch of slow sends; a crashed sender's claim lapses
    let hold = chrono::Duration::from_std(state.config.mail.smtp_timeout * 3 * BATCH as u32)
        .unwrap_or(chrono::Duration::minutes(10));
    let until = now + hold;
    let mine = claim.clone();
    let batch = state
        .db
        .write(move |c| Ok(outbox::claim(c, now, until, &mine, BATCH)?))
        .await?;
    let count = batch.len();
    for row in batch {
        let id = row.id;
        let attempts = row.attempts;
        let config = state.config.mail.clone();
        let result = web::block(move || deliver(&config, &row))
            .await
            .map_err(|e| AppError::internal(format!("mail task failed: {e}")))?;
        let now = state.clock.now();
        let claim = claim.clone();
        match result {
            Ok(()) => {
                state
                    .db
                    .write(move |c| Ok(outbox::mark_sent(c, id, &claim, now)?))
                    .await?;
            }
            Err(error) => {
                let retry_at = (attempts < state.config.mail.max_attempts).then(|| {
                    // 30 s, 1 min, 2 min… at most 6 hours
                    let secs = (30i64 << (attempts - 1).clamp(0, 10)).min(6 * 3600);
                    now + chrono::Duration::seconds(secs)
                });
                match retry_at {
                    Some(at) => {
                        tracing::warn!(message = id, attempt = attempts, retry_at = %at, %error, "mail: sending failed; will retry")
                    }
                    None => {
                        tracing::error!(message = id, attempt = attempts, %error, "mail: sending failed; giving up")
                    }
                }
                state
                    .db
                    .write(move |c| Ok(outbox::mark_failed(c, id, &claim, &error, retry_at)?))
                    .await?;
            }
        }
    }
    Ok(count)
}

/// Sends one message through the configured transport (a blocking call).
fn deliver(config: &MailConfig, row: &OutboxRow) -> Result<(), String> {
    match config.transport {
        MailTransport::Log => {
            tracing::info!(
                to = %row.recipient,
                kind = %row.kind,
                subject = %row.subject,
                "mail (transport `log`, not sent):\n{}",
                row.text_body
            );
            Ok(())
        }
        MailTransport::Smtp => {
            let message = build(config, row)?;
            smtp(config)?
                .send(&message)
                .map(|_| ())
                .map_err(|e| format!("SMTP: {e}"))
        }
    }
}

fn build(config: &MailConfig, row: &OutboxRow) -> Result<lettre::Message, String> {
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|e| format!("the sender address: {e}"))?;
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| format!("the recipient address: {e}"))?;
    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone());
    let extra: BTreeMap<String, String> = serde_json::from_str(&row.headers).unwrap_or_default();
    for (name, value) in extra {
        builder = builder.raw_header(header::HeaderValue::new(
            header::HeaderName::new_from_ascii(name).map_err(|e| format!("a header name: {e}"))?,
            value,
        ));
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(part(header::ContentType::TEXT_PLAIN, &row.text_body))
                .singlepart(part(header::ContentType::TEXT_HTML, &row.html_body)),
        )
        .map_err(|e| format!("building the message: {e}"))
}

/// A body part in quoted-printable: readable, and safe for any line length.
fn part(kind: header::ContentType, body: &str) -> SinglePart {
    SinglePart::builder()
        .header(kind)
        .header(header::ContentTransferEncoding::QuotedPrintable)
        .body(body.to_string())
}

fn smtp(config: &MailConfig) -> Result<SmtpTransport, String> {
    let host = config.smtp_host.as_str();
    let builder = match config.smtp_security {
        SmtpSecurity::None => SmtpTransport::builder_dangerous(host),
        SmtpSecurity::StartTls => {
            SmtpTransport::starttls_relay(host).map_err(|e| format!("SMTP TLS setup: {e}"))?
        }
        SmtpSecurity::Tls => {
            SmtpTransport::relay(host).map_err(|e| format!("SMTP TLS setup: {e}"))?
        }
    };
    let mut builder = builder
        .port(config.smtp_port)
        .timeout(Some(config.smtp_timeout));
    if let (Some(user), Some(password)) = (&config.smtp_user, &config.smtp_password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}
