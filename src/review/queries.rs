//! The list queries of the review workflow, written once for every
//! reviewable table: which rows a status means at a given time, whose rows a
//! list scope shows, and a page of rows ranked by a search or sorted.
//!
//! Diesel's column types differ from table to table, so these are macros over
//! the table's name; each resource adds its own filters around them.

/// A boxed condition (`Box<dyn BoxableExpression<…, SqlType = Bool>>`) on
/// `$table`: its rows in `$status` as readers see it at `$now` — `published`
/// means published with its time come, `scheduled` published with its time
/// still ahead.
macro_rules! in_status {
    ($table:ident, $status:expr, $now:expr) => {{
        use diesel::prelude::*;
        use $crate::review::Status;
        let now: chrono::NaiveDateTime = $now;
        let published = $table::status
            .eq("published")
            .and($table::published_at.is_not_null());
        let condition: Box<
            dyn BoxableExpression<
                    $table::table,
                    $crate::db::MultiBackend,
                    SqlType = diesel::sql_types::Bool,
                >,
        > = match $status {
            Status::Published => {
                Box::new(published.and($table::published_at.assume_not_null().le(now)))
            }
            Status::Scheduled => {
                Box::new(published.and($table::published_at.assume_not_null().gt(now)))
            }
            other => Box::new($table::status.eq(other.stored())),
        };
        condition
    }};
}

/// `$query` (a boxed query on `$table`) narrowed to a list's scope (the
/// public's, one submitter's, or everything for the staff) and, if given, to
/// the rows in any of `$status` (an `Option<Vec<Status>>`).
macro_rules! in_scope {
    ($query:expr, $table:ident, $scope:expr, $status:expr, $now:expr) => {{
        use diesel::prelude::*;
        use $crate::review::ListScope;
        let now: chrono::NaiveDateTime = $now;
        let query = match $scope {
            ListScope::Public => $query.filter($crate::review::queries::in_status!(
                $table,
                $crate::review::Status::Published,
                now
            )),
            ListScope::Mine(user) => $query.filter($table::submitted_by.eq(user)),
            ListScope::Review => $query,
        };
        match &$status {
            Some(statuses) => {
                let mut any = statuses
                    .iter()
                    .map(|s| $crate::review::queries::in_status!($table, *s, now));
                match any.next() {
                    Some(first) => query.filter(any.fold(first, |acc, c| Box::new(acc.or(c)))),
                    None => query,
                }
            }
            None => query,
        }
    }};
}

/// Declares `pub fn list(conn, filters, paged, by_relevance, now)`: one page
/// of `$row`s of `$table` and their total. The caller's module provides
/// `fn filtered(&Filters, Backend, NaiveDateTime) -> $table::BoxedQuery` and
/// a `Filters` with the search text in `q`. With `by_relevance` and a `q`,
/// the search's rank orders the page first (SQLite ranks in FTS5, then
/// keeps the rows the filters allow); then the page's sort, whose fields map
/// to columns as given (anything else to `$default`), then the id, `$tie`.
macro_rules! review_list {
    (
        table: $table:ident,
        row: $row:ty,
        sort: { $($name:literal => $column:ident),* $(,)? },
        default: $default:ident,
        tie: $tie:ident $(,)?
    ) => {
        /// A page of rows and the total; see `review::queries::review_list!`.
        pub fn list(
            conn: &mut $crate::db::AnyConnection,
            f: &Filters,
            paged: &$crate::http::PageRequest,
            by_relevance: bool,
            now: chrono::NaiveDateTime,
        ) -> diesel::QueryResult<(Vec<$row>, i64)> {
            use diesel::prelude::*;
            use $crate::config::Backend;
            use $crate::db::search;
            let backend = conn.backend();
            let table = stringify!($table);
            if by_relevance
                && backend == Backend::Sqlite
                && let Some(q) = &f.q
            {
                let by_rank = search::sqlite_ranked_ids(conn, table, q, &[])?;
                let allowed = filtered(f, backend, now).select($table::id).load(conn)?;
                let (page, total) = search::rank_page(by_rank, allowed, paged.offset, paged.fetch());
                let rows = $table::table
                    .filter($table::id.eq_any(&page))
                    .select(<$row as Selectable<$crate::db::MultiBackend>>::construct_selection())
                    .load::<$row>(conn)?;
                return Ok((search::in_order(rows, &page, |r| r.id), total));
            }
            let total = filtered(f, backend, now).count().get_result(conn)?;
            let mut query = filtered(f, backend, now);
            if by_relevance
                && let Some(q) = &f.q
                && let Some(rank) = search::rank(backend, table, q)
            {
                query = query.then_order_by(rank);
            }
            for s in &paged.sort {
                query = match (s.field.as_str(), s.descending) {
                    $(
                        ($name, false) => query.then_order_by($table::$column.asc()),
                        ($name, true) => query.then_order_by($table::$column.desc()),
                    )*
                    (_, false) => query.then_order_by($table::$default.asc()),
                    (_, true) => query.then_order_by($table::$default.desc()),
                };
            }
            let rows = query
                .then_order_by($table::id.$tie())
                .limit(paged.fetch())
                .offset(paged.offset)
                .select(<$row as Selectable<$crate::db::MultiBackend>>::construct_selection())
                .load::<$row>(conn)?;
            Ok((rows, total))
        }
    };
}

pub(crate) use {in_scope, in_status, review_list};
