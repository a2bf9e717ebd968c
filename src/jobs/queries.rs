use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{JobChanges, JobRow, NewJob};
use crate::config::Backend;
use crate::db::schema::jobs;
use crate::db::search;
use crate::db::{AnyConnection, MultiBackend};
use crate::http::Paged;
use crate::workflow::{Scope, Status};

#[derive(Debug, Clone)]
pub struct Filters {
    pub scope: Scope,
    pub status: Option<Status>,
    pub q: Option<String>,
    pub contract_types: Vec<String>,
    pub city_key: Option<String>,
    pub remote: Option<bool>,
    pub published_after: Option<NaiveDateTime>,
}

type Boxed = jobs::BoxedQuery<'static, MultiBackend>;

fn filtered(f: &Filters, backend: Backend, now: NaiveDateTime) -> Boxed {
    let mut query = jobs::table.into_boxed::<MultiBackend>();
    match f.scope {
        Scope::Public => {
            query = query
                .filter(jobs::status.eq("published"))
                .filter(jobs::published_at.le(now))
                .filter(jobs::expires_at.is_null().or(jobs::expires_at.gt(now)));
        }
        Scope::Mine(user) => query = query.filter(jobs::submitted_by.eq(user)),
        Scope::Review => {}
    }
    query = match f.status {
        None => query,
        Some(Status::Published) => query
            .filter(jobs::status.eq("published"))
            .filter(jobs::published_at.le(now)),
        Some(Status::Scheduled) => query
            .filter(jobs::status.eq("published"))
            .filter(jobs::published_at.gt(now)),
        Some(s) => query.filter(jobs::status.eq(s.stored())),
    };
    if !f.contract_types.is_empty() {
        query = query.filter(jobs::contract_type.eq_any(f.contract_types.clone()));
    }
    if let Some(city) = &f.city_key {
        query = query.filter(jobs::city_key.eq(city.clone()));
    }
    if let Some(remote) = f.remote {
        query = query.filter(jobs::remote.eq(remote));
    }
    if let Some(after) = f.published_after {
        query = query.filter(jobs::published_at.ge(after));
    }
    if let Some(q) = &f.q {
        query = query.filter(search::matches::<jobs::table>(backend, "jobs", q));
    }
    query
}

/// A page of offers and the total. `by_relevance`: order by the search's
/// rank first (when `q` is given and no `sort`), then by the page's sort.
pub fn list(
    conn: &mut AnyConnection,
    f: &Filters,
    paged: &Paged,
    by_relevance: bool,
    now: NaiveDateTime,
) -> QueryResult<(Vec<JobRow>, i64)> {
    let backend = conn.backend();
    if by_relevance
        && backend == Backend::Sqlite
        && let Some(q) = &f.q
    {
        let by_rank = search::sqlite_ranked_ids(conn, "jobs", q, &[])?;
        let allowed = filtered(f, backend, now).select(jobs::id).load(conn)?;
        let (page, total) = search::rank_page(by_rank, allowed, paged.offset, paged.fetch());
        let rows = jobs::table
            .filter(jobs::id.eq_any(&page))
            .load::<JobRow>(conn)?;
        return Ok((search::in_order(rows, &page, |r| r.id), total));
    }
    let total = filtered(f, backend, now).count().get_result(conn)?;
    let mut query = filtered(f, backend, now);
    if by_relevance
        && let Some(q) = &f.q
        && let Some(rank) = search::rank(backend, "jobs", q)
    {
        query = query.then_order_by(rank);
    }
    for s in &paged.sort {
        query = match (s.field.as_str(), s.descending) {
            ("expires_at", false) => query.then_order_by(jobs::expires_at.asc()),
            ("expires_at", true) => query.then_order_by(jobs::expires_at.desc()),
            ("created_at", false) => query.then_order_by(jobs::created_at.asc()),
            ("created_at", true) => query.then_order_by(jobs::created_at.desc()),
            ("title", false) => query.then_order_by(jobs::title.asc()),
            ("title", true) => query.then_order_by(jobs::title.desc()),
            (_, false) => query.then_order_by(jobs::published_at.asc()),
            (_, true) => query.then_order_by(jobs::published_at.desc()),
        };
    }
    let rows = query
        .then_order_by(jobs::id.desc())
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<JobRow> {
    jobs::table.find(id).first(conn)
}

pub fn insert(conn: &mut AnyConnection, new: &NewJob) -> QueryResult<JobRow> {
    diesel::insert_into(jobs::table)
        .values(new)
        .returning(jobs::all_columns)
        .get_result(conn)
}

pub fn update(conn: &mut AnyConnection, id: i64, changes: &JobChanges) -> QueryResult<JobRow> {
    diesel::update(jobs::table.find(id))
        .set(changes)
        .returning(jobs::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(jobs::table.find(id)).execute(conn)
}
