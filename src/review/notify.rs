//! Tells submitters of the decision on their submission (accepted or
//! refused, with the reason), by mail, when they keep that notification on.
//! Queued in the decision's transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::config::MailConfig;
use crate::db::AnyConnection;
use crate::db::schema::users;
use crate::error::AppResult;
use crate::ids::UserId;
use crate::mail::unsubscribe::{self, Topic};
use crate::mail::{self, Kind};
use crate::status::ContentKind;

/// What the site calls a kind of submission, in French.
fn french(kind: ContentKind) -> (&'static str, bool) {
    // (name, feminine)
    match kind {
        ContentKind::Article => ("article", false),
        ContentKind::Job => ("offre d'emploi", true),
        ContentKind::Event => ("événement", false),
    }
}

/// Queues the notice of a decision moving a submission from `before` to
/// `after` (stored statuses) for each owner who is not the decider.
#[allow(clippy::too_many_arguments)]
pub fn decision(
    conn: &mut AnyConnection,
    config: &MailConfig,
    secret: &[u8],
    owners: &[UserId],
    decider: Option<UserId>,
    kind: ContentKind,
    (before, after): (&str, &str),
    reason: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<()> {
    let accepted = after == "published" && before == "pending";
    let refused = after == "rejected" && before != "rejected";
    if !(accepted || refused) {
        return Ok(());
    }
    let (name, feminine) = french(kind);
    let e = if feminine { "e" } else { "" };
    let (subject, decision) = if accepted {
        (
            format!("Votre {name} a été accepté{e} sur {}", config.site_name),
            format!(
                "Bonne nouvelle : votre {name} a été accepté{e} et sera publié{e} sur {}.",
                config.site_name
            ),
        )
    } else {
        (
            format!(
                "Votre {name} n'a pas été retenu{e} sur {}",
                config.site_name
            ),
            format!(
                "Votre {name} n'a pas été retenu{e} pour publication sur {}.",
                config.site_name
            ),
        )
    };
    let reason_line = match reason.filter(|r| refused && !r.trim().is_empty()) {
        Some(r) => format!("Motif : {r}\n"),
        None => String::new(),
    };
    for owner in owners.iter().filter(|o| Some(**o) != decider) {
        let found: Option<(String, String, bool)> = users::table
            .find(owner.0)
            .select((users::email, users::display_name, users::notify_reviews))
            .first(conn)
            .optional()?;
        let Some((email, display_name, true)) = found else {
            continue;
        };
        let token = unsubscribe::token(secret, owner.0, Topic::Reviews);
        let page = unsubscribe::page(config, &token);
        let mut message = mail::compose(
            config,
            Kind::ReviewDecision,
            &email,
            &[
                ("subject_line", &subject),
                ("name", &display_name),
                ("decision", &decision),
                ("reason_line", &reason_line),
                ("unsubscribe", &page),
            ],
        );
        unsubscribe::attach(&mut message, config, &token);
        mail::queue(conn, &message, now)?;
    }
    Ok(())
}
