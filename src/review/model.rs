//! The rows of a reviewable table as the shared handlers see them.
//!
//! Every reviewable table has the same review columns (`status`,
//! `rejection_reason`, `published_at`, `submitted_by`, `created_at`,
//! `updated_at`) next to its own. [`review_model!`] declares, for one table,
//! the row, the insert and the changeset from the resource's own columns (one
//! struct, embedded) and those review columns (written here, once).

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::AnyConnection;
use crate::ids::UserId;
use crate::status::{Status, StatusChange};

/// A stored item in the review workflow, and how to read and write its row.
/// [`review_model!`] implements it.
pub trait ReviewRow: Clone + Send + Sized + 'static {
    /// Every editable column: a request is merged into the current values,
    /// then all of them are written back.
    type Changes: ReviewChanges;
    type New: Send + 'static;

    fn id(&self) -> i64;
    fn stored_status(&self) -> &str;
    fn published_at(&self) -> Option<NaiveDateTime>;
    /// Who owns the item for the policy: its submitter.
    fn owners(&self) -> Vec<UserId>;
    /// The editable columns as they are.
    fn changes(&self) -> Self::Changes;
    fn new_row(changes: Self::Changes, submitted_by: Option<i64>, now: NaiveDateTime) -> Self::New;

    fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Self>;
    fn insert(conn: &mut AnyConnection, new: &Self::New) -> QueryResult<Self>;
    fn update(conn: &mut AnyConnection, id: i64, changes: &Self::Changes) -> QueryResult<Self>;
    fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize>;

    /// The status as readers see it at `now` (`scheduled` until its time comes).
    fn status(&self, now: NaiveDateTime) -> Status {
        Status::shown(self.stored_status(), self.published_at(), now)
    }

    /// Published and its publication time come.
    fn is_live(&self, now: NaiveDateTime) -> bool {
        Status::is_live(self.stored_status(), self.published_at(), now)
    }
}

/// The review columns of a changeset, for the shared handlers.
pub trait ReviewChanges: Send + 'static {
    fn stored_status(&self) -> &str;
    fn published_at(&self) -> Option<NaiveDateTime>;
    fn set_status(&mut self, change: StatusChange);
    /// Marks the change as made at `now`.
    fn touch(&mut self, now: NaiveDateTime);
}

/// Declares a reviewable table's row (`row`), insert (`new`) and changeset
/// (`changes`) from the resource's own columns (`fields`, a struct deriving
/// `Queryable`, `Selectable`, `Insertable` and `AsChangeset` for the table),
/// plus a `Review` struct holding the review columns that change with each
/// write; and implements [`ReviewRow`] for the row.
///
/// Rows are read by column name (`Selectable`), so the embedded structs need
/// not follow the table's column order. MultiConnection refuses
/// `as_returning()`, so reads and `RETURNING` name the same columns through
/// `construct_selection()` instead.
macro_rules! review_model {
    (table: $table:ident, fields: $fields:ty, row: $row:ident, new: $new:ident, changes: $changes:ident $(,)?) => {
        /// The review columns that every write sets.
        #[derive(
            Debug,
            Clone,
            diesel::Queryable,
            diesel::Selectable,
            diesel::Insertable,
            diesel::AsChangeset,
        )]
        #[diesel(table_name = $table, treat_none_as_null = true)]
        pub struct Review {
            pub status: String,
            pub rejection_reason: Option<String>,
            pub published_at: Option<chrono::NaiveDateTime>,
            pub updated_at: chrono::NaiveDateTime,
        }

        #[derive(Debug, Clone, diesel::Queryable, diesel::Selectable)]
        #[diesel(table_name = $table)]
        pub struct $row {
            pub id: i64,
            #[diesel(embed)]
            pub fields: $fields,
            #[diesel(embed)]
            pub review: Review,
            pub submitted_by: Option<i64>,
            pub created_at: chrono::NaiveDateTime,
        }

        /// A whole version of the editable columns: the handler merges the
        /// request into the current row, then writes every field back.
        #[derive(Debug, Clone, diesel::Insertable, diesel::AsChangeset)]
        #[diesel(table_name = $table)]
        pub struct $changes {
            #[diesel(embed)]
            pub fields: $fields,
            #[diesel(embed)]
            pub review: Review,
        }

        /// A new row: its editable columns, and who submitted it when.
        #[derive(Debug, diesel::Insertable)]
        #[diesel(table_name = $table)]
        pub struct $new {
            #[diesel(embed)]
            pub changes: $changes,
            pub submitted_by: Option<i64>,
            pub created_at: chrono::NaiveDateTime,
        }

        impl $crate::review::model::ReviewChanges for $changes {
            fn stored_status(&self) -> &str {
                &self.review.status
            }
            fn published_at(&self) -> Option<chrono::NaiveDateTime> {
                self.review.published_at
            }
            fn set_status(&mut self, change: $crate::review::StatusChange) {
                self.review.status = change.status.to_string();
                self.review.published_at = change.published_at;
                self.review.rejection_reason = change.rejection_reason;
            }
            fn touch(&mut self, now: chrono::NaiveDateTime) {
                self.review.updated_at = now;
            }
        }

        impl $crate::review::model::ReviewRow for $row {
            type Changes = $changes;
            type New = $new;

            fn id(&self) -> i64 {
                self.id
            }
            fn stored_status(&self) -> &str {
                &self.review.status
            }
            fn published_at(&self) -> Option<chrono::NaiveDateTime> {
                self.review.published_at
            }
            fn owners(&self) -> Vec<$crate::ids::UserId> {
                self.submitted_by
                    .map($crate::ids::UserId)
                    .into_iter()
                    .collect()
            }
            fn changes(&self) -> $changes {
                $changes {
                    fields: self.fields.clone(),
                    review: self.review.clone(),
                }
            }
            fn new_row(c: $changes, submitted_by: Option<i64>, now: chrono::NaiveDateTime) -> $new {
                $new {
                    changes: c,
                    submitted_by,
                    created_at: now,
                }
            }

            fn find(conn: &mut $crate::db::AnyConnection, id: i64) -> diesel::QueryResult<Self> {
                use diesel::prelude::*;
                $table::table
                    .find(id)
                    .select(<$row as Selectable<$crate::db::MultiBackend>>::construct_selection())
                    .first(conn)
            }
            fn insert(
                conn: &mut $crate::db::AnyConnection,
                new: &$new,
            ) -> diesel::QueryResult<Self> {
                use diesel::prelude::*;
                diesel::insert_into($table::table)
                    .values(new)
                    .returning(
                        <$row as Selectable<$crate::db::MultiBackend>>::construct_selection(),
                    )
                    .get_result(conn)
            }
            fn update(
                conn: &mut $crate::db::AnyConnection,
                id: i64,
                changes: &$changes,
            ) -> diesel::QueryResult<Self> {
                use diesel::prelude::*;
                diesel::update($table::table.find(id))
                    .set(changes)
                    .returning(
                        <$row as Selectable<$crate::db::MultiBackend>>::construct_selection(),
                    )
                    .get_result(conn)
            }
            fn delete(conn: &mut $crate::db::AnyConnection, id: i64) -> diesel::QueryResult<usize> {
                use diesel::prelude::*;
                diesel::delete($table::table.find(id)).execute(conn)
            }
        }
    };
}

pub(crate) use review_model;
