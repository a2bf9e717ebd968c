//! The public site the API feeds: where its pages live (feeds and sitemaps
//! link to the front end, never to the API), its name and language, and how
//! feeds and sitemaps are built and kept.

use std::time::Duration;

use super::{Config, parsed, ranged, var};

/// The front end's address and the shape of its pages' paths.
#[derive(Debug, Clone)]
pub struct Site {
    /// The front end's base URL, without a trailing slash (`https://www.example-news.fr`).
    pub url: String,
    /// Where clients reach this API (absolute links to feeds and sitemaps).
    /// Empty: `http://<KIOSQUE_ADDR>`.
    pub api_url: String,
    pub name: String,
    pub description: String,
    /// BCP 47 language of the content (`fr`).
    pub language: String,
    /// Page paths on the front end; `{slug}`, `{id}` and, for articles, `{section}`.
    pub article_path: String,
    pub section_path: String,
    pub tag_path: String,
    pub author_path: String,
    pub job_path: String,
    pub event_path: String,
    pub jobs_path: String,
    pub events_path: String,
    /// Items per feed (the newest).
    pub feed_items: usize,
    /// Feeds carry the full HTML of articles, not only their lead.
    pub feed_full_content: bool,
    /// The longest a built feed or sitemap is served before being rebuilt,
    /// even when nothing seems to have changed (a safety net).
    pub cache_ttl: Duration,
    /// URLs per child sitemap (the protocol allows at most 50,000).
    pub sitemap_urls_per_file: usize,
}

impl Site {
    pub fn defaults() -> Self {
        Self {
            url: "http://localhost:3000".into(),
            api_url: String::new(),
            name: "Kiosque".into(),
            description: "Toute l'actualité locale".into(),
            language: "fr".into(),
            article_path: "/{section}/{slug}".into(),
            section_path: "/{slug}".into(),
            tag_path: "/sujets/{slug}".into(),
            author_path: "/auteurs/{slug}".into(),
            job_path: "/emploi/{id}".into(),
            event_path: "/agenda/{id}".into(),
            jobs_path: "/emploi".into(),
            events_path: "/agenda".into(),
            feed_items: 50,
            feed_full_content: true,
            cache_ttl: Duration::from_secs(60),
            sitemap_urls_per_file: 50_000,
        }
    }

    /// The API's public base URL (see `api_url`).
    pub fn api_base(&self, addr: std::net::SocketAddr) -> String {
        if self.api_url.is_empty() {
            format!("http://{addr}")
        } else {
            self.api_url.clone()
        }
    }
}

fn base_url(name: &str, default: &str) -> Result<String, String> {
    let raw = var(name).unwrap_or_else(|| default.to_string());
    let raw = raw.trim().trim_end_matches('/').to_string();
    if raw.is_empty() {
        return Ok(raw);
    }
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .ok_or_else(|| format!("{name}: `{raw}` is not an http(s) URL"))?;
    if rest.is_empty() || rest.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err(format!(
            "{name}: `{raw}` must be a base URL (no query, no fragment, no spaces)"
        ));
    }
    Ok(raw)
}

fn page_path(name: &str, default: &str, allowed: &[&str]) -> Result<String, String> {
    let raw = var(name).unwrap_or_else(|| default.to_string());
    let raw = raw.trim().to_string();
    if !raw.starts_with('/') || raw.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err(format!(
            "{name}: `{raw}` must be a path starting with `/` (no query, no spaces)"
        ));
    }
    let mut rest = raw.as_str();
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("{name}: `{raw}` has an unclosed `{{`"))?;
        let placeholder = &rest[open + 1..open + close];
        if !allowed.contains(&placeholder) {
            return Err(format!(
                "{name}: `{{{placeholder}}}` is not one of {}",
                allowed
                    .iter()
                    .map(|a| format!("{{{a}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        rest = &rest[open + close + 1..];
    }
    Ok(raw)
}

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    let d = Site::defaults();
    let site = &mut cfg.site;
    site.url = base_url("KIOSQUE_SITE_URL", &d.url)?;
    if site.url.is_empty() {
        return Err("KIOSQUE_SITE_URL: is empty".into());
    }
    site.api_url = base_url("KIOSQUE_PUBLIC_API_URL", "")?;
    site.name = var("KIOSQUE_SITE_NAME")
        .unwrap_or(d.name)
        .trim()
        .to_string();
    site.description = var("KIOSQUE_SITE_DESCRIPTION")
        .unwrap_or(d.description)
        .trim()
        .to_string();
    site.language = var("KIOSQUE_SITE_LANGUAGE").unwrap_or(d.language);
    if !site
        .language
        .split('-')
        .all(|p| !p.is_empty() && p.len() <= 8 && p.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(format!(
            "KIOSQUE_SITE_LANGUAGE: `{}` is not a language tag like fr or fr-FR",
            site.language
        ));
    }
    let slug_id = ["slug", "id"];
    site.article_path = page_path(
        "KIOSQUE_SITE_ARTICLE_PATH",
        &d.article_path,
        &["section", "slug", "id"],
    )?;
    site.section_path = page_path("KIOSQUE_SITE_SECTION_PATH", &d.section_path, &slug_id)?;
    site.tag_path = page_path("KIOSQUE_SITE_TAG_PATH", &d.tag_path, &slug_id)?;
    site.author_path = page_path("KIOSQUE_SITE_AUTHOR_PATH", &d.author_path, &slug_id)?;
    site.job_path = page_path("KIOSQUE_SITE_JOB_PATH", &d.job_path, &["id"])?;
    site.event_path = page_path("KIOSQUE_SITE_EVENT_PATH", &d.event_path, &["id"])?;
    site.jobs_path = page_path("KIOSQUE_SITE_JOBS_PATH", &d.jobs_path, &[])?;
    site.events_path = page_path("KIOSQUE_SITE_EVENTS_PATH", &d.events_path, &[])?;
    site.feed_items = ranged("KIOSQUE_FEED_ITEMS", d.feed_items, 1, 500)?;
    site.feed_full_content = parsed("KIOSQUE_FEED_FULL_CONTENT", d.feed_full_content)?;
    site.cache_ttl = Duration::from_secs(ranged(
        "KIOSQUE_FEED_CACHE_SECS",
        d.cache_ttl.as_secs(),
        1,
        86_400,
    )?);
    site.sitemap_urls_per_file = ranged(
        "KIOSQUE_SITEMAP_URLS_PER_FILE",
        d.sitemap_urls_per_file,
        1,
        50_000,
    )?;
    Ok(())
}
