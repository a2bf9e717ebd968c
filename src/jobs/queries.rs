//! The diesel code of job offers: their list filters. Reading and writing
//! one offer is the review workflow's (`review::model`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::JobRow;
use crate::config::Backend;
use crate::db::MultiBackend;
use crate::db::schema::jobs;
use crate::db::search;
use crate::review::queries::{in_scope, review_list};
use crate::review::{ListScope, Status};

#[derive(Debug, Clone)]
pub struct Filters {
    pub scope: ListScope,
    /// Any of these (never an empty list).
    pub status: Option<Vec<Status>>,
    pub q: Option<String>,
    pub contract_types: Vec<String>,
    pub city_key: Option<String>,
    pub remote: Option<bool>,
    pub published_after: Option<NaiveDateTime>,
    pub updated_after: Option<NaiveDateTime>,
}

type Boxed = jobs::BoxedQuery<'static, MultiBackend>;

fn filtered(f: &Filters, backend: Backend, now: NaiveDateTime) -> Boxed {
    let mut query = in_scope!(jobs::table.into_boxed(), jobs, f.scope, f.status, now);
    if f.scope == ListScope::Public {
        // expired offers leave the public list
        query = query.filter(jobs::expires_at.is_null().or(jobs::expires_at.gt(now)));
    }
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
    if let Some(after) = f.updated_after {
        // a scheduled item made public after `after` changed for the public
        // then, though its row did not
        query = query.filter(
            jobs::updated_at
                .gt(after)
                .or(jobs::published_at.assume_not_null().gt(after)),
        );
    }
    if let Some(q) = &f.q {
        query = query.filter(search::matches::<jobs::table>(backend, "jobs", q));
    }
    query
}

/// The filters as a text, without the time.
fn total_key(f: &Filters, _now: NaiveDateTime) -> String {
    format!(
        "jobs|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        f.scope,
        f.status,
        f.q,
        f.contract_types,
        f.city_key,
        f.remote,
        f.published_after,
        f.updated_after,
    )
}

/// When the list's total may change without a write: the next publication
/// whose time comes, or the next offer that expires.
fn until(
    conn: &mut crate::db::AnyConnection,
    _f: &Filters,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    let published: Option<NaiveDateTime> = jobs::table
        .filter(jobs::status.eq(Status::Published.stored()))
        .filter(jobs::published_at.gt(now))
        .select(diesel::dsl::min(jobs::published_at))
        .first(conn)?;
    let expiring: Option<NaiveDateTime> = jobs::table
        .filter(jobs::expires_at.gt(now))
        .select(diesel::dsl::min(jobs::expires_at))
        .first(conn)?;
    Ok(published.into_iter().chain(expiring).min())
}

review_list! {
    table: jobs,
    row: JobRow,
    sort: {
        "expires_at" => expires_at: opt_time @ fields.expires_at,
        "created_at" => created_at: time @ created_at,
        "title" => title: text @ fields.title,
    },
    default: published_at: opt_time @ review.published_at,
    tie: desc,
}
