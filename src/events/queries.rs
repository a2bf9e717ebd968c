use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{EventChanges, EventRow, NewEvent};
use crate::config::Backend;
use crate::db::schema::events;
use crate::db::search;
use crate::db::{AnyConnection, MultiBackend};
use crate::http::Paged;
use crate::workflow::{Scope, Status};

#[derive(Debug, Clone)]
pub struct Filters {
    pub scope: Scope,
    pub status: Option<Status>,
    /// Events that end after this time.
    pub from: Option<NaiveDateTime>,
    /// Events that start before this time.
    pub to: Option<NaiveDateTime>,
    pub city_key: Option<String>,
    pub category: Option<String>,
    pub q: Option<String>,
    pub free: Option<bool>,
}

type Boxed = events::BoxedQuery<'static, MultiBackend>;

fn filtered(f: &Filters, backend: Backend, now: NaiveDateTime) -> Boxed {
    let mut query = events::table.into_boxed::<MultiBackend>();
    match f.scope {
        Scope::Public => {
            query = query
                .filter(events::status.eq("published"))
                .filter(events::published_at.le(now));
        }
        Scope::Mine(user) => query = query.filter(events::submitted_by.eq(user)),
        Scope::Review => {}
    }
    query = match f.status {
        None => query,
        Some(Status::Published) => query
            .filter(events::status.eq("published"))
            .filter(events::published_at.le(now)),
        Some(Status::Scheduled) => query
            .filter(events::status.eq("published"))
            .filter(events::published_at.gt(now)),
        Some(s) => query.filter(events::status.eq(s.stored())),
    };
    if let Some(from) = f.from {
        query = query.filter(events::ends_at.gt(from));
    }
    if let Some(to) = f.to {
        query = query.filter(events::starts_at.lt(to));
    }
    if let Some(city) = &f.city_key {
        query = query.filter(events::city_key.eq(city.clone()));
    }
    if let Some(category) = &f.category {
        query = query.filter(events::category.eq(category.clone()));
    }
    if let Some(free) = f.free {
        query = query.filter(events::is_free.eq(free));
    }
    if let Some(q) = &f.q {
        query = query.filter(search::matches::<events::table>(backend, "events", q));
    }
    query
}

pub fn list(
    conn: &mut AnyConnection,
    f: &Filters,
    paged: &Paged,
    by_relevance: bool,
    now: NaiveDateTime,
) -> QueryResult<(Vec<EventRow>, i64)> {
    let backend = conn.backend();
    if by_relevance
        && backend == Backend::Sqlite
        && let Some(q) = &f.q
    {
        let by_rank = search::sqlite_ranked_ids(conn, "events", q, &[])?;
        let allowed = filtered(f, backend, now).select(events::id).load(conn)?;
        let (page, total) = search::rank_page(by_rank, allowed, paged.offset, paged.fetch());
        let rows = events::table
            .filter(events::id.eq_any(&page))
            .load::<EventRow>(conn)?;
        return Ok((search::in_order(rows, &page, |r| r.id), total));
    }
    let total = filtered(f, backend, now).count().get_result(conn)?;
    let mut query = filtered(f, backend, now);
    if by_relevance
        && let Some(q) = &f.q
        && let Some(rank) = search::rank(backend, "events", q)
    {
        query = query.then_order_by(rank);
    }
    for s in &paged.sort {
        query = match (s.field.as_str(), s.descending) {
            ("ends_at", false) => query.then_order_by(events::ends_at.asc()),
            ("ends_at", true) => query.then_order_by(events::ends_at.desc()),
            ("created_at", false) => query.then_order_by(events::created_at.asc()),
            ("created_at", true) => query.then_order_by(events::created_at.desc()),
            ("title", false) => query.then_order_by(events::title.asc()),
            ("title", true) => query.then_order_by(events::title.desc()),
            (_, false) => query.then_order_by(events::starts_at.asc()),
            (_, true) => query.then_order_by(events::starts_at.desc()),
        };
    }
    let rows = query
        .then_order_by(events::id.asc())
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<EventRow> {
    events::table.find(id).first(conn)
}

pub fn insert(conn: &mut AnyConnection, new: &NewEvent) -> QueryResult<EventRow> {
    diesel::insert_into(events::table)
        .values(new)
        .returning(events::all_columns)
        .get_result(conn)
}

pub fn update(conn: &mut AnyConnection, id: i64, changes: &EventChanges) -> QueryResult<EventRow> {
    diesel::update(events::table.find(id))
        .set(changes)
        .returning(events::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(events::table.find(id)).execute(conn)
}
