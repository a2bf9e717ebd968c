use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{NewSection, SectionChanges, SectionRow};
use crate::db::schema::sections;
use crate::db::{AnyConnection, MultiBackend};
use crate::http::PageRequest;
use crate::ids::IdOrSlug;

pub fn list(
    conn: &mut AnyConnection,
    updated_after: Option<NaiveDateTime>,
    paged: &PageRequest,
) -> QueryResult<(Vec<SectionRow>, i64)> {
    let filtered = || {
        let query = sections::table.into_boxed::<MultiBackend>();
        match updated_after {
            Some(after) => query.filter(sections::updated_at.gt(after)),
            None => query,
        }
    };
    let total = filtered().count().get_result(conn)?;
    let mut query = filtered();
    for s in &paged.sort {
        query = match (s.field.as_str(), s.descending) {
            ("name", false) => query.then_order_by(sections::name.asc()),
            ("name", true) => query.then_order_by(sections::name.desc()),
            ("created_at", false) => query.then_order_by(sections::created_at.asc()),
            ("created_at", true) => query.then_order_by(sections::created_at.desc()),
            (_, false) => query.then_order_by(sections::position.asc()),
            (_, true) => query.then_order_by(sections::position.desc()),
        };
    }
    let rows = query
        .then_order_by(sections::id.asc())
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<SectionRow> {
    match key {
        IdOrSlug::Id(id) => sections::table.find(*id).first(conn),
        IdOrSlug::Slug(slug) => sections::table.filter(sections::slug.eq(slug)).first(conn),
    }
}

pub fn slug_taken(conn: &mut AnyConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        sections::table.filter(sections::slug.eq(slug)),
    ))
    .get_result(conn)
}

pub fn insert(conn: &mut AnyConnection, new: &NewSection) -> QueryResult<SectionRow> {
    diesel::insert_into(sections::table)
        .values(new)
        .returning(sections::all_columns)
        .get_result(conn)
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    changes: &SectionChanges,
) -> QueryResult<SectionRow> {
    diesel::update(sections::table.find(id))
        .set(changes)
        .returning(sections::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<usize> {
    match key {
        IdOrSlug::Id(id) => diesel::delete(sections::table.find(*id)).execute(conn),
        IdOrSlug::Slug(slug) => {
            diesel::delete(sections::table.filter(sections::slug.eq(slug))).execute(conn)
        }
    }
}
