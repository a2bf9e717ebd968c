//! What sitemaps list: the kinds of pages, and one address with its date.

use chrono::NaiveDateTime;

/// The kinds of pages a child sitemap lists, in the index's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Articles,
    Sections,
    Tags,
    Authors,
    Events,
    Jobs,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Articles,
        Kind::Sections,
        Kind::Tags,
        Kind::Authors,
        Kind::Events,
        Kind::Jobs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Articles => "articles",
            Kind::Sections => "sections",
            Kind::Tags => "tags",
            Kind::Authors => "authors",
            Kind::Events => "events",
            Kind::Jobs => "jobs",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A row of a child sitemap, before it becomes an address.
#[derive(Debug)]
pub struct Entry {
    pub id: i64,
    pub slug: Option<String>,
    /// Articles: their section's slug.
    pub parent: Option<String>,
    pub lastmod: NaiveDateTime,
}

/// How many pages of a kind are public, and the newest change among them.
#[derive(Debug, Clone, Copy)]
pub struct Tally {
    pub count: i64,
    pub lastmod: Option<NaiveDateTime>,
}

/// An article of the news sitemap.
#[derive(Debug)]
pub struct NewsEntry {
    pub id: i64,
    pub slug: String,
    pub section: Option<String>,
    pub title: String,
    pub published_at: NaiveDateTime,
}
