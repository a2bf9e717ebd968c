//! Requests that create or change an article, and their validation.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::dto::Cover;
use crate::error::FieldError;
use crate::http::json::nullable;
use crate::http::validate::{Errors, Validate};
use crate::review::Status;

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
    /// A media item (an image with its alt text) as the cover; the answer
    /// carries it whole as `cover_image`. Independent of `cover` (a URL).
    pub cover_media_id: Option<crate::ids::MediaId>,
    /// The https address of a video on YouTube, Vimeo or Dailymotion (its
    /// page, short link or player); the answer adds `video`, the player to embed.
    /// Other hosts are refused.
    #[schema(
        example = "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        format = "uri",
        max_length = 2000,
        pattern = "^https://[^/?#@\\s]+([/?#]\\S*)?$"
    )]
    pub video_url: Option<String>,
    /// An uploaded video (a media item of kind `video`), answered as `video_media`.
    pub video_media_id: Option<crate::ids::MediaId>,
    /// Default: `draft` for staff, `pending` (a submission) for members.
    pub status: Option<Status>,
    /// For `published`: when (a future time schedules it); default now.
    pub published_at: Option<DateTime<Utc>>,
    #[serde(default = "yes")]
    pub allow_comments: bool,
    /// The title search engines show (default: `title`); at most 70 characters.
    #[schema(min_length = 1, max_length = 70)]
    pub seo_title: Option<String>,
    /// The description search engines and link previews show (default:
    /// `lead`); at most 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub seo_description: Option<String>,
    /// The address of the original page when this article republishes it
    /// (`<link rel="canonical">`, the JSON-LD's `mainEntityOfPage`): an
    /// absolute http(s) URL.
    #[schema(
        example = "https://www.example-partner.fr/2026/12/usine",
        format = "uri",
        max_length = 2000,
        pattern = "^https?://[^/?#@\\s]+([/?#]\\S*)?$"
    )]
    pub canonical_url: Option<String>,
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
    seo_title: Option<&'a str>,
    seo_description: Option<&'a str>,
    canonical_url: Option<&'a str>,
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
        seo_title,
        seo_description,
        canonical_url,
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
        if v.starts_with("https://") && super::video::parse(v).is_none() {
            e.add(
                "video_url",
                "must be the address of a YouTube, Vimeo or Dailymotion video",
            );
        }
    }
    e.opt_text("seo_title", seo_title, 1, 70);
    e.opt_text("seo_description", seo_description, 1, 200);
    if let Some(url) = canonical_url {
        e.url("canonical_url", url, true);
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
                seo_title: self.seo_title.as_deref(),
                seo_description: self.seo_description.as_deref(),
                canonical_url: self.canonical_url.as_deref(),
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
    /// A media item as the cover (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub cover_media_id: Option<Option<crate::ids::MediaId>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = "uri", max_length = 2000, pattern = "^https://[^/?#@\\s]+([/?#]\\S*)?$")]
    pub video_url: Option<Option<String>>,
    /// An uploaded video as a media item (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub video_media_id: Option<Option<crate::ids::MediaId>>,
    pub allow_comments: Option<bool>,
    /// Move the article in the workflow (`pending` submits, `published` or
    /// `scheduled` publishes, `rejected` refuses a submission, `archived`, `draft` unpublishes).
    pub status: Option<Status>,
    pub published_at: Option<DateTime<Utc>>,
    /// Required with `status: rejected`: why, for the submitter.
    #[schema(min_length = 1, max_length = 2000)]
    pub rejection_reason: Option<String>,
    /// The title search engines show (`null`: the article's `title`).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 70)]
    pub seo_title: Option<Option<String>>,
    /// The description search engines show (`null`: the article's `lead`).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub seo_description: Option<Option<String>>,
    /// The original page's address (`null`: this article is the original).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = "uri", max_length = 2000, pattern = "^https?://[^/?#@\\s]+([/?#]\\S*)?$")]
    pub canonical_url: Option<Option<String>>,
}

/// What `GET /articles/{id}` takes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadParams {
    /// As on every detail: only these top-level fields, comma-separated
    /// (`id` is always sent; a name the article does not have is a 400).
    #[param(pattern = "^[a-z_,\\s]*$", example = "id,title,published_at")]
    pub fields: Option<String>,
    /// Top-level fields to leave out, comma-separated (`section,tags,authors,poll`).
    #[param(pattern = "^[a-z_,\\s]*$", example = "tags,authors")]
    pub exclude: Option<String>,
    /// A preview token (`POST /articles/{id}/preview`): reads this article
    /// whatever its status, without signing in. The answer is
    /// `Cache-Control: private, no-store` and never kept by any cache.
    pub preview: Option<String>,
}

impl ReadParams {
    /// The fields asked for, checked as every detail checks them.
    pub fn shape(&self) -> crate::http::shape::ShapeParams {
        crate::http::shape::ShapeParams {
            fields: self.fields.clone(),
            exclude: self.exclude.clone(),
        }
    }
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
                seo_title: self.seo_title.as_ref().and_then(|v| v.as_deref()),
                seo_description: self.seo_description.as_ref().and_then(|v| v.as_deref()),
                canonical_url: self.canonical_url.as_ref().and_then(|v| v.as_deref()),
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
