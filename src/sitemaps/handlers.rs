//! Sitemaps for search engines: an index, paginated child sitemaps (at most
//! `KIOSQUE_SITEMAP_URLS_PER_FILE` addresses each, 50,000 by the protocol)
//! and the Google News sitemap. Public; served from memory until the
//! content changes, with `ETag`, `Last-Modified` and 304.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::build;
use super::requests::SitemapFile;
use crate::auth::Caller;
use crate::error::AppResult;
use crate::http::cached::serve;
use crate::openapi as oa;
use crate::state::AppState;

/// The sitemap index: every child sitemap and the news sitemap.
///
/// Addresses in sitemaps point to the front end's pages (`KIOSQUE_SITE_URL`
/// and the `KIOSQUE_SITE_*_PATH` templates); the index points to the child
/// sitemaps on this API (`KIOSQUE_PUBLIC_API_URL`).
#[utoipa::path(
    tag = "sitemaps",
    responses(
        (status = 200, description = "A sitemap index (sitemaps.org 0.9)", body = String,
         content_type = "application/xml",
         headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match, If-Modified-Since)"),
        (status = 400, response = oa::BadRequest),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/sitemap.xml")]
pub async fn sitemap_index(
    req: HttpRequest,
    state: web::Data<AppState>,
    _caller: Caller,
) -> AppResult<HttpResponse> {
    let st = state.clone();
    serve(&req, &state, move |c, now| build::index(c, now, &st.config)).await
}

/// The Google News sitemap: articles published in the last 48 hours.
///
/// Each with `news:publication` (the site's name, `KIOSQUE_SITE_NAME`, and
/// language, `KIOSQUE_SITE_LANGUAGE`), `news:publication_date` and
/// `news:title`; at most 1,000 articles, newest first.
#[utoipa::path(
    tag = "sitemaps",
    responses(
        (status = 200, description = "A Google News sitemap", body = String,
         content_type = "application/xml",
         headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match, If-Modified-Since)"),
        (status = 400, response = oa::BadRequest),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/sitemaps/news.xml")]
pub async fn news_sitemap(
    req: HttpRequest,
    state: web::Data<AppState>,
    _caller: Caller,
) -> AppResult<HttpResponse> {
    let st = state.clone();
    serve(&req, &state, move |c, now| build::news(c, now, &st.config)).await
}

/// A child sitemap: public articles, sections, tags, authors, events or job
/// offers, by id, with their `lastmod`.
#[utoipa::path(
    tag = "sitemaps",
    params(SitemapFile),
    responses(
        (status = 200, description = "A sitemap (sitemaps.org 0.9)", body = String,
         content_type = "application/xml",
         headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match, If-Modified-Since)"),
        (status = 400, response = oa::BadRequest),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/sitemaps/{file}")]
pub async fn get_sitemap(
    req: HttpRequest,
    state: web::Data<AppState>,
    _caller: Caller,
    file: SitemapFile,
) -> AppResult<HttpResponse> {
    let st = state.clone();
    serve(&req, &state, move |c, now| {
        build::child(c, now, &st.config, file.kind, file.page)
    })
    .await
}
