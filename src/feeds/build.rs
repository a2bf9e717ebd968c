//! From rows to a [`Feed`], then to the bytes of the asked format, with the
//! time the feed stops being true by the clock alone.

use chrono::NaiveDateTime;

use super::formats;
use super::links::Links;
use super::model::{EventEntryRow, Feed, Image, Item, JobEntryRow, Person, Subject};
use super::queries::{self, ArticleEntry, Scope};
use super::requests::Format;
use crate::config::Config;
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::http::cached::Built;

/// What a feed is about, as its title and home page say it.
pub struct Heading {
    pub title: String,
    pub description: String,
    pub home: String,
}

impl Heading {
    /// The whole site.
    pub fn site(config: &Config, links: &Links) -> Self {
        Self {
            title: config.site.name.clone(),
            description: config.site.description.clone(),
            home: links.home(),
        }
    }

    /// A part of the site: "Economie — Le Quotidien".
    pub fn of(config: &Config, subject: &Subject, home: String, fallback: &str) -> Self {
        let description = if subject.description.is_empty() {
            format!("{fallback} {}", subject.name)
        } else {
            subject.description.clone()
        };
        Self {
            title: format!("{} — {}", subject.name, config.site.name),
            description,
            home,
        }
    }
}

fn encode(feed: &Feed, format: Format, until: Option<NaiveDateTime>) -> Built {
    let (body, content_type) = match format {
        Format::Rss => (formats::rss(feed).into_bytes(), formats::RSS),
        Format::Atom => (formats::atom(feed).into_bytes(), formats::ATOM),
        Format::Json => (formats::json_feed(feed), formats::JSON_FEED),
    };
    Built {
        body,
        content_type,
        until,
    }
}

fn feed(
    config: &Config,
    heading: Heading,
    self_path: &str,
    links: &Links,
    items: Vec<Item>,
) -> Feed {
    Feed {
        title: heading.title,
        description: heading.description,
        home: heading.home,
        self_url: links.api(self_path),
        language: config.site.language.clone(),
        // an empty feed dates from the epoch: the same bytes (and ETag) at every build
        updated: items.iter().map(|i| i.updated).max().unwrap_or_default(),
        items,
    }
}

/// The newest articles of `scope`.
pub fn articles(
    c: &mut AnyConnection,
    now: NaiveDateTime,
    config: &Config,
    scope: Scope,
    heading: impl FnOnce(&Links) -> Heading,
    self_path: &str,
    format: Format,
) -> AppResult<Built> {
    let links = Links::new(&config.site, config.addr);
    let entries = queries::latest_articles(c, scope, now, config.site.feed_items)?;
    let until = queries::next_article_publication(c, now)?;
    let ids: Vec<i64> = entries.iter().map(|e| e.row.id).collect();
    let mut covers = crate::media::article_covers(c, &ids)?;
    let full = config.site.feed_full_content;
    let embeds = if full {
        embedded_images(c, entries.iter().map(|e| e.row.body_html.as_str()))?
    } else {
        Default::default()
    };
    let items = entries
        .into_iter()
        .map(|mut e| {
            let cover = covers.remove(&e.row.id);
            if full {
                e.row.body_html = with_embeds(&e.row.body_html, &embeds, &links);
            }
            article_item(e, cover, config, &links)
        })
        .collect();
    let heading = heading(&links);
    Ok(encode(
        &feed(config, heading, self_path, &links, items),
        format,
        until,
    ))
}

