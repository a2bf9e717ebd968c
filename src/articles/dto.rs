use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::FieldError;
use crate::http::json::nullable;
use crate::http::validate::{Errors, Validate};
use crate::ids::{ArticleId, PollId, RevisionId, SectionId, TagId, UserId};
use crate::review::Status;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionRef {
    pub id: SectionId,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagRef {
    pub id: TagId,
    pub slug: String,
    pub name: String,
}

/// An author as shown on an article ("Par Léa Martin").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorRef {
    pub id: UserId,
    /// Address of the public profile (`/authors/{slug}`), when the author has one.
    pub slug: Option<String>,
    pub display_name: String,
    pub avatar_url: Option<String>,
}

/// A cover image with its alt text, caption and credit (©).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Cover {
    #[schema(
        example = "https://cdn.example-news.fr/2026/11/usine.jpg",
        format = "uri",
        max_length = 2000,
        pattern = "^https://[^/?#@\\s]+([/?#]\\S*)?$"
    )]
    pub url: String,
    /// Text alternative for readers who do not see the image.
    #[schema(min_length = 1, max_length = 300)]
    pub alt: String,
    #[schema(max_length = 500)]
    pub caption: Option<String>,
    #[schema(example = "© Photo : J. Dupont", max_length = 200)]
    pub credit: Option<String>,
}

impl Cover {
    fn check(&self, e: &mut Errors) {
        e.url("cover.url", &self.url, false);
        e.text("cover.alt", &self.alt, 1, 300);
        e.opt_text("cover.caption", self.caption.as_deref(), 0, 500);
        e.opt_text("cover.credit", self.credit.as_deref(), 0, 200);
    }
}

/// An article in a list: everything but the body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleSummary {
    pub id: ArticleId,
    #[schema(example = "de-l-usine-a-projets-a-l-usine-a-produits")]
    pub slug: String,
    pub title: String,
    /// The chapô.
    pub lead: String,
    pub section: Option<SectionRef>,
    pub tags: Vec<TagRef>,
    pub authors: Vec<AuthorRef>,
    pub cover: Option<Cover>,
    /// An https video to embed.
    pub video_url: Option<String>,
    /// `scheduled` is a published article whose `published_at` is still to come.
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    /// Last change of the content ("Mis à jour le …").
    pub updated_at: DateTime<Utc>,
    pub comment_count: i32,
    pub allow_comments: bool,
    /// The poll attached to the article (`/polls/{id}`), if any.
    pub poll_id: Option<PollId>,
}

/// An article with its body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleDetail {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    /// The body as written (Markdown).
    pub body: String,
    /// The body rendered to sanitised HTML.
    pub body_html: String,
    pub created_at: DateTime<Utc>,
    /// Why the article was refused; shown to its authors and to staff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArticle {
    #[schema(
        example = "De l'usine à projets à l'usine à produits",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    /// Generated from the title when absent.
    #[schema(
        example = "de-l-usine-a-projets-a-l-usine-a-produits",
        min_length = 1,
        max_length = 120,
        pattern = "^([a-z0-9]+(-[a-z0-9]+)+|[a-z0-9]*[a-z][a-z0-9]*)$"
    )]
    pub slug: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub lead: String,
    /// Markdown.
    #[serde(default)]
    #[schema(max_length = 200000)]
    pub body: String,
    /// The section's id or slug.
    #[schema(example = "economie")]
    pub section: Option<String>,
    /// Tag ids or slugs.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub tags: Vec<String>,
    /// Author ids or profile slugs (staff only); default: you.
    #[schema(min_items = 1, max_items = 10)]
    pub authors: Option<Vec<String>>,
    pub cover: Option<Cover>,
    /// An https URL of a video to embed.
    #[schema(
        example = "https://video.example-news.fr/embed/usine",
        format = "uri",
        max_length = 2000,
        pattern = "^https://[^/?#@\\s]+([/?#]\\S*)?$"
    )]
    pub video_url: Option<String>,
    /// Default: `draft` for staff, `pending` (a submission) for members.
    pub status: Option<Status>,
    /// For `published`: when (a future time schedules it); default now.
    pub published_at: Option<DateTime<Utc>>,
    #[serde(default = "yes")]
    pub allow_comments: bool,
}

/// The fields that creation and update check alike.
struct Common<'a> {
    title: Option<&'a str>,
    slug: Option<&'a str>,
    lead: Option<&'a str>,
    body: Option<&'a str>,
    tags: Option<&'a [String]>,
    authors: Option<&'a [String]>,
    cover: Option<&'a Cover>,
    video_url: Option<&'a str>,
}

fn check_common(e: &mut Errors, c: Common<'_>) {
    let Common {
        title,
        slug,
        lead,
        body,
        tags,
        authors,
        cover,
        video_url,
    } = c;
    e.opt_text("title", title, 1, 200);
    if let Some(s) = slug {
        e.slug("slug", s);
    }
    e.opt_text("lead", lead, 0, 1_000);
    e.opt_text("body", body, 0, 200_000);
    if tags.is_some_and(|t| t.len() > 20) {
        e.add("tags", "at most 20 tags");
    }
    if let Some(a) = authors
        && (a.is_empty() || a.len() > 10)
    {
        e.add("authors", "between 1 and 10 authors");
    }
    if let Some(c) = cover {
        c.check(e);
    }
    if let Some(v) = video_url {
        e.url("video_url", v, false);
    }
}

