//! The diesel code of events: their list filters. Reading and writing one
//! event is the review workflow's (`review::model`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::EventRow;
use crate::config::Backend;
use crate::db::MultiBackend;
use crate::db::schema::events;
use crate::db::search;
use crate::review::queries::{in_scope, review_list};
use crate::review::{ListScope, Status};

#[derive(Debug, Clone)]
pub struct Filters {
    pub scope: ListScope,
    /// Any of these (never an empty list).
    pub status: Option<Vec<Status>>,
    /// Events that end after this time.
    pub from: Option<NaiveDateTime>,
    /// Events that start before this time.
    pub to: Option<NaiveDateTime>,
    pub city_key: Option<String>,
    pub category: Option<String>,
    pub q: Option<String>,
    pub free: Option<bool>,
    pub updated_after: Option<NaiveDateTime>,
}

type Boxed = events::BoxedQuery<'static, MultiBackend>;

fn filtered(f: &Filters, backend: Backend, now: NaiveDateTime) -> Boxed {
    let mut query = in_scope!(events::table.into_boxed(), events, f.scope, f.status, now);
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
    if let Some(after) = f.updated_after {
        // a scheduled item made public after `after` changed for the public
        // then, though its row did not
        query = query.filter(
            events::updated_at
                .gt(after)
                .or(events::published_at.assume_not_null().gt(after)),
        );
    }
    if let Some(q) = &f.q {
        query = query.filter(search::matches::<events::table>(backend, "events", q));
    }
    query
}

/// The filters as a text, without the time: the public agenda's default
/// ("still to come", `from` = now) is named as such.
fn total_key(f: &Filters, now: NaiveDateTime) -> String {
    let from = f.from.filter(|t| *t != now);
    format!(
        "events|{:?}|{:?}|{from:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
        f.scope,
        f.status,
        f.to,
        f.city_key,
        f.category,
        f.q,
        f.free,
        f.updated_after,
        f.from == Some(now),
    )
}

/// When the list's total may change without a write: the next publication
/// whose time comes, or the next end of an event listed "still to come".
fn until(
    conn: &mut crate::db::AnyConnection,
    f: &Filters,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    let published: Option<NaiveDateTime> = events::table
        .filter(events::status.eq(Status::Published.stored()))
        .filter(events::published_at.gt(now))
        .select(diesel::dsl::min(events::published_at))
        .first(conn)?;
    let ending: Option<NaiveDateTime> = if f.from == Some(now) {
        events::table
            .filter(events::ends_at.gt(now))
            .select(diesel::dsl::min(events::ends_at))
            .first(conn)?
    } else {
        None
    };
    Ok(published.into_iter().chain(ending).min())
}

review_list! {
    table: events,
    row: EventRow,
    sort: {
        "ends_at" => ends_at: time @ fields.ends_at,
        "created_at" => created_at: time @ created_at,
        "title" => title: text @ fields.title,
    },
    default: starts_at: time @ fields.starts_at,
    tie: asc,
}
