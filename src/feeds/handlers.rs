//! The feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the whole site, of a
//! section, a tag or an author, of job offers and of upcoming events.
//! Public; built once and served from memory until the content changes
//! (`http::cached`), with `ETag`, `Last-Modified` and 304.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::build::{self, Heading};
use super::queries::{self, Scope};
use super::requests::Format;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::http::cached::serve;
use crate::http::path::Key;
use crate::ids::{AuthorKey, SectionId, TagId};
use crate::openapi as oa;
use crate::state::AppState;

/// The site's feed: the newest published articles.
///
/// `rss.xml`, `atom.xml` or `feed.json`; links go to the front end's pages
/// (`KIOSQUE_SITE_URL` and `KIOSQUE_SITE_ARTICLE_PATH`). The newest
/// `KIOSQUE_FEED_ITEMS` articles, with their lead, full HTML
/// (`KIOSQUE_FEED_FULL_CONTENT`), authors, section and tags as categories and
/// their cover image. Send `If-None-Match` or `If-Modified-Since` for a 304.
#[utoipa::path(
    tag = "feeds",
    params(Format),
    responses(
        (status = 200, description = "The feed", content(
            (String = "application/rss+xml"), (String = "application/atom+xml"),
            (Object = "application/feed+json")),
         headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match, If-Modified-Since)"),
        (status = 400, response = oa::BadRequest),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/feeds/{format}")]
pub async fn site_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    _caller: Caller,
    format: Format,
) -> AppResult<HttpResponse> {
    let (st, path) = (state.clone(), req.path().to_string());
    serve(&req, &state, move |c, now| {
        let config = &st.config;
        build::articles(
            c,
            now,
            config,
            Scope::Site,
            |links| Heading::site(config, links),
            &path,
            format,
        )
    })
    .await
}

/// A section's feed: its newest published articles (e.g. "Economie").
#[utoipa::path(
    tag = "feeds",
    params(Key<SectionId>, Format),
    responses(
        (status = 200, description = "The feed", content(
            (String = "application/rss+xml"), (String = "application/atom+xml"),
            (Object = "application/feed+json")),
         headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match, If-Modified-Since)"),
        (status = 400, response = oa::BadRequest),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/feeds/sections/{id}/{format}")]
pub async fn section_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    _caller: Caller,
    path: Key<SectionId>,
    format: Format,
) -> AppResult<HttpResponse> {
    let (st, self_path, key) = (state.clone(), req.path().to_string(), path.into_inner());
    serve(&req, &state, move |c, now| {
        let config = &st.config;
        let subject =
            queries::section(c, &key)?.ok_or_else(|| AppError::not_found("no such section"))?;
        build::articles(
            c,
            now,
            config,
            Scope::Section(subject.id),
            |links| {
                let home = links.section(subject.id, subject.slug.as_deref().unwrap_or_default());
                Heading::of(config, &subject, home, "Les articles de la rubrique")
            },
            &self_path,
            format,
        )
    })
    .await
}

/// A tag's feed: its newest published articles.
#[utoipa::path(
    tag = "feeds",
    params(Key<TagId>, Format),
    responses(
        (status = 200, description = "The feed", content(
            (String = "application/rss+xml"), (String = "application/atom+xml"),
            (Object = "application/feed+json")),
         headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match, If-Modified-Since)"),
        (status = 400, response = oa::BadRequest),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/feeds/tags/{id}/{format}")]
pub async fn tag_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    _caller: Caller,
    path: Key<TagId>,
    format: Format,
) -> AppResult<HttpResponse> {
    let (st, self_path, key) = (state.clone(), req.path().to_string(), path.into_inner());
    serve(&req, &state, move |c, now| {
        let config = &st.config;
        let subject = queries::tag(c, &key)?.ok_or_else(|| AppError::not_found("no such tag"))?;
        build::articles(
            c,
            now,
            config,
            Scope::Tag(subject.id),
            |links| {
                let home = links.tag(subject.id, subject.slug.as_deref().unwrap_or_default());
                Heading::of(config, &subject, home, "Les articles sur")
            },
            &self_path,
            format,
        )
    })
    .await
}

/// An author's feed: the newest published articles they signed.
#[utoipa::path(
    tag = "feeds",
    params(Key<AuthorKey>, Format),
    responses(
        (status = 200, description = "The feed", content(
            (String = "application/rss+xml"), (String = "application/atom+xml"),
            (Object = "application/feed+json")),
         headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match, If-Modified-Since)"),
        (status = 400, response = oa::BadRequest),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/feeds/authors/{id}/{format}")]
pub async fn author_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    _caller: Caller,
    path: Key<AuthorKey>,
    format: Format,
) -> AppResult<HttpResponse> {
    let (st, self_path, key) = (state.clone(), req.path().to_string(), path.into_inner());
    serve(&req, &state, move |c, now| {
        let config = &st.config;
        let subject =
            queries::author(c, &key)?.ok_or_else(|| AppError::not_found("no such author"))?;
        build::articles(
            c,
            now,
            config,
            Scope::Author(subject.id),
            |links| {
                let home = links.author(subject.id, subject.slug.as_deref());
                let mut subject = subject.clone();
                // a biography is no description of a feed
                subject.description = String::new();
                Heading::of(config, &subject, home, "Les articles de")
            },
            &self_path,
            format,
        )
    })
    .await
}

/// The job offers' feed: the newest published offers that have not expired.
#[utoipa::path(
    tag = "feeds",
    params(Format),
    responses(
        (status = 200, description = "The feed", content(
            (String = "application/rss+xml"), (String = "application/atom+xml"),
            (Object = "application/feed+json")),
         headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match, If-Modified-Since)"),
        (status = 400, response = oa::BadRequest),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/feeds/jobs/{format}")]
pub async fn jobs_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    _caller: Caller,
    format: Format,
) -> AppResult<HttpResponse> {
    let (st, self_path) = (state.clone(), req.path().to_string());
    serve(&req, &state, move |c, now| {
        build::jobs(c, now, &st.config, &self_path, format)
    })
    .await
}

/// The agenda's feed: published events that have not ended, soonest first.
#[utoipa::path(
    tag = "feeds",
    params(Format),
    responses(
        (status = 200, description = "The feed", content(
            (String = "application/rss+xml"), (String = "application/atom+xml"),
            (Object = "application/feed+json")),
         headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match, If-Modified-Since)"),
        (status = 400, response = oa::BadRequest),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/feeds/events/{format}")]
pub async fn events_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    _caller: Caller,
    format: Format,
) -> AppResult<HttpResponse> {
    let (st, self_path) = (state.clone(), req.path().to_string());
    serve(&req, &state, move |c, now| {
        build::events(c, now, &st.config, &self_path, format)
    })
    .await
}
