use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{ApiKeyRow, NewApiKey};
use crate::db::AnyConnection;
use crate::db::schema::api_keys;
use crate::http::PageRequest;

pub fn insert(conn: &mut AnyConnection, new: &NewApiKey) -> QueryResult<ApiKeyRow> {
    diesel::insert_into(api_keys::table)
        .values(new)
        .returning(api_keys::all_columns)
        .get_result(conn)
}

pub fn list(
    conn: &mut AnyConnection,
    include_revoked: bool,
    paged: &PageRequest,
) -> QueryResult<(Vec<ApiKeyRow>, i64)> {
    let base = || {
        let q = api_keys::table.into_boxed();
        if include_revoked {
            q
        } else {
            q.filter(api_keys::revoked_at.is_null())
        }
    };
    let total = base().count().get_result(conn)?;
    let rows = base()
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<ApiKeyRow> {
    api_keys::table.find(id).first(conn)
}

pub fn revoke(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        api_keys::table
            .find(id)
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now))
    .execute(conn)
}
