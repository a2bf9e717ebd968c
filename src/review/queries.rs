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

/// Declares, for a reviewable resource's list:
///
/// - `pub fn page(conn, filters, paged, by_relevance, now, totals, generation)`:
///   one page of `$row`s of `$table`, with its total (remembered in `totals`
///   until a write or the time the resource's `until` foresees) and a keyset
///   cursor to the next page (an offset one when ranked by relevance);
/// - `pub fn list(conn, filters, paged, by_relevance, now)`: the page's rows alone.
///
/// The caller's module provides `fn filtered(&Filters, Backend, NaiveDateTime)
/// -> $table::BoxedQuery`, `fn until(conn, &Filters, now)` (when the total
/// may change without a write), `fn total_key(&Filters, now)` (the filters
/// as a text, without the time) and a `Filters` with the search text in `q`.
/// With `by_relevance` and a `q`, the search's rank orders the page (the
/// newest matches ranked, then the older ones: `db::search::ranked_page`).
/// Otherwise the page's sort, whose fields map to columns as given, each
/// with the kind of its values (`time`, `opt_time` — NULLs last on both
/// backends — or `text`) and where the row holds it, then the id, `$tie`.
macro_rules! review_list {
    (
        table: $table:ident,
        row: $row:ty,
        sort: { $($name:literal => $column:ident: $kind:ident @ $($path:ident).+),* $(,)? },
        default: $default:ident: $default_kind:ident @ $($default_path:ident).+,
        tie: $tie:ident $(,)?
    ) => {
        /// A page of rows with its total and next cursor; see `review::queries::review_list!`.
        #[allow(clippy::too_many_arguments)]
        pub fn page(
            conn: &mut $crate::db::AnyConnection,
            f: &Filters,
            paged: &$crate::http::PageRequest,
            by_relevance: bool,
            now: chrono::NaiveDateTime,
            totals: &$crate::db::totals::Totals,
            generation: u64,
        ) -> $crate::error::AppResult<$crate::http::Page<$row>> {
            use diesel::prelude::*;
            let ranked = by_relevance && f.q.is_some();
            if !ranked
                && let Some(key) = &paged.after
                && keyset(paged, key).is_none()
            {
                return Err($crate::http::pagination::invalid_cursor());
            }
            let rows = list(conn, f, paged, by_relevance, now)?;
            let total = totals.get_or_count(&total_key(f, now), generation, now, || {
                let total: i64 = filtered(f, conn.backend(), now).count().get_result(conn)?;
                Ok::<_, diesel::result::Error>((total, until(conn, f, now)?))
            })?;
            Ok(if ranked {
                $crate::http::Page::new(paged, rows, total)
            } else {
                $crate::http::Page::keyed(paged, rows, total, |r| sort_key(r, paged))
            })
        }

        /// The sort key of `row` in a list: what a keyset cursor carries.
        fn sort_key(
            row: &$row,
            paged: &$crate::http::PageRequest,
        ) -> Vec<$crate::http::pagination::KeyValue> {
            let mut key = Vec::new();
            for s in &paged.sort {
                match s.field.as_str() {
                    $( $name => $crate::review::queries::key_value!($kind, key, row.$($path).+), )*
                    _ => $crate::review::queries::key_value!($default_kind, key, row.$($default_path).+),
                }
            }
            key.push($crate::http::pagination::KeyValue::Int(row.id));
            key
        }

        /// The rows after `key` in the list's order; `None` when the key
        /// does not fit the list.
        fn keyset(
            paged: &$crate::http::PageRequest,
            key: &[$crate::http::pagination::KeyValue],
        ) -> Option<
            Box<
                dyn diesel::expression::BoxableExpression<
                        $table::table,
                        $crate::db::MultiBackend,
                        SqlType = diesel::sql_types::Bool,
                    >,
            >,
        > {
            use diesel::prelude::*;
            type Condition = Box<
                dyn diesel::expression::BoxableExpression<
                        $table::table,
                        $crate::db::MultiBackend,
                        SqlType = diesel::sql_types::Bool,
                    >,
            >;
            // (equal to the key here, after the key here) for each part of the order
            let mut parts: Vec<(Condition, Condition)> = Vec::new();
            let mut values = key.iter();
            for s in &paged.sort {
                let desc = s.descending;
                match s.field.as_str() {
                    $( $name => $crate::review::queries::key_part!($kind, $table::$column, values, desc, parts), )*
                    _ => $crate::review::queries::key_part!($default_kind, $table::$default, values, desc, parts),
                }
            }
            let $crate::http::pagination::KeyValue::Int(id) = values.next()? else {
                return None;
            };
            if values.next().is_some() {
                return None;
            }
            let id = *id;
            let mut after: Condition = $crate::review::queries::tie_after!($tie, $table::id, id);
            for (equal, past) in parts.into_iter().rev() {
                after = Box::new(past.or(equal.and(after)));
            }
            Some(after)
        }

        /// A page of rows; see `review::queries::review_list!`.
        pub fn list(
            conn: &mut $crate::db::AnyConnection,
            f: &Filters,
            paged: &$crate::http::PageRequest,
            by_relevance: bool,
            now: chrono::NaiveDateTime,
        ) -> diesel::QueryResult<Vec<$row>> {
            use diesel::prelude::*;
            use $crate::db::search;
            let backend = conn.backend();
            let table = stringify!($table);
            let by_ids = |conn: &mut $crate::db::AnyConnection, ids: &[i64]| {
                let rows = $table::table
                    .filter($table::id.eq_any(ids))
                    .select(<$row as Selectable<$crate::db::MultiBackend>>::construct_selection())
                    .load::<$row>(conn)?;
                Ok::<_, diesel::result::Error>(search::in_order(rows, ids, |r| r.id))
            };
            if by_relevance && let Some(q) = &f.q {
                let mut newest = |c: &mut $crate::db::AnyConnection, offset: i64, limit: i64| {
                    filtered(f, backend, now)
                        .select($table::id)
                        .order($table::id.desc())
                        .offset(offset)
                        .limit(limit)
                        .load::<i64>(c)
                };
                let page = search::ranked_page(
                    conn, table, q, &[], &mut newest, paged.offset, paged.fetch(),
                )?;
                return by_ids(conn, &page);
            }
            let mut query = filtered(f, backend, now);
            for s in &paged.sort {
                let desc = s.descending;
                query = match s.field.as_str() {
                    $( $name => $crate::review::queries::order_by!($kind, query, $table::$column, desc), )*
                    _ => $crate::review::queries::order_by!($default_kind, query, $table::$default, desc),
                };
            }
            query = query.then_order_by($table::id.$tie());
            if let Some(key) = &paged.after {
                let Some(after) = keyset(paged, key) else {
                    return Ok(Vec::new());
                };
                return query
                    .filter(after)
                    .limit(paged.fetch())
                    .select(<$row as Selectable<$crate::db::MultiBackend>>::construct_selection())
                    .load::<$row>(conn);
            }
            if paged.offset == 0 {
                return query
                    .limit(paged.fetch())
                    .select(<$row as Selectable<$crate::db::MultiBackend>>::construct_selection())
                    .load::<$row>(conn);
            }
            // a deep page: the ids first, skipped along the index alone,
            // then only the page's rows
            let ids: Vec<i64> = query
                .select($table::id)
                .limit(paged.fetch())
                .offset(paged.offset)
                .load(conn)?;
            by_ids(conn, &ids)
        }
    };
}