/// The images that these bodies embed, by media id.
fn embedded_images<'a>(
    c: &mut AnyConnection,
    bodies: impl Iterator<Item = &'a str>,
) -> AppResult<Embeds> {
    let mut ids = Vec::new();
    for html in bodies {
        ids.extend(crate::text::embedded_media(html));
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(crate::media::images(c, &ids)?)
}

type Embeds = std::collections::HashMap<i64, crate::media::ImageObject>;

/// A body with its embedded images as figures, at absolute addresses.
fn with_embeds(html: &str, embeds: &Embeds, links: &Links) -> String {
    crate::media::render_embeds(html, embeds, &links.api(""))
}

/// A media-library cover (or poster) as the feed shows it: its default (JPEG) variant,
/// at an absolute address, with that variant's size.
fn cover_image(cover: crate::media::ImageObject, links: &Links) -> Image {
    let size = cover
        .variants
        .iter()
        .find(|v| v.url == cover.url)
        .map(|v| (v.width, v.height));
    Image {
        url: links.api(&cover.url),
        alt: Some(cover.alt).filter(|a| !a.is_empty()),
        width: size.map(|s| s.0),
        height: size.map(|s| s.1),
    }
}

fn article_item(
    e: ArticleEntry,
    cover: Option<crate::media::ImageObject>,
    config: &Config,
    links: &Links,
) -> Item {
    let row = e.row;
    let published = row.published_at.unwrap_or(row.updated_at);
    let mut categories: Vec<String> = e.section.iter().map(|(_, name)| name.clone()).collect();
    categories.extend(e.tags);
    Item {
        id: links.api(&format!("/api/v1/articles/{}", row.id)),
        link: links.article(
            row.id,
            &row.slug,
            e.section.as_ref().map(|(s, _)| s.as_str()),
        ),
        title: row.title,
        summary: row.lead,
        content_html: config.site.feed_full_content.then_some(row.body_html),
        published,
        updated: row.updated_at.max(published),
        authors: e
            .authors
            .into_iter()
            .map(|(id, slug, name)| Person {
                url: Some(links.author(id, slug.as_deref())),
                name,
            })
            .collect(),
        categories,
        // a media-library cover wins over a cover given by address
        image: match cover {
            Some(cover) => Some(cover_image(cover, links)),
            None => row.cover_url.map(|url| Image {
                url,
                alt: row.cover_alt,
                width: None,
                height: None,
            }),
        },
    }
}

/// The newest job offers still open.
pub fn jobs(
    c: &mut AnyConnection,
    now: NaiveDateTime,
    config: &Config,
    self_path: &str,
    format: Format,
) -> AppResult<Built> {
    let links = Links::new(&config.site, config.addr);
    let (rows, until) = queries::latest_jobs(c, now, config.site.feed_items)?;
    let embeds = embedded_images(c, rows.iter().map(|r| r.description_html.as_str()))?;
    let items = rows
        .into_iter()
        .map(|mut r| {
            r.description_html = with_embeds(&r.description_html, &embeds, &links);
            job_item(r, &links)
        })
        .collect();
    let heading = Heading {
        title: format!("Offres d'emploi — {}", config.site.name),
        description: format!("Les offres d'emploi publiées sur {}", config.site.name),
        home: links.jobs(),
    };
    Ok(encode(
        &feed(config, heading, self_path, &links, items),
        format,
        until,
    ))
}

fn job_item(r: JobEntryRow, links: &Links) -> Item {
    let published = r.published_at.unwrap_or(r.updated_at);
    Item {
        id: links.api(&format!("/api/v1/jobs/{}", r.id)),
        link: links.job(r.id),
        summary: format!("{} — {}", r.company_name, r.city),
        title: r.title,
        content_html: Some(r.description_html),
        published,
        updated: r.updated_at.max(published),
        authors: vec![Person {
            name: r.company_name,
            url: None,
        }],
        categories: vec![r.contract_type],
        image: None,
    }
}

/// The events to come, soonest first.
pub fn events(
    c: &mut AnyConnection,
    now: NaiveDateTime,
    config: &Config,
    self_path: &str,
    format: Format,
) -> AppResult<Built> {
    let links = Links::new(&config.site, config.addr);
    let (rows, until) = queries::upcoming_events(c, now, config.site.feed_items)?;
    // the posters and the images the descriptions embed, in one query
    let images = crate::media::images_of(
        c,
        rows.iter().filter_map(|r| r.image_media_id),
        rows.iter().map(|r| r.description_html.as_str()),
    )?;
    let items = rows
        .into_iter()
        .map(|mut r| {
            r.description_html = with_embeds(&r.description_html, &images, &links);
            let poster = r.image_media_id.and_then(|id| images.get(&id).cloned());
            event_item(r, poster, &links)
        })
        .collect();
    let heading = Heading {
        title: format!("Agenda — {}", config.site.name),
        description: format!("Les événements à venir, sur {}", config.site.name),
        home: links.events(),
    };
    Ok(encode(
        &feed(config, heading, self_path, &links, items),
        format,
        until,
    ))
}

/// "le 14/07 à 21h00, Salle des fêtes, Besançon", in the event's own time zone.
fn when_and_where(r: &EventEntryRow) -> String {
    let zone: chrono_tz::Tz = r.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris);
    let start = r.starts_at.and_utc().with_timezone(&zone);
    let when = if r.all_day {
        format!("le {}", start.format("%d/%m/%Y"))
    } else {
        format!(
            "le {} à {}",
            start.format("%d/%m/%Y"),
            start.format("%Hh%M")
        )
    };
    [when, r.venue_name.clone(), r.city.clone()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn event_item(r: EventEntryRow, poster: Option<crate::media::ImageObject>, links: &Links) -> Item {
    let published = r.published_at.unwrap_or(r.updated_at);
    Item {
        id: links.api(&format!("/api/v1/events/{}", r.id)),
        link: links.event(r.id),
        summary: when_and_where(&r),
        title: r.title,
        content_html: Some(r.description_html),
        published,
        updated: r.updated_at.max(published),
        authors: Vec::new(),
        categories: vec![r.category],
        // a poster from the library wins over an image given by address
        image: match poster {
            Some(poster) => Some(cover_image(poster, links)),
            None => r.image_url.map(|url| Image {
                url,
                alt: r.image_alt,
                width: None,
                height: None,
            }),
        },
    }
}
