//! The digest of the moderation queue: every `KIOSQUE_MODERATION_DIGEST_HOURS`
//! the lease holder mails each editor and admin who keeps it on what waits
//! for a decision (comments held for moderation, submitted articles, events
//! and job offers: counts and the first titles), only when something waits.
//!
//! The time of the last digest is kept in `digest_marks` and moved forward,
//! with a condition on its old value, in the transaction that queues the
//! mail: two nodes that both believe they lead send one digest.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::config::MailConfig;
use crate::db::AnyConnection;
use crate::db::schema::{articles, comments, digest_marks, events, jobs, users};
use crate::error::AppResult;
use crate::mail::unsubscribe::{self, Topic};
use crate::mail::{self, Kind};
use crate::state::AppState;

/// The name of the moderation digest's mark.
const MARK: &str = "moderation";
/// Titles named per kind of item.
const SHOWN: i64 = 3;

/// What waits in one part of the queue.
struct Part {
    label: &'static str,
    count: i64,
    first: Vec<String>,
}

/// Sends the digest if its period has passed and something waits; says how
/// many messages it queued. Run by the lease holder (see `lib.rs`); safe to
/// run again or on two nodes at once.
pub async fn send_due(state: &AppState) -> AppResult<usize> {
    let config = state.config.mail.clone();
    if config.digest_hours == 0 {
        return Ok(0);
    }
    let secret = state.config.jwt_secret.clone();
    let now = state.clock.now();
    state.db.write(move |c| run(c, &config, &secret, now)).await
}

/// The work of [`send_due`], in a write transaction.
pub fn run(
    conn: &mut AnyConnection,
    config: &MailConfig,
    secret: &[u8],
    now: NaiveDateTime,
) -> AppResult<usize> {
    let period = Duration::hours(i64::from(config.digest_hours));
    let last: Option<NaiveDateTime> = digest_marks::table
        .find(MARK)
        .select(digest_marks::last_at)
        .first(conn)
        .optional()?;
    let Some(last) = last else {
        // the first period starts now
        let row = (digest_marks::name.eq(MARK), digest_marks::last_at.eq(now));
        match conn {
            AnyConnection::Postgres(c) => diesel::insert_into(digest_marks::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c)?,
            AnyConnection::Sqlite(c) => diesel::insert_into(digest_marks::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c)?,
        };
        return Ok(0);
    };
    if last + period > now {
        return Ok(0);
    }
    let parts = waiting(conn)?;
    if parts.iter().all(|p| p.count == 0) {
        return Ok(0);
    }
    // claim the period; another node that claimed it first leaves nothing
    let claimed = diesel::update(
        digest_marks::table
            .filter(digest_marks::name.eq(MARK))
            .filter(digest_marks::last_at.eq(last)),
    )
    .set(digest_marks::last_at.eq(now))
    .execute(conn)?;
    if claimed == 0 {
        return Ok(0);
    }
    let total: i64 = parts.iter().map(|p| p.count).sum();
    let subject = format!(
        "{total} élément{} en attente de modération sur {}",
        if total > 1 { "s" } else { "" },
        config.site_name
    );
    let summary = summary(&parts);
    let link = mail::templates::site_link(config, "/moderation");
    let staff: Vec<(i64, String, String)> = users::table
        .filter(users::role.eq_any(["editor", "admin"]))
        .filter(users::notify_digest.eq(true))
        .select((users::id, users::email, users::display_name))
        .order(users::id)
        .load(conn)?;
    for (id, email, name) in &staff {
        let token = unsubscribe::token(secret, *id, Topic::Digest);
        let page = unsubscribe::page(config, &token);
        let mut message = mail::compose(
            config,
            Kind::ModerationDigest,
            email,
            &[
                ("subject_line", &subject),
                ("name", name),
                ("summary", &summary),
                ("link", &link),
                ("unsubscribe", &page),
            ],
        );
        unsubscribe::attach(&mut message, config, &token);
        mail::queue(conn, &message, now)?;
    }
    Ok(staff.len())
}

/// The parts of the queue, in the order the message lists them.
fn waiting(conn: &mut AnyConnection) -> QueryResult<Vec<Part>> {
    let held = || {
        comments::table
            .filter(
                comments::status
                    .eq("pending")
                    .or(comments::pending_since.is_not_null()),
            )
            .into_boxed::<crate::db::MultiBackend>()
    };
    let count = held().count().get_result(conn)?;
    let bodies: Vec<String> = held()
        .select(comments::body)
        .order(comments::id)
        .limit(SHOWN)
        .load(conn)?;
    let mut parts = vec![Part {
        label: "Commentaires",
        count,
        first: bodies.iter().map(|b| excerpt(b)).collect(),
    }];
    macro_rules! submitted {
        ($table:ident, $label:expr) => {{
            let count = $table::table
                .filter($table::status.eq("pending"))
                .count()
                .get_result(conn)?;
            let first = $table::table
                .filter($table::status.eq("pending"))
                .select($table::title)
                .order($table::id)
                .limit(SHOWN)
                .load(conn)?;
            parts.push(Part {
                label: $label,
                count,
                first,
            });
        }};
    }
    submitted!(articles, "Articles proposés");
    submitted!(events, "Événements proposés");
    submitted!(jobs, "Offres d'emploi proposées");
    Ok(parts)
}

/// The start of a comment, on one line.
fn excerpt(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut short: String = line.chars().take(80).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    format!("« {short} »")
}

/// The parts with something waiting, as lines of text.
fn summary(parts: &[Part]) -> String {
    let mut out = String::new();
    for part in parts.iter().filter(|p| p.count > 0) {
        out.push_str(&format!("{} : {}\n", part.label, part.count));
        for title in &part.first {
            out.push_str(&format!("  - {title}\n"));
        }
        let more = part.count - part.first.len() as i64;
        if more > 0 {
            out.push_str(&format!("  - et {more} de plus\n"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_the_first_items_and_counts_the_rest() {
        let parts = [
            Part {
                label: "Commentaires",
                count: 0,
                first: vec![],
            },
            Part {
                label: "Événements proposés",
                count: 5,
                first: vec!["Fest-noz".into(), "Pardon".into(), "Marché".into()],
            },
        ];
        let text = summary(&parts);
        assert!(!text.contains("Commentaires"));
        assert!(text.contains("Événements proposés : 5\n  - Fest-noz\n"));
        assert!(text.contains("et 2 de plus"));
        assert_eq!(excerpt("Très\n bien"), "« Très bien »");
    }
}
