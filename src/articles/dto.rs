//! What the API answers about articles (and the cover, which requests share
//! with it), built from rows and their references.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{ArticleListRow, ArticleRow};
use super::queries::{self, Refs};
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::http::validate::Errors;
use crate::ids::{ArticleId, PollId, RevisionId, SectionId, TagId, UserId};
use crate::review::Status;
use crate::state::utc;

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
    pub(super) fn check(&self, e: &mut Errors) {
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
    /// The cover as a media item (`cover_media_id`): variants, `srcset`,
    /// placeholder, alt text, caption and credit.
    pub cover_image: Option<crate::media::ImageObject>,
    /// The video's address, as given.
    pub video_url: Option<String>,
    /// The player of `video_url` to embed (null for an address of an
    /// unknown host given before hosts were checked).
    pub video: Option<super::video::VideoEmbed>,
    /// An uploaded video (`video_media_id`).
    pub video_media: Option<crate::media::FileObject>,
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
    /// The body rendered to sanitised HTML. Embedded media items
    /// (`![alt](media:12)`) are `<figure>`s with the item's variants
    /// (`<picture>`, WebP and JPEG `srcset`, size, lazy loading), its alt
    /// text (the one written in place first) and its caption and credit.
    pub body_html: String,
    pub created_at: DateTime<Utc>,
    /// The title search engines show; null: `title`.
    pub seo_title: Option<String>,
    /// The description search engines and link previews show; null: `lead`.
    pub seo_description: Option<String>,
    /// The original page when this article republishes it; null: this
    /// article is the original (its page on the site is canonical).
    pub canonical_url: Option<String>,
    /// Why the article was refused; shown to its authors and to staff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    /// The media items the body embeds (for the cache's keys; not sent).
    #[serde(skip)]
    pub embedded_media: Vec<i64>,
}

impl ArticleSummary {
    /// The cache keys of what it shows: itself, its section, tags, authors
    /// and library cover (their names and pictures are in it).
    pub fn cache_keys(&self) -> Vec<String> {
        let mut keys = vec![format!("article:{}", self.id.0)];
        keys.extend(self.section.iter().map(|s| format!("section:{}", s.id.0)));
        keys.extend(self.tags.iter().map(|t| format!("tag:{}", t.id.0)));
        keys.extend(self.authors.iter().map(|a| format!("user:{}", a.id.0)));
        keys.extend(
            self.cover_image
                .iter()
                .map(|m| format!("media:{}", m.media_id.0)),
        );
        keys.extend(self.poll_id.iter().map(|p| format!("poll:{}", p.0)));
        keys
    }

    pub fn from_row(row: &ArticleListRow, refs: &Refs, now: NaiveDateTime) -> Self {
        Self {
            id: ArticleId(row.id),
            slug: row.slug.clone(),
            title: row.title.clone(),
            lead: row.lead.clone(),
            section: row.section_id.and_then(|s| refs.sections.get(&s).cloned()),
            tags: refs.tags.get(&row.id).cloned().unwrap_or_default(),
            authors: refs.authors.get(&row.id).cloned().unwrap_or_default(),
            cover: row.cover_url.clone().map(|url| Cover {
                url,
                alt: row.cover_alt.clone().unwrap_or_default(),
                caption: row.cover_caption.clone(),
                credit: row.cover_credit.clone(),
            }),
            cover_image: refs.covers.get(&row.id).cloned(),
            video_url: row.video_url.clone(),
            video: row.video_url.as_deref().and_then(super::video::parse),
            video_media: refs.videos.get(&row.id).cloned(),
            status: row.status(now),
            published_at: row.published_at.map(utc),
            updated_at: utc(row.updated_at),
            comment_count: row.comment_count,
            allow_comments: row.allow_comments,
            poll_id: refs.polls.get(&row.id).copied().map(PollId),
        }
    }

    /// Summaries of a page of articles: three queries for all their references.
    pub fn load_all(
        conn: &mut AnyConnection,
        rows: &[ArticleListRow],
        now: NaiveDateTime,
    ) -> AppResult<Vec<Self>> {
        let refs = queries::load_refs(conn, rows)?;
        Ok(rows.iter().map(|r| Self::from_row(r, &refs, now)).collect())
    }
}

impl ArticleDetail {
    pub fn load(conn: &mut AnyConnection, row: &ArticleRow, now: NaiveDateTime) -> AppResult<Self> {
        let summary = ArticleListRow::from(row);
        let refs = queries::load_refs(conn, std::slice::from_ref(&summary))?;
        let embedded = crate::text::embedded_media(&row.body_html);
        let body_html = if embedded.is_empty() {
            row.body_html.clone()
        } else {
            let images = crate::media::images(conn, &embedded)?;
            crate::media::render_embeds(&row.body_html, &images, "")
        };
        Ok(Self {
            summary: ArticleSummary::from_row(&summary, &refs, now),
            body: row.body.clone(),
            body_html,
            created_at: utc(row.created_at),
            seo_title: row.seo_title.clone(),
            seo_description: row.seo_description.clone(),
            canonical_url: row.canonical_url.clone(),
            rejection_reason: row.rejection_reason.clone(),
            embedded_media: embedded,
        })
    }

    /// The cache keys of what the answer shows: the summary's, and the
    /// media items its body embeds (a new caption changes the figure).
    pub fn cache_keys(&self) -> Vec<String> {
        let mut keys = self.summary.cache_keys();
        keys.extend(self.embedded_media.iter().map(|id| format!("media:{id}")));
        keys
    }
}

/// A pass to read one article before it is public (`?preview=<token>`).
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewToken {
    /// Opens this article only, for reading only, until `expires_at`.
    pub token: String,
    /// The article's address with the token (`/api/v1/articles/{id}?preview=…`).
    #[schema(example = "/api/v1/articles/12?preview=eyJhbGciOiJIUzI1NiJ9.e30.c2ln")]
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

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
    // revisions kept before these fields existed have none
    #[serde(default)]
    pub seo_title: Option<String>,
    #[serde(default)]
    pub seo_description: Option<String>,
    #[serde(default)]
    pub canonical_url: Option<String>,
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
