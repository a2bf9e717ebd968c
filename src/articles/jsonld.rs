//! An article as schema.org `NewsArticle` JSON-LD, the form search engines
//! read for their news results (Google's Top stories among them): the
//! headline, description, dates, authors as `Person`s, section, keywords,
//! images, the page it is the main entity of, and the publisher.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde_json::{Map, Value, json};

use super::access::{Lookup, readable};
use super::dto::ArticleDetail;
use crate::auth::Caller;
use crate::config::Config;
use crate::error::AppResult;
use crate::feeds::Links;
use crate::http::Freshness;
use crate::http::path::Key;
use crate::ids::ArticleId;
use crate::openapi as oa;
use crate::state::AppState;

/// The article as a `NewsArticle`. Addresses are absolute: the front end's
/// page of the article (from the site's settings), the API's for library
/// images.
pub fn news_article(a: &ArticleDetail, config: &Config) -> Value {
    let links = Links::new(&config.site, config.addr);
    let api = config.site.api_base(config.addr);
    let absolute = |url: &str| {
        if url.starts_with('/') {
            format!("{api}{url}")
        } else {
            url.to_string()
        }
    };
    let s = &a.summary;
    let page = links.article(s.id.0, &s.slug, s.section.as_ref().map(|x| x.slug.as_str()));
    let mut doc = Map::new();
    doc.insert("@context".into(), json!("https://schema.org"));
    doc.insert("@type".into(), json!("NewsArticle"));
    doc.insert(
        "headline".into(),
        json!(a.seo_title.as_deref().unwrap_or(&s.title)),
    );
    let description = a
        .seo_description
        .as_deref()
        .unwrap_or(&s.lead)
        .trim()
        .to_string();
    if !description.is_empty() {
        doc.insert("description".into(), json!(description));
    }
    doc.insert("url".into(), json!(page));
    doc.insert(
        "mainEntityOfPage".into(),
        json!({"@type": "WebPage", "@id": a.canonical_url.as_deref().unwrap_or(&page)}),
    );
    if let Some(t) = s.published_at {
        doc.insert("datePublished".into(), json!(t.to_rfc3339()));
    }
    doc.insert("dateModified".into(), json!(s.updated_at.to_rfc3339()));
    let authors: Vec<Value> = s
        .authors
        .iter()
        .map(|author| {
            let mut person = Map::new();
            person.insert("@type".into(), json!("Person"));
            person.insert("name".into(), json!(author.display_name));
            if let Some(slug) = &author.slug {
                person.insert("url".into(), json!(links.author(author.id.0, Some(slug))));
            }
            Value::Object(person)
        })
        .collect();
    if !authors.is_empty() {
        doc.insert("author".into(), Value::Array(authors));
    }
    if let Some(section) = &s.section {
        doc.insert("articleSection".into(), json!(section.name));
    }
    if !s.tags.is_empty() {
        let keywords: Vec<&str> = s.tags.iter().map(|t| t.name.as_str()).collect();
        doc.insert("keywords".into(), json!(keywords));
    }
    let images = images(a, &absolute);
    if !images.is_empty() {
        doc.insert("image".into(), Value::Array(images));
    }
    doc.insert("inLanguage".into(), json!(config.site.language));
    doc.insert(
        "publisher".into(),
        json!({"@type": "Organization", "name": config.site.name, "url": links.home()}),
    );
    Value::Object(doc)
}

/// The cover: the library item's default source and its social crop when
/// the cover is a media item, else the cover's address.
fn images(a: &ArticleDetail, absolute: &dyn Fn(&str) -> String) -> Vec<Value> {
    let object = |url: String, size: Option<(u32, u32)>, caption: &str, credit: &str| {
        let mut image = Map::new();
        image.insert("@type".into(), json!("ImageObject"));
        image.insert("url".into(), json!(url));
        if let Some((w, h)) = size {
            image.insert("width".into(), json!(w));
            image.insert("height".into(), json!(h));
        }
        if !caption.is_empty() {
            image.insert("caption".into(), json!(caption));
        }
        if !credit.is_empty() {
            image.insert("creditText".into(), json!(credit));
        }
        Value::Object(image)
    };
    if let Some(img) = &a.summary.cover_image {
        let size_of = |url: &str| {
            img.variants
                .iter()
                .find(|v| v.url == url)
                .map(|v| (v.width, v.height))
        };
        let mut out = vec![object(
            absolute(&img.url),
            size_of(&img.url),
            &img.caption,
            &img.credit,
        )];
        if let Some(social) = img
            .variants
            .iter()
            .find(|v| v.preset == "social" && v.format == "jpg" && v.url != img.url)
        {
            out.push(object(
                absolute(&social.url),
                Some((social.width, social.height)),
                &img.caption,
                &img.credit,
            ));
        }
        return out;
    }
    match &a.summary.cover {
        Some(cover) => vec![object(
            cover.url.clone(),
            None,
            cover.caption.as_deref().unwrap_or(""),
            cover.credit.as_deref().unwrap_or(""),
        )],
        None => Vec::new(),
    }
}

/// The article as schema.org `NewsArticle` JSON-LD, for search engines'
/// news results; sites paste it into a script element of type
/// `application/ld+json` (it is written safe for that). Readable as the
/// article is.
#[utoipa::path(
    tag = "articles",
    params(Key<ArticleId>),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A schema.org NewsArticle", body = Object,
         content_type = "application/ld+json"),
        (status = 301, description = "The slug changed: `Location` is the current address"),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = oa::Unauthorized),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/articles/{id}/jsonld")]
pub async fn get_article_jsonld(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<ArticleId>,
) -> AppResult<HttpResponse> {
    let key = path.into_inner();
    let now = state.clock.now();
    let viewer = caller.clone();
    let found = state
        .db
        .run(move |c| match readable(c, &viewer, &key, now)? {
            Lookup::Moved(slug) => Ok(Err(slug)),
            Lookup::Found(row) => {
                let public = row.is_public(now);
                Ok(Ok((ArticleDetail::load(c, &row, now)?, public)))
            }
        })
        .await?;
    let (detail, public) = match found {
        Err(slug) => {
            return Ok(HttpResponse::MovedPermanently()
                .insert_header((header::LOCATION, format!("/api/v1/articles/{slug}/jsonld")))
                .finish());
        }
        Ok(found) => found,
    };
    let freshness = if public {
        caller.freshness()
    } else {
        Freshness::Private
    };
    if freshness == Freshness::Public {
        crate::http::response_cache::tag(&req, detail.summary.cache_keys());
    }
    let doc = news_article(&detail, &state.config);
    Ok(crate::http::jsonld::respond_ld(&req, freshness, &doc))
}
