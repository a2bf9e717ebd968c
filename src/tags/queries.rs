use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{NewTag, TagChanges, TagRow};
use crate::db::schema::tags;
use crate::db::{AnyConnection, MultiBackend};
use crate::http::PageRequest;
use crate::ids::IdOrSlug;

fn filtered<'a>(
    q: Option<&'a str>,
    updated_after: Option<NaiveDateTime>,
) -> tags::BoxedQuery<'a, MultiBackend> {
    let mut query = tags::table.into_boxed::<MultiBackend>();
    if let Some(after) = updated_after {
        query = query.filter(tags::updated_at.gt(after));
    }
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        // slugs are the lower-cased, accent-free form of names: match on them
        let prefix = crate::slug::slugify(q, 80);
        query = query.filter(
            tags::slug
                .like(format!("{}%", crate::db::escape_like(&prefix)))
                .escape('\\'),
        );
    }
    query
}

pub fn list(
    conn: &mut AnyConnection,
    q: Option<&str>,
    updated_after: Option<NaiveDateTime>,
    paged: &PageRequest,
) -> QueryResult<(Vec<TagRow>, i64)> {
    let total = filtered(q, updated_after).count().get_result(conn)?;
    let mut query = filtered(q, updated_after);
    for s in &paged.sort {
        query = match (s.field.as_str(), s.descending) {
            ("created_at", false) => query.then_order_by(tags::created_at.asc()),
            ("created_at", true) => query.then_order_by(tags::created_at.desc()),
            (_, false) => query.then_order_by(tags::name.asc()),
            (_, true) => query.then_order_by(tags::name.desc()),
        };
    }
    let rows = query
        .then_order_by(tags::id.asc())
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<TagRow> {
    match key {
        IdOrSlug::Id(id) => tags::table.find(*id).first(conn),
        IdOrSlug::Slug(slug) => tags::table.filter(tags::slug.eq(slug)).first(conn),
    }
}

pub fn slug_taken(conn: &mut AnyConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(tags::table.filter(tags::slug.eq(slug)))).get_result(conn)
}

pub fn insert(conn: &mut AnyConnection, new: &NewTag) -> QueryResult<TagRow> {
    diesel::insert_into(tags::table)
        .values(new)
        .returning(tags::all_columns)
        .get_result(conn)
}

pub fn update(conn: &mut AnyConnection, id: i64, changes: &TagChanges) -> QueryResult<TagRow> {
    diesel::update(tags::table.find(id))
        .set(changes)
        .returning(tags::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, key: &IdOrSlug) -> QueryResult<usize> {
    match key {
        IdOrSlug::Id(id) => diesel::delete(tags::table.find(*id)).execute(conn),
        IdOrSlug::Slug(slug) => {
            diesel::delete(tags::table.filter(tags::slug.eq(slug))).execute(conn)
        }
    }
}
