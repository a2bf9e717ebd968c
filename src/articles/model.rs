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
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub canonical_url: Option<String>,
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

/// What a list shows of an article: everything but the body, its HTML and
/// the review's notes, so that a page never reads (nor de-TOASTs) bodies.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleListRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub lead: String,
    pub section_id: Option<i64>,
    pub cover_url: Option<String>,
    pub cover_alt: Option<String>,
    pub cover_caption: Option<String>,
    pub cover_credit: Option<String>,
    pub video_url: Option<String>,
    pub status: String,
    pub allow_comments: bool,
    pub comment_count: i32,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

impl ArticleListRow {
    pub fn status(&self, now: NaiveDateTime) -> Status {
        Status::shown(&self.status, self.published_at, now)
    }
}

impl From<&ArticleRow> for ArticleListRow {
    fn from(r: &ArticleRow) -> Self {
        Self {
            id: r.id,
            slug: r.slug.clone(),
            title: r.title.clone(),
            lead: r.lead.clone(),
            section_id: r.section_id,
            cover_url: r.cover_url.clone(),
            cover_alt: r.cover_alt.clone(),
            cover_caption: r.cover_caption.clone(),
            cover_credit: r.cover_credit.clone(),
            video_url: r.video_url.clone(),
            status: r.status.clone(),
            allow_comments: r.allow_comments,
            comment_count: r.comment_count,
            published_at: r.published_at,
            updated_at: r.updated_at,
        }
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
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub canonical_url: Option<String>,
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
    pub seo_title: Option<Option<String>>,
    pub seo_description: Option<Option<String>>,
    pub canonical_url: Option<Option<String>>,
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
