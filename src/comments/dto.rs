use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::FieldError;
use crate::http::validate::{Errors, Validate, is_plausible_email};
use crate::ids::{ArticleId, CommentId, UserId};

/// The state of a comment. Only `approved` comments are public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommentStatus {
    /// Waiting in the moderation queue.
    Pending,
    Approved,
    Rejected,
    Spam,
    /// Deleted, kept as a placeholder for its replies (read-only).
    Deleted,
}

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Pending => "pending",
            CommentStatus::Approved => "approved",
            CommentStatus::Rejected => "rejected",
            CommentStatus::Spam => "spam",
            CommentStatus::Deleted => "deleted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            CommentStatus::Pending,
            CommentStatus::Approved,
            CommentStatus::Rejected,
            CommentStatus::Spam,
            CommentStatus::Deleted,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// A moderator's decision: the state to put a comment in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Back to the queue.
    Pending,
    Approved,
    Rejected,
    Spam,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Pending => "pending",
            Decision::Approved => "approved",
            Decision::Rejected => "rejected",
            Decision::Spam => "spam",
        }
    }
}

/// Who wrote a comment, as readers see it (a guest's e-mail is never shown).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentAuthor {
    /// The member's id; null for a guest or a deleted account.
    pub id: Option<UserId>,
    #[schema(example = "Claire M.")]
    pub display_name: String,
    pub avatar_url: Option<String>,
    /// Whether the author is a guest without an account.
    pub guest: bool,
}

/// The article a comment is under, in the moderation queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleRef {
    pub id: ArticleId,
    pub slug: String,
    pub title: String,
}

/// A comment. Placeholders (`deleted: true`) keep a thread's shape: they have
/// no author and no body. The fields after `edited_at` are shown only to the
/// author (in answers to their own requests) and to moderators.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comment {
    pub id: CommentId,
    pub article_id: ArticleId,
    /// The comment this one hangs under; null at the top level.
    pub parent_id: Option<CommentId>,
    /// The comment the reader answered (differs from `parent_id` when the
    /// reply was attached higher up because of the depth limit).
    pub in_reply_to: Option<CommentId>,
    /// 0 at the top level, at most 3.
    #[schema(minimum = 0, maximum = 3)]
    pub depth: i32,
    /// A placeholder for a comment deleted or withdrawn from view that has replies.
    pub deleted: bool,
    pub author: Option<CommentAuthor>,
    /// The text as sanitized HTML (links carry `rel="nofollow ugc noopener"`).
    pub body_html: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the author last changed the text.
    pub edited_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<CommentStatus>,
    /// The text as written (author and moderators).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Why the comment waits in the queue: `pre_moderation`, `blocked_words`,
    /// `links`, `flags`, `moderator` (requeued by a moderator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_reason: Option<String>,
    /// Until when the author may edit the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub editable_until: Option<DateTime<Utc>>,
    /// Moderators only: a guest's e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest_email: Option<String>,
    /// Moderators only: readers' flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag_count: Option<i32>,
    /// Moderators only: the article.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article: Option<ArticleRef>,
    /// Author and moderators: an edit waiting for a moderator (pre-moderation);
    /// `body_html` above is what readers see until it is approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_edit: Option<PendingEdit>,
}

/// An author's edit of an approved comment, waiting for a moderator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PendingEdit {
    /// The new text as written.
    pub body: String,
    /// The new text as sanitized HTML.
    pub body_html: String,
    pub submitted_at: DateTime<Utc>,
}

/// A top-level comment with all its visible replies.
#[derive(Debug, Serialize, ToSchema)]
pub struct Thread {
    #[serde(flatten)]
    pub comment: Comment,
    /// Every visible reply of the thread, at any depth, oldest first; each
    /// names its `parent_id` and `depth`, so a client nests them in one pass.
    pub replies: Vec<Comment>,
}

