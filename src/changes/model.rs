use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::changes;

#[derive(Debug, Clone, Queryable)]
pub struct ChangeRow {
    pub seq: i64,
    pub kind: String,
    pub resource_type: String,
    pub resource_id: i64,
    pub resource_slug: Option<String>,
    pub paths: String,
    pub data: String,
    pub occurred_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = changes)]
pub struct NewChange {
    pub kind: String,
    pub resource_type: String,
    pub resource_id: i64,
    pub resource_slug: Option<String>,
    pub paths: String,
    pub data: String,
    pub occurred_at: NaiveDateTime,
}
