use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{comment_flags, comments};

pub const PENDING: &str = "pending";
pub const APPROVED: &str = "approved";
pub const REJECTED: &str = "rejected";
pub const DELETED: &str = "deleted";

#[derive(Debug, Clone, Queryable)]
pub struct CommentRow {
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub thread_id: Option<i64>,
    pub in_reply_to_id: Option<i64>,
    pub depth: i32,
    pub author_id: Option<i64>,
    pub guest_name: Option<String>,
    pub guest_email: Option<String>,
    pub body: String,
    pub body_html: String,
    pub status: String,
    pub held_reason: Option<String>,
    pub ever_approved: bool,
    pub flag_count: i32,
    pub ip: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    /// An edit waiting for a moderator; `body` stays the approved text.
    pub pending_body: Option<String>,
    pub pending_since: Option<NaiveDateTime>,
}

impl CommentRow {
    pub fn approved(&self) -> bool {
        self.status == APPROVED
    }
    pub fn deleted(&self) -> bool {
        self.status == DELETED
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = comments)]
pub struct NewComment {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub thread_id: Option<i64>,
    pub in_reply_to_id: Option<i64>,
    pub depth: i32,
    pub author_id: Option<i64>,
    pub guest_name: Option<String>,
    pub guest_email: Option<String>,
    pub body: String,
    pub body_html: String,
    /// Always `pending` on insert: the state is then set by a transition.
    pub status: String,
    pub held_reason: Option<String>,
    pub ip: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = comment_flags)]
pub struct NewFlag {
    pub comment_id: i64,
    pub flagger_key: String,
    pub user_id: Option<i64>,
    pub reason: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable)]
pub struct StandingRow {
    pub user_id: i64,
    pub approved_count: i32,
    pub banned: bool,
    pub banned_until: Option<NaiveDateTime>,
    pub ban_reason: Option<String>,
    pub banned_by: Option<i64>,
    pub updated_at: NaiveDateTime,
}

impl StandingRow {
    /// Whether the ban holds at `now` (a ban without end always does).
    pub fn banned_at(&self, now: NaiveDateTime) -> bool {
        self.banned && self.banned_until.is_none_or(|t| t > now)
    }
}

impl CommentRow {
    /// The change `comment.<what>`: its article's comments and the article
    /// (its comment count). Never the text, nor who wrote it.
    pub fn change(&self, what: &str, now: NaiveDateTime) -> crate::changes::Change {
        crate::changes::Change::new("comment", what, self.id, now)
            .paths([
                format!("/api/v1/articles/{}/comments", self.article_id),
                format!("/api/v1/articles/{}", self.article_id),
            ])
            // the thread, and the article's comment count (in lists too)
            .keys([
                format!("thread:article:{}", self.article_id),
                format!("article:{}", self.article_id),
            ])
            .datum("article_id", self.article_id.to_string())
            .datum("status", self.status.clone())
    }
}
