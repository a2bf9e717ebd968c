//! Commenters' standing: approvals counted towards trust, and bans.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::comments::model::StandingRow;
use crate::db::AnyConnection;
use crate::db::schema::{commenter_standing, users};

pub fn standing(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Option<StandingRow>> {
    commenter_standing::table
        .find(user_id)
        .first(conn)
        .optional()
}

/// Makes sure the member has a standing row; concurrent callers both succeed
/// (an upsert, written per backend: the two-backend connection has no `ON CONFLICT`).
pub fn ensure_standing(
    conn: &mut AnyConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let row = (
        commenter_standing::user_id.eq(user_id),
        commenter_standing::updated_at.eq(now),
    );
    match conn {
        AnyConnection::Postgres(c) => diesel::insert_into(commenter_standing::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        AnyConnection::Sqlite(c) => diesel::insert_into(commenter_standing::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(())
}

pub fn count_approval(
    conn: &mut AnyConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    ensure_standing(conn, user_id, now)?;
    diesel::update(commenter_standing::table.find(user_id))
        .set((
            commenter_standing::approved_count.eq(commenter_standing::approved_count + 1),
            commenter_standing::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_ban(
    conn: &mut AnyConnection,
    user_id: i64,
    ban: Option<(Option<NaiveDateTime>, Option<String>, Option<i64>)>,
    now: NaiveDateTime,
) -> QueryResult<StandingRow> {
    ensure_standing(conn, user_id, now)?;
    let (banned, until, reason, by) = match ban {
        Some((until, reason, by)) => (true, until, reason, by),
        None => (false, None, None, None),
    };
    diesel::update(commenter_standing::table.find(user_id))
        .set((
            commenter_standing::banned.eq(banned),
            commenter_standing::banned_until.eq(until),
            commenter_standing::ban_reason.eq(reason),
            commenter_standing::banned_by.eq(by),
            commenter_standing::updated_at.eq(now),
        ))
        .returning(commenter_standing::all_columns)
        .get_result(conn)
}

pub fn user_exists(conn: &mut AnyConnection, id: i64) -> QueryResult<bool> {
    Ok(users::table
        .find(id)
        .select(users::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}