impl Validate for CreateArticle {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("title", &self.title, 1, 200);
        check_common(
            &mut e,
            Common {
                title: None,
                slug: self.slug.as_deref(),
                lead: Some(&self.lead),
                body: Some(&self.body),
                tags: Some(&self.tags),
                authors: self.authors.as_deref(),
                cover: self.cover.as_ref(),
                video_url: self.video_url.as_deref(),
            },
        );
        e.finish()
    }
}

/// A partial update: absent fields are kept; `null` clears a nullable one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateArticle {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^([a-z0-9]+(-[a-z0-9]+)+|[a-z0-9]*[a-z][a-z0-9]*)$"
    )]
    pub slug: Option<String>,
    #[schema(max_length = 1000)]
    pub lead: Option<String>,
    #[schema(max_length = 200000)]
    pub body: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub section: Option<Option<String>>,
    #[schema(max_items = 20)]
    pub tags: Option<Vec<String>>,
    #[schema(min_items = 1, max_items = 10)]
    pub authors: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Cover>)]
    pub cover: Option<Option<Cover>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = "uri", max_length = 2000, pattern = "^https://[^/?#@\\s]+([/?#]\\S*)?$")]
    pub video_url: Option<Option<String>>,
    pub allow_comments: Option<bool>,
    /// Move the article in the workflow (`pending` submits, `published` or
    /// `scheduled` publishes, `rejected` refuses a submission, `archived`, `draft` unpublishes).
    pub status: Option<Status>,
    pub published_at: Option<DateTime<Utc>>,
    /// Required with `status: rejected`: why, for the submitter.
    #[schema(min_length = 1, max_length = 2000)]
    pub rejection_reason: Option<String>,
}

impl Validate for UpdateArticle {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        check_common(
            &mut e,
            Common {
                title: self.title.as_deref(),
                slug: self.slug.as_deref(),
                lead: self.lead.as_deref(),
                body: self.body.as_deref(),
                tags: self.tags.as_deref(),
                authors: self.authors.as_deref(),
                cover: self.cover.as_ref().and_then(|c| c.as_ref()),
                video_url: self.video_url.as_ref().and_then(|v| v.as_deref()),
            },
        );
        e.opt_text(
            "rejection_reason",
            self.rejection_reason.as_deref(),
            1,
            2_000,
        );
        e.finish()
    }
}

/// Filters of the article list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleFilters {
    /// Section id or slug.
    pub section: Option<String>,
    /// Tag id or slug.
    pub tag: Option<String>,
    /// Author id or profile slug.
    pub author: Option<String>,
    /// Full-text search over title, lead and body (French, accents folded),
    /// ranked by relevance then recency unless `sort` is given.
    pub q: Option<String>,
    /// Published at or after this time (RFC 3339).
    pub published_after: Option<DateTime<Utc>>,
    /// Published before this time (RFC 3339).
    pub published_before: Option<DateTime<Utc>>,
    /// Staff: statuses to list, comma-separated (`draft,pending`). Default: published.
    #[param(
        example = "draft,pending",
        pattern = "^[\\s,]*((draft|pending|scheduled|published|archived|rejected)(\\s*,[\\s,]*(draft|pending|scheduled|published|archived|rejected))*[\\s,]*)?$"
    )]
    pub status: Option<String>,
    /// Only articles you created or author, in any status (your submissions).
    pub mine: Option<bool>,
}

pub const SORTABLE: [&str; 3] = ["published_at", "updated_at", "title"];

/// A kept version of an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionSummary {
    pub id: RevisionId,
    /// The article's version this revision holds.
    pub version: i32,
    pub title: String,
    /// Who made the change that replaced this version.
    pub created_by: Option<UserId>,
    /// When this version was replaced.
    pub created_at: DateTime<Utc>,
}

/// The content of an article at one version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Snapshot {
    pub title: String,
    pub slug: String,
    pub lead: String,
    pub body: String,
    pub section_id: Option<SectionId>,
    pub tag_ids: Vec<TagId>,
    pub author_ids: Vec<UserId>,
    pub cover: Option<Cover>,
    pub video_url: Option<String>,
    pub allow_comments: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionDetail {
    #[serde(flatten)]
    pub summary: RevisionSummary,
    pub content: Snapshot,
}

/// A public author profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct Author {
    pub id: UserId,
    pub slug: String,
    pub display_name: String,
    pub bio: String,
    pub avatar_url: Option<String>,
    /// Published articles signed by this author.
    pub article_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorDetail {
    #[serde(flatten)]
    pub author: Author,
    /// The author's latest published articles (up to 10); more with `/articles?author=`.
    pub recent_articles: Vec<ArticleSummary>,
}
