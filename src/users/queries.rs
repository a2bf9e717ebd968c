use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{NewUser, UserChanges, UserRow};
use crate::db::schema::{refresh_tokens, users};
use crate::db::{AnyConnection, MultiBackend};
use crate::http::PageRequest;

pub fn insert(conn: &mut AnyConnection, new: &NewUser) -> QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(users::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<UserRow> {
    users::table.find(id).first(conn)
}

pub fn find_by_email(conn: &mut AnyConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .first(conn)
        .optional()
}

pub fn slug_taken(conn: &mut AnyConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::slug.eq(slug)),
    ))
    .get_result(conn)
}

/// Active admins: the last one may not be demoted, disabled or deleted.
pub fn count_active_admins(conn: &mut AnyConnection) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq("admin"))
        .filter(users::disabled.eq(false))
        .count()
        .get_result(conn)
}

#[derive(Clone)]
pub struct UserFilters {
    pub role: Option<String>,
    pub disabled: Option<bool>,
    pub q: Option<String>,
}

fn filtered(f: &UserFilters) -> users::BoxedQuery<'static, MultiBackend> {
    let mut query = users::table.into_boxed::<MultiBackend>();
    if let Some(role) = &f.role {
        query = query.filter(users::role.eq(role.clone()));
    }
    if let Some(disabled) = f.disabled {
        query = query.filter(users::disabled.eq(disabled));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", crate::db::escape_like(&q.to_lowercase()));
        query = query.filter(
            users::email
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::display_name).like(pattern).escape('\\')),
        );
    }
    query
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

pub fn list(
    conn: &mut AnyConnection,
    f: &UserFilters,
    paged: &PageRequest,
) -> QueryResult<(Vec<UserRow>, i64)> {
    let total = filtered(f).count().get_result(conn)?;
    let mut query = filtered(f);
    for s in &paged.sort {
        query = match (s.field.as_str(), s.descending) {
            ("email", false) => query.then_order_by(users::email.asc()),
            ("email", true) => query.then_order_by(users::email.desc()),
            ("display_name", false) => query.then_order_by(users::display_name.asc()),
            ("display_name", true) => query.then_order_by(users::display_name.desc()),
            (_, false) => query.then_order_by(users::created_at.asc()),
            (_, true) => query.then_order_by(users::created_at.desc()),
        };
    }
    let rows = query
        .then_order_by(users::id.asc())
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    Ok((rows, total))
}

pub fn update(conn: &mut AnyConnection, id: i64, changes: &UserChanges) -> QueryResult<UserRow> {
    diesel::update(users::table.find(id))
        .set(changes)
        .returning(users::all_columns)
        .get_result(conn)
}

pub fn touch_login(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::last_login_at.eq(now))
        .execute(conn)
}

/// Ends every session of a user: refresh tokens revoked, access tokens
/// refused from now on (their epoch no longer matches).
pub fn end_all_sessions(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?;
    diesel::update(users::table.find(id))
        .set(users::token_epoch.eq(users::token_epoch + 1))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(users::table.find(id)).execute(conn)
}

/// Notes the address as verified (kept at the first time).
pub fn mark_verified(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        users::table
            .find(id)
            .filter(users::email_verified_at.is_null()),
    )
    .set(users::email_verified_at.eq(now))
    .execute(conn)
}

/// Gives the account a new (confirmed) address.
pub fn set_email(
    conn: &mut AnyConnection,
    id: i64,
    email: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::email.eq(email),
            users::email_verified_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Tells the response cache (here and on other nodes) that what readers see
/// of user `id` may have changed: their author profile, their name and
/// picture on articles, the list of authors. Such writes record no change.
pub fn touch_public(c: &mut AnyConnection, id: i64) -> QueryResult<()> {
    crate::signal::touch(c, &[format!("user:{id}"), "list:authors".to_string()])
}
