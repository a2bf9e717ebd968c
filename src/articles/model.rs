use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::articles;
use crate::review::Status;

#[derive(Debug, Clone, Queryable)]
pub struct ArticleRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub lead: String,
    pub body: String,
    pub body_html: String,
    pub section_id: Option<i64>,
    pub cover_url: Option<String>,
    pub cover_alt: Option<String>,
    pub cover_caption: Option<String>,
    pub cover_credit: Option<String>,
    pub video_url: Option<String>,
    pub status: String,
    pub rejection_reason: Option<String>,
    pub allow_comments: bool,
    pub comment_count: i32,
    pub created_by: Option<i64>,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl ArticleRow {
    /// The status as readers see it at `now` (`scheduled` until its time comes).
    pub fn status(&self, now: NaiveDateTime) -> Status {
        Status::shown(&self.status, self.published_at, now)
    }

    pub fn is_public(&self, now: NaiveDateTime) -> bool {
        self.status(now) == Status::Published
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = articles)]
pub struct NewArticle {
    pub slug: String,
    pub title: String,
    pub lead: String,
    pub body: String,
    pub body_html: String,
    pub section_id: Option<i64>,
    pub cover_url: Option<String>,
    pub cover_alt: Option<String>,
    pub cover_caption: Option<String>,
    pub cover_credit: Option<String>,
    pub video_url: Option<String>,
    pub status: String,
    pub rejection_reason: Option<String>,
    pub allow_comments: bool,
    pub created_by: Option<i64>,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A saved change; `None` leaves a column as it is.
#[derive(Debug, Default, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = articles)]
pub struct ArticleChanges {
    pub slug: Option<String>,
    pub title: Option<String>,
    pub lead: Option<String>,
    pub body: Option<String>,
    pub body_html: Option<String>,
    pub section_id: Option<Option<i64>>,
    pub cover_url: Option<Option<String>>,
    pub cover_alt: Option<Option<String>>,
    pub cover_caption: Option<Option<String>>,
    pub cover_credit: Option<Option<String>>,
    pub video_url: Option<Option<String>>,
    pub status: Option<String>,
    pub rejection_reason: Option<Option<String>>,
    pub allow_comments: Option<bool>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Queryable)]
pub struct RevisionRow {
    pub id: i64,
    pub article_id: i64,
    pub version: i32,
    pub snapshot: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}
