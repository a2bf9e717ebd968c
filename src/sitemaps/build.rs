//! Writing sitemaps (sitemaps.org 0.9) and the Google News sitemap. Every
//! address goes through XML escaping; dates are W3C datetimes in UTC.

use std::fmt::Write;

use chrono::{Duration, NaiveDateTime, SecondsFormat};

use super::model::{Entry, Kind};
use super::queries;
use crate::config::Config;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::feeds::{Links, escape};
use crate::http::cached::Built;

pub const XML: &str = "application/xml; charset=utf-8";
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
/// Google News reads articles of the last two days, at most 1,000 per sitemap.
pub const NEWS_WINDOW_HOURS: i64 = 48;
const NEWS_MAX_URLS: i64 = 1_000;

fn w3c(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn head(out: &mut String) {
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    out.push('\n');
}

/// Child sitemaps a kind needs (at least one, empty or not).
fn files(count: i64, per_file: i64) -> i64 {
    ((count + per_file - 1) / per_file).max(1)
}

/// The index: every child sitemap, and the news sitemap.
pub fn index(c: &mut AnyConnection, now: NaiveDateTime, config: &Config) -> AppResult<Built> {
    let links = Links::new(&config.site, config.addr);
    let per_file = config.site.sitemap_urls_per_file as i64;
    let mut out = String::with_capacity(4_096);
    head(&mut out);
    let _ = write!(out, r#"<sitemapindex xmlns="{SITEMAP_NS}">"#);
    let mut news_lastmod = None;
    for kind in Kind::ALL {
        let tally = queries::tally(c, kind, now)?;
        if kind == Kind::Articles {
            news_lastmod = tally.lastmod;
        }
        for n in 1..=files(tally.count, per_file) {
            let loc = links.api(&format!("/api/v1/sitemaps/{}-{n}.xml", kind.name()));
            let _ = write!(out, "<sitemap><loc>{}</loc>", escape(&loc));
            if let Some(lastmod) = tally.lastmod {
                let _ = write!(out, "<lastmod>{}</lastmod>", w3c(lastmod));
            }
            out.push_str("</sitemap>");
        }
    }
    let news = links.api("/api/v1/sitemaps/news.xml");
    let _ = write!(out, "<sitemap><loc>{}</loc>", escape(&news));
    if let Some(lastmod) = news_lastmod {
        let _ = write!(out, "<lastmod>{}</lastmod>", w3c(lastmod));
    }
    out.push_str("</sitemap></sitemapindex>");
    Ok(Built {
        body: out.into_bytes(),
        content_type: XML,
        until: queries::next_timed_change(c, now)?,
    })
}

fn loc(links: &Links, kind: Kind, e: &Entry) -> String {
    let slug = e.slug.as_deref();
    match kind {
        Kind::Articles => links.article(e.id, slug.unwrap_or_default(), e.parent.as_deref()),
        Kind::Sections => links.section(e.id, slug.unwrap_or_default()),
        Kind::Tags => links.tag(e.id, slug.unwrap_or_default()),
        Kind::Authors => links.author(e.id, slug),
        Kind::Events => links.event(e.id),
        Kind::Jobs => links.job(e.id),
    }
}

/// The `n`th (1-based) child sitemap of `kind`; past the last, 404.
pub fn child(
    c: &mut AnyConnection,
    now: NaiveDateTime,
    config: &Config,
    kind: Kind,
    n: i64,
) -> AppResult<Built> {
    let links = Links::new(&config.site, config.addr);
    let per_file = config.site.sitemap_urls_per_file as i64;
    let tally = queries::tally(c, kind, now)?;
    if n > files(tally.count, per_file) {
        return Err(AppError::not_found(format!(
            "no such sitemap: {} has {} file(s)",
            kind.name(),
            files(tally.count, per_file)
        )));
    }
    let entries = queries::entries(c, kind, now, n - 1, per_file)?;
    let mut out = String::with_capacity(256 + entries.len() * 160);
    head(&mut out);
    let _ = write!(out, r#"<urlset xmlns="{SITEMAP_NS}">"#);
    for e in &entries {
        let _ = write!(
            out,
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>",
            escape(&loc(&links, kind, e)),
            w3c(e.lastmod)
        );
    }
    out.push_str("</urlset>");
    Ok(Built {
        body: out.into_bytes(),
        content_type: XML,
        until: queries::next_timed_change(c, now)?,
    })
}

/// Articles published in the last 48 hours, for Google News. The sitemap
/// changes by itself when the oldest leaves the window.
pub fn news(c: &mut AnyConnection, now: NaiveDateTime, config: &Config) -> AppResult<Built> {
    let links = Links::new(&config.site, config.addr);
    let window = Duration::hours(NEWS_WINDOW_HOURS);
    let entries = queries::news(c, now, now - window, NEWS_MAX_URLS)?;
    let mut out = String::with_capacity(512 + entries.len() * 512);
    head(&mut out);
    let _ = write!(
        out,
        r#"<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">"#
    );
    let publication = format!(
        "<news:publication><news:name>{}</news:name><news:language>{}</news:language></news:publication>",
        escape(&config.site.name),
        escape(&config.site.language)
    );
    for e in &entries {
        let _ = write!(
            out,
            "<url><loc>{}</loc><news:news>{publication}<news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>",
            escape(&links.article(e.id, &e.slug, e.section.as_deref())),
            w3c(e.published_at),
            escape(&e.title)
        );
    }
    out.push_str("</urlset>");
    let leaving = entries.iter().map(|e| e.published_at + window).min();
    let until = [leaving, queries::next_timed_change(c, now)?]
        .into_iter()
        .flatten()
        .min();
    Ok(Built {
        body: out.into_bytes(),
        content_type: XML,
        until,
    })
}
