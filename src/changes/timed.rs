//! Timed changes: facts that become true when a time comes, with nobody
//! writing (a scheduled article goes public, a job offer expires, a poll
//! closes). Each fact is told once in the change log: the `announcements`
//! table keeps the facts already told, keyed by resource, fact and time (a
//! new time is a new fact), and a fact's change is recorded in the same
//! transaction as its row there.
//!
//! Resources describe their own timed changes (`articles::announce_due`…)
//! with the parts below; the scheduler only calls them.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, sql};
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::db::AnyConnection;
use crate::db::schema::announcements as a;

/// Whether the fact `what` of the resource at `due` was told already.
pub fn is_told(
    conn: &mut AnyConnection,
    resource_type: &str,
    id: i64,
    what: &str,
    due: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(exists(
        a::table
            .filter(a::resource_type.eq(resource_type))
            .filter(a::resource_id.eq(id))
            .filter(a::what.eq(what))
            .filter(a::due_at.eq(due)),
    ))
    .get_result(conn)
}

/// Notes the fact as told, unless it was: true when this call told it.
/// Call it in the transaction that records the fact's change (or that makes
/// the fact true itself, with its own change).
pub fn tell(
    conn: &mut AnyConnection,
    resource_type: &str,
    id: i64,
    what: &str,
    due: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    if is_told(conn, resource_type, id, what, due)? {
        return Ok(false);
    }
    diesel::insert_into(a::table)
        .values((
            a::resource_type.eq(resource_type),
            a::resource_id.eq(id),
            a::what.eq(what),
            a::due_at.eq(due),
            a::announced_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Forgets the facts of a deleted resource (SQLite may give its id again).
pub fn forget(conn: &mut AnyConnection, resource_type: &str, id: i64) -> QueryResult<usize> {
    diesel::delete(
        a::table
            .filter(a::resource_type.eq(resource_type))
            .filter(a::resource_id.eq(id)),
    )
    .execute(conn)
}

/// A filter for a resource's due query: no fact `what` told yet for the row
/// of `table` at the time in its column `due_column`. The names are the
/// resource's own constants, never input.
pub fn untold(
    resource_type: &'static str,
    table: &'static str,
    due_column: &'static str,
    what: &'static str,
) -> SqlLiteral<Bool> {
    sql::<Bool>(&format!(
        "NOT EXISTS (SELECT 1 FROM announcements t \
         WHERE t.resource_type = '{resource_type}' AND t.resource_id = {table}.id \
         AND t.what = '{what}' AND t.due_at = {table}.{due_column})"
    ))
}

/// Takes the row `id` of `table` for this transaction, unless another
/// transaction holds it (then it is skipped: its writer settles the fact).
/// On PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite writers take turns already.
pub fn claim(conn: &mut AnyConnection, table: &'static str, id: i64) -> QueryResult<bool> {
    match conn {
        AnyConnection::Postgres(c) => {
            let taken = diesel::sql_query(format!(
                "SELECT id FROM {table} WHERE id = {id} FOR UPDATE SKIP LOCKED"
            ))
            .execute(c)?;
            Ok(taken == 1)
        }
        AnyConnection::Sqlite(_) => Ok(true),
    }
}

/// The time of a content item's publication, if it is public at `now`
/// (stored `published`, its time come).
fn live_since(
    stored: &str,
    published_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Option<NaiveDateTime> {
    published_at.filter(|t| stored == "published" && *t <= now)
}

/// Settles the publication of a content item a write just left as
/// (`stored`, `published_at`), and names the write's change. `before` is the
/// item as it was (`None`: new); call it after the row's update (which holds
/// the row against the scheduler) and before recording the change.
///
/// The name follows what the public saw: public before (its publication
/// told) and not now is `unpublished`; public now and not before is
/// `published` (and the publication is told); a publication set for later is
/// `scheduled` (its `published` comes at its time); otherwise [`super::status_change`].
pub fn publication_change(
    conn: &mut AnyConnection,
    resource_type: &'static str,
    id: i64,
    before: Option<(&str, Option<NaiveDateTime>)>,
    after: (&str, Option<NaiveDateTime>),
    now: NaiveDateTime,
) -> QueryResult<&'static str> {
    let was_public = match before.and_then(|(s, t)| live_since(s, t, now).map(|t| (s, t))) {
        Some((_, t)) => is_told(conn, resource_type, id, "published", t)?,
        None => false,
    };
    let is_public = match live_since(after.0, after.1, now) {
        Some(t) => {
            tell(conn, resource_type, id, "published", t, now)?;
            true
        }
        None => false,
    };
    let stored = super::status_change(before.map(|b| b.0), after.0);
    Ok(publication_name(was_public, is_public, stored))
}

/// The name of a write's change from what the public saw before and after
/// it, and from its move between stored statuses ([`super::status_change`]).
fn publication_name(was_public: bool, is_public: bool, stored: &'static str) -> &'static str {
    match (was_public, is_public, stored) {
        (false, true, _) => "published",
        (true, false, _) => "unpublished",
        (true, true, _) => "updated",
        // neither before nor after: a publication set for later, or a
        // withdrawn one the public never saw
        (false, false, "published") => "scheduled",
        (false, false, "unpublished") => "updated",
        (false, false, other) => other,
    }
}

/// Notes as told the publication of an item written outside a request (the
/// demo site), so that the scheduler does not tell it later.
pub fn settle_publication(
    conn: &mut AnyConnection,
    resource_type: &'static str,
    id: i64,
    stored: &str,
    published_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    match live_since(stored, published_at, now) {
        Some(t) => tell(conn, resource_type, id, "published", t, now),
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::publication_name;
    use crate::changes::status_change;

    #[test]
    fn writes_are_named_by_what_the_public_saw() {
        let name = |before: Option<&str>, after: &str, was: bool, is: bool| {
            publication_name(was, is, status_change(before, after))
        };
        // new: public now, for later, not public
        assert_eq!(name(None, "published", false, true), "published");
        assert_eq!(name(None, "published", false, false), "scheduled");
        assert_eq!(name(None, "draft", false, false), "created");
        // a scheduled item edited while it waits, or whose time came unnoticed
        assert_eq!(
            name(Some("published"), "published", false, false),
            "updated"
        );
        assert_eq!(
            name(Some("published"), "published", false, true),
            "published"
        );
        // a scheduled item withdrawn before its time: the public saw nothing
        assert_eq!(name(Some("published"), "draft", false, false), "updated");
        // a public item edited, rescheduled for later, archived
        assert_eq!(name(Some("published"), "published", true, true), "updated");
        assert_eq!(
            name(Some("published"), "published", true, false),
            "unpublished"
        );
        assert_eq!(
            name(Some("published"), "archived", true, false),
            "unpublished"
        );
        // archived, then published again (its old time): public again
        assert_eq!(
            name(Some("archived"), "published", false, true),
            "published"
        );
        assert_eq!(name(Some("draft"), "published", false, false), "scheduled");
    }
}