/// Orders `$query` by `$column` (of kind `time`, `opt_time` or `text`):
/// NULLs last, in either direction, on both backends.
macro_rules! order_by {
    (opt_time, $query:expr, $column:expr, $desc:expr) => {{
        let q = $query.then_order_by($column.is_null());
        if $desc {
            q.then_order_by($column.desc())
        } else {
            q.then_order_by($column.asc())
        }
    }};
    ($kind:ident, $query:expr, $column:expr, $desc:expr) => {
        if $desc {
            $query.then_order_by($column.desc())
        } else {
            $query.then_order_by($column.asc())
        }
    };
}

/// Pushes the cursor values of `$value` (of kind `time`, `opt_time` or
/// `text`) onto `$key`: for `opt_time`, whether it is missing, then the time.
macro_rules! key_value {
    (time, $key:ident, $value:expr) => {
        $key.push($crate::http::pagination::KeyValue::time($value))
    };
    (opt_time, $key:ident, $value:expr) => {{
        $key.push($crate::http::pagination::KeyValue::Int(
            $value.is_none() as i64
        ));
        $key.push($crate::http::pagination::KeyValue::opt_time($value));
    }};
    (text, $key:ident, $value:expr) => {
        $key.push($crate::http::pagination::KeyValue::Text($value.clone()))
    };
}

/// Pushes onto `$parts` the conditions "equal to the key" and "after the
/// key" for `$column`, taking its values from `$values` (see `key_value!`);
/// returns `None` from the enclosing function when they do not fit.
macro_rules! key_part {
    (text, $column:expr, $values:ident, $desc:expr, $parts:ident) => {{
        let $crate::http::pagination::KeyValue::Text(t) = $values.next()? else {
            return None;
        };
        let past: Condition = if $desc {
            Box::new($column.lt(t.clone()))
        } else {
            Box::new($column.gt(t.clone()))
        };
        $parts.push((Box::new($column.eq(t.clone())), past));
    }};
    (time, $column:expr, $values:ident, $desc:expr, $parts:ident) => {{
        let t = $values.next()?.as_time()?;
        let past: Condition = if $desc {
            Box::new($column.lt(t))
        } else {
            Box::new($column.gt(t))
        };
        $parts.push((Box::new($column.eq(t)), past));
    }};
    (opt_time, $column:expr, $values:ident, $desc:expr, $parts:ident) => {{
        // NULLs come last: dated rows first, then the undated ones together
        let missing = match $values.next()? {
            $crate::http::pagination::KeyValue::Int(0) => false,
            $crate::http::pagination::KeyValue::Int(1) => true,
            _ => return None,
        };
        let never: Condition = Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("1 = 0"));
        if missing {
            $parts.push((Box::new($column.is_null()), never));
            if !matches!($values.next()?, $crate::http::pagination::KeyValue::Null) {
                return None;
            }
        } else {
            $parts.push((Box::new($column.is_not_null()), Box::new($column.is_null())));
            let t = $values.next()?.as_time()?;
            let at = $column.assume_not_null();
            let past: Condition = if $desc {
                Box::new(at.lt(t))
            } else {
                Box::new(at.gt(t))
            };
            $parts.push((Box::new(at.eq(t)), past));
        }
    }};
}

/// After the id `$id` in `$tie` (`asc` or `desc`) order.
macro_rules! tie_after {
    (asc, $column:expr, $id:expr) => {
        Box::new($column.gt($id))
    };
    (desc, $column:expr, $id:expr) => {
        Box::new($column.lt($id))
    };
}

pub(crate) use {in_scope, in_status, key_part, key_value, order_by, review_list, tie_after};
