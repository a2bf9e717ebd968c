//! The rows feeds read, and a feed as every format sees it (RSS, Atom and
//! JSON Feed each write this one shape).

use chrono::NaiveDateTime;
use diesel::prelude::*;

/// What a feed shows of an article.
#[derive(Debug, Queryable)]
pub struct ArticleEntryRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub lead: String,
    pub body_html: String,
    pub section_id: Option<i64>,
    pub cover_url: Option<String>,
    pub cover_alt: Option<String>,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// What a feed shows of a job offer.
#[derive(Debug, Queryable)]
pub struct JobEntryRow {
    pub id: i64,
    pub title: String,
    pub company_name: String,
    pub city: String,
    pub contract_type: String,
    pub description_html: String,
    pub published_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// What a feed shows of an event.
#[derive(Debug, Queryable)]
pub struct EventEntryRow {
    pub id: i64,
    pub title: String,
    pub description_html: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub all_day: bool,
    pub time_zone: String,
    pub venue_name: String,
    pub city: String,
    pub category: String,
    pub image_url: Option<String>,
    pub image_alt: Option<String>,
    /// The poster from the media library.
    pub image_media_id: Option<i64>,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// A section, tag or author a feed is about.
#[derive(Debug, Clone)]
pub struct Subject {
    pub id: i64,
    pub slug: Option<String>,
    pub name: String,
    pub description: String,
}

/// A feed, whatever its format.
#[derive(Debug, Clone)]
pub struct Feed {
    pub title: String,
    pub description: String,
    /// The front end's page the feed follows.
    pub home: String,
    /// The feed's own address (this format's).
    pub self_url: String,
    pub language: String,
    /// The newest change among its items (the epoch when empty).
    pub updated: NaiveDateTime,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub struct Item {
    /// Stable and unique: the item's API address, never its (renamable) page.
    pub id: String,
    pub title: String,
    pub link: String,
    /// Plain text.
    pub summary: String,
    /// Sanitized HTML, when feeds carry full content.
    pub content_html: Option<String>,
    pub published: NaiveDateTime,
    pub updated: NaiveDateTime,
    pub authors: Vec<Person>,
    pub categories: Vec<String>,
    pub image: Option<Image>,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Image {
    pub url: String,
    pub alt: Option<String>,
    /// Known for media-library images (the variant the feed points to).
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl Image {
    /// The image's media type, guessed from its address (feeds must name one).
    pub fn media_type(&self) -> &'static str {
        let path = self.url.split(['?', '#']).next().unwrap_or_default();
        let ext = path
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match ext.as_str() {
            "png" => "image/png",
            "gif" => "image/gif",
            "webp" => "image/webp",
            "avif" => "image/avif",
            "svg" => "image/svg+xml",
            _ => "image/jpeg",
        }
    }
}
