//! The diesel code of the weather box.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{NewWeather, ObservationForm, WeatherRow};
use crate::db::AnyConnection;
use crate::db::schema::weather;
use crate::ids::IdOrSlug;

pub fn find(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<Option<WeatherRow>> {
    match key {
        IdOrSlug::Id(id) => weather::table.find(*id).first(conn).optional(),
        IdOrSlug::Slug(slug) => weather::table
            .filter(weather::slug.eq(slug))
            .first(conn)
            .optional(),
    }
}

/// A page of towns by name, and their number.
pub fn list(
    conn: &mut AnyConnection,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<WeatherRow>, i64)> {
    let total = weather::table.count().get_result(conn)?;
    let rows = weather::table
        .order((weather::name.asc(), weather::id.asc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

pub fn insert(conn: &mut AnyConnection, row: &NewWeather) -> QueryResult<WeatherRow> {
    diesel::insert_into(weather::table)
        .values(row)
        .returning(weather::all_columns)
        .get_result(conn)
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    form: &ObservationForm,
) -> QueryResult<WeatherRow> {
    diesel::update(weather::table.find(id))
        .set(form)
        .returning(weather::all_columns)
        .get_result(conn)
}

/// Notes a failed fetch; the observation stays.
pub fn mark_failed(
    conn: &mut AnyConnection,
    id: i64,
    failure: &str,
    now: NaiveDateTime,
) -> QueryResult<WeatherRow> {
    diesel::update(weather::table.find(id))
        .set((
            weather::failed_at.eq(Some(now)),
            weather::failure.eq(Some(failure)),
            weather::updated_at.eq(now),
        ))
        .returning(weather::all_columns)
        .get_result(conn)
}