pub const THREAD_SORTABLE: [&str; 1] = ["created_at"];
pub const QUEUE_SORTABLE: [&str; 1] = ["created_at"];

/// The thread list takes no filter beyond pagination and `sort`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadFilters {
    /// Delta sync: only threads one of whose comments changed (written,
    /// edited, approved, withdrawn) after this time (RFC 3339), each whole.
    /// `GET /deletions?since=&type=comment` tells which comments left the public.
    pub updated_after: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueFilters {
    /// Comma-separated states (`pending`, `approved`, `rejected`, `spam`,
    /// `deleted`); `pending` when absent.
    #[param(
        example = "pending,spam",
        pattern = "^[\\s,]*(pending|approved|rejected|spam|deleted)(\\s*,[\\s,]*(pending|approved|rejected|spam|deleted))*[\\s,]*$"
    )]
    pub status: Option<String>,
    /// The article's id or slug.
    pub article: Option<String>,
    /// The author's user id.
    pub author: Option<UserId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostComment {
    /// Plain text with a small Markdown subset (emphasis, quotes, lists,
    /// code, links); HTML is not interpreted. At most
    /// `KIOSQUE_COMMENTS_MAX_LENGTH` characters.
    #[schema(
        example = "Merci pour cet article très clair.",
        min_length = 1,
        max_length = 100000
    )]
    pub body: String,
    /// The comment answered, under the same article.
    pub parent_id: Option<CommentId>,
    /// Guests only (required from them): the name shown.
    #[schema(example = "Camille", min_length = 2, max_length = 80)]
    pub guest_name: Option<String>,
    /// Guests only (required from them): never shown publicly.
    #[schema(example = "camille@example.org", format = Email)]
    pub guest_email: Option<String>,
}

impl Validate for PostComment {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("body", &self.body, 1, 100_000);
        e.opt_text("guest_name", self.guest_name.as_deref(), 2, 80);
        if let Some(email) = &self.guest_email
            && !is_plausible_email(email.trim())
        {
            e.add("guest_email", "must be an e-mail address");
        }
        e.finish()
    }
}

/// The author changes the text, or a moderator the state (either, or both
/// when the caller may do both).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateComment {
    #[schema(min_length = 1, max_length = 100000)]
    pub body: Option<String>,
    pub status: Option<Decision>,
}

impl Validate for UpdateComment {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.opt_text("body", self.body.as_deref(), 1, 100_000);
        if self.body.is_none() && self.status.is_none() {
            e.add("", "give `body` or `status`");
        }
        e.finish()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDecision {
    /// 1 to 100 comments, all decided in one transaction (none when one is unknown).
    #[schema(min_items = 1, max_items = 100)]
    pub ids: Vec<CommentId>,
    pub status: Decision,
}

impl Validate for BulkDecision {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        if self.ids.is_empty() || self.ids.len() > 100 {
            e.add("ids", "give 1 to 100 comment ids");
        }
        e.finish()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    /// The comments decided, in their new state.
    pub data: Vec<Comment>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagComment {
    /// Why the comment should be looked at.
    #[schema(example = "Propos injurieux", min_length = 1, max_length = 500)]
    pub reason: String,
}

impl Validate for FlagComment {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("reason", &self.reason, 1, 500);
        e.finish()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlagReceipt {
    pub comment_id: CommentId,
    /// Whether this flag sent the comment back to the moderation queue.
    pub queued: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BanRequest {
    /// End of the ban; absent or null: permanent.
    pub until: Option<DateTime<Utc>>,
    #[schema(min_length = 1, max_length = 500)]
    pub reason: Option<String>,
}

impl Validate for BanRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.opt_text("reason", self.reason.as_deref(), 1, 500);
        e.finish()
    }
}

/// A member's standing as a commenter.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentBan {
    pub user_id: UserId,
    pub banned: bool,
    /// Null with `banned`: permanent.
    pub until: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    /// Comments of this member approved so far.
    pub approved_count: i32,
}
