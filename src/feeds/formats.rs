//! One [`Feed`], three formats: RSS 2.0 (dates in RFC 822), Atom 1.0
//! (RFC 3339) and JSON Feed 1.1. Images go out as an RSS `enclosure`, an
//! Atom `enclosure` link, Media RSS `media:content` and JSON Feed's `image`.

use std::fmt::Write;

use chrono::{NaiveDateTime, SecondsFormat};
use serde_json::{Value, json};

use super::model::{Feed, Item};
use super::xml::{element, escape};

pub const RSS: &str = "application/rss+xml; charset=utf-8";
pub const ATOM: &str = "application/atom+xml; charset=utf-8";
pub const JSON_FEED: &str = "application/feed+json; charset=utf-8";

const GENERATOR: &str = "Kiosque";
const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";

fn rfc822(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc2822()
}

fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn rss(feed: &Feed) -> String {
    let mut out = String::with_capacity(4_096 + feed.items.len() * 2_048);
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = write!(
        out,
        r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="{MEDIA_NS}"><channel>"#
    );
    element(&mut out, "title", &feed.title);
    element(&mut out, "link", &feed.home);
    element(&mut out, "description", &feed.description);
    element(&mut out, "language", &feed.language);
    element(&mut out, "lastBuildDate", &rfc822(feed.updated));
    element(&mut out, "generator", GENERATOR);
    let _ = write!(
        out,
        r#"<atom:link href="{}" rel="self" type="application/rss+xml"/>"#,
        escape(&feed.self_url)
    );
    for item in &feed.items {
        rss_item(&mut out, item);
    }
    out.push_str("</channel></rss>");
    out
}

fn rss_item(out: &mut String, item: &Item) {
    out.push_str("<item>");
    element(out, "title", &item.title);
    element(out, "link", &item.link);
    let _ = write!(
        out,
        r#"<guid isPermaLink="false">{}</guid>"#,
        escape(&item.id)
    );
    element(out, "pubDate", &rfc822(item.published));
    element(out, "description", &item.summary);
    if let Some(html) = &item.content_html {
        element(out, "content:encoded", html);
    }
    for author in &item.authors {
        element(out, "dc:creator", &author.name);
    }
    for category in &item.categories {
        element(out, "category", category);
    }
    if let Some(image) = &item.image {
        let url = escape(&image.url);
        let kind = image.media_type();
        // the length in bytes is not known before the variant is made: 0, as
        // RSS readers expect; the dimensions are, for media-library images
        let size = dimensions(image);
        let _ = write!(
            out,
            r#"<enclosure url="{url}" length="0" type="{kind}"/><media:content url="{url}" medium="image" type="{kind}"{size}>"#
        );
        if let Some(alt) = &image.alt {
            let _ = write!(
                out,
                r#"<media:description type="plain">{}</media:description>"#,
                escape(alt)
            );
        }
        out.push_str("</media:content>");
    }
    out.push_str("</item>");
}

pub fn atom(feed: &Feed) -> String {
    let mut out = String::with_capacity(4_096 + feed.items.len() * 2_048);
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = write!(
        out,
        r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="{MEDIA_NS}" xml:lang="{}">"#,
        escape(&feed.language)
    );
    let _ = write!(out, r#"<title type="text">{}</title>"#, escape(&feed.title));
    if !feed.description.is_empty() {
        let _ = write!(
            out,
            r#"<subtitle type="text">{}</subtitle>"#,
            escape(&feed.description)
        );
    }
    element(&mut out, "id", &feed.self_url);
    element(&mut out, "updated", &rfc3339(feed.updated));
    let _ = write!(
        out,
        r#"<link rel="alternate" type="text/html" href="{}"/><link rel="self" type="application/atom+xml" href="{}"/>"#,
        escape(&feed.home),
        escape(&feed.self_url)
    );
    element(&mut out, "generator", GENERATOR);
    for item in &feed.items {
        atom_entry(&mut out, item, &feed.title);
    }
    out.push_str("</feed>");
    out
}

fn atom_entry(out: &mut String, item: &Item, site: &str) {
    out.push_str("<entry>");
    let _ = write!(out, r#"<title type="text">{}</title>"#, escape(&item.title));
    element(out, "id", &item.id);
    let _ = write!(
        out,
        r#"<link rel="alternate" type="text/html" href="{}"/>"#,
        escape(&item.link)
    );
    element(out, "published", &rfc3339(item.published));
    element(out, "updated", &rfc3339(item.updated));
    // Atom wants an author on every entry: the site signs what nobody did
    if item.authors.is_empty() {
        let _ = write!(out, "<author><name>{}</name></author>", escape(site));
    }
    for author in &item.authors {
        out.push_str("<author>");
        element(out, "name", &author.name);
        if let Some(url) = &author.url {
            element(out, "uri", url);
        }
        out.push_str("</author>");
    }
    for category in &item.categories {
        let _ = write!(out, r#"<category term="{}"/>"#, escape(category));
    }
    if !item.summary.is_empty() {
        let _ = write!(
            out,
            r#"<summary type="text">{}</summary>"#,
            escape(&item.summary)
        );
    }
    if let Some(html) = &item.content_html {
        let _ = write!(out, r#"<content type="html">{}</content>"#, escape(html));
    }
    if let Some(image) = &item.image {
        let url = escape(&image.url);
        let kind = image.media_type();
        let _ = write!(
            out,
            r#"<link rel="enclosure" type="{kind}" href="{url}"/><media:content url="{url}" medium="image" type="{kind}"{size}/>"#,
            size = dimensions(image)
        );
    }
    out.push_str("</entry>");
}

pub fn json_feed(feed: &Feed) -> Vec<u8> {
    let items: Vec<Value> = feed.items.iter().map(json_item).collect();
    let doc = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home,
        "feed_url": feed.self_url,
        "description": feed.description,
        "language": feed.language,
        "items": items,
    });
    serde_json::to_vec(&doc).unwrap_or_default()
}

fn json_item(item: &Item) -> Value {
    let mut v = json!({
        "id": item.id,
        "url": item.link,
        "title": item.title,
        "date_published": rfc3339(item.published),
        "date_modified": rfc3339(item.updated),
    });
    // JSON Feed requires content_html or content_text
    match &item.content_html {
        Some(html) => v["content_html"] = json!(html),
        None => v["content_text"] = json!(item.summary),
    }
    if !item.summary.is_empty() {
        v["summary"] = json!(item.summary);
    }
    if !item.authors.is_empty() {
        v["authors"] = item
            .authors
            .iter()
            .map(|a| match &a.url {
                Some(url) => json!({"name": a.name, "url": url}),
                None => json!({"name": a.name}),
            })
            .collect();
    }
    if !item.categories.is_empty() {
        v["tags"] = json!(item.categories);
    }
    if let Some(image) = &item.image {
        v["image"] = json!(image.url);
    }
    v
}

/// ` width="…" height="…"` for `media:content`, when the image's size is known.
fn dimensions(image: &super::model::Image) -> String {
    match (image.width, image.height) {
        (Some(w), Some(h)) => format!(r#" width="{w}" height="{h}""#),
        _ => String::new(),
    }
}
