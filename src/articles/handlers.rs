//! The articles' endpoints, and finding an article the caller may read.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::access::{Lookup, readable};
use super::dto::{ArticleDetail, ArticleSummary};
use super::filters::{ArticleFilters, SORTABLE};
use super::queries::{self, ArticleScope, ListFilters};
use super::requests::{CreateArticle, ReadParams, UpdateArticle};
use super::write;
use crate::audit::{Actor, Origin};
use crate::auth::{Action, Caller, authorize};
use crate::db::AnyConnection;
use crate::db::totals::Totals;
use crate::error::AppResult;
use crate::http::pagination::{KeyValue, invalid_cursor};
use crate::http::path::Key;
use crate::http::shape::{ShapeParams, respond_page_shaped, respond_shaped};
use crate::http::{
    Freshness, IfMatch, Json, ListQuery, Page, PageParams, PageRequest, Query, respond_page,
};
use crate::ids::ArticleId;
use crate::openapi as oa;
use crate::review::{ContentKind, limit_submissions};
use crate::state::AppState;

const KIND: ContentKind = ContentKind::Article;

/// List articles, newest first. Public readers see published articles; staff
/// may ask for other statuses, and anyone signed in for `mine`.
///
/// Each item embeds its section, tags and authors (no `include` needed); a
/// page costs a fixed number of queries. Sortable by `published_at`,
/// `updated_at`, `title`; with `q`, by relevance unless `sort` is given.
#[utoipa::path(
    tag = "articles",
    params(PageParams, ArticleFilters, ShapeParams),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of article summaries", body = Page<ArticleSummary>,
         headers(("ETag" = String), ("Link" = String, description = "RFC 8288 next/prev"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/articles")]
pub async fn list_articles(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<ArticleFilters, ShapeParams>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&SORTABLE, "-published_at")?;
    let shape = query.extra.resolve::<ArticleSummary>()?;
    let explicit_sort = query.page.sort.is_some();
    let f = &query.filters;
    let scope = f.scope(&caller)?;
    let freshness = match scope {
        ArticleScope::Public => caller.freshness(),
        _ => Freshness::Private,
    };
    let now = state.clock.now();
    let (section, tag, author) = (f.section.clone(), f.tag.clone(), f.author.clone());
    let mut filters = ListFilters::public(now);
    filters.scope = scope;
    filters.q = f.q.clone().filter(|q| !q.trim().is_empty());
    filters.published_after = f.published_after.map(|t| t.naive_utc());
    filters.published_before = f.published_before.map(|t| t.naive_utc());
    filters.updated_after = f.updated_after.map(|t| t.naive_utc());
    let p = paged.clone();
    let totals = state.totals.clone();
    // read before anything the total depends on (see `db::totals`)
    let generation = state.db.generation();
    let page = state
        .db
        .run(move |c| {
            // a filter naming nothing matches nothing
            let mut nothing = false;
            if let Some(key) = section {
                filters.section_id = queries::resolve_section(c, &key)?;
                nothing |= filters.section_id.is_none();
            }
            if let Some(key) = tag {
                filters.tag_id = queries::resolve_tag(c, &key)?;
                nothing |= filters.tag_id.is_none();
            }
            if let Some(key) = author {
                filters.author_id = queries::resolve_user(c, &key)?;
                nothing |= filters.author_id.is_none();
            }
            if nothing {
                return Ok(Page::new(&p, Vec::new(), 0));
            }
            page_of(c, &totals, generation, &filters, &p, explicit_sort)
        })
        .await?;
    if freshness == Freshness::Public {
        tag_summaries(&req, &state, &page.data).await?;
    }
    respond_page_shaped(&req, freshness, &shape, &page, &paged)
}

/// Names the cache keys of a public list of summaries (every article list,
/// and what each item shows) and when it changes by the clock alone (a
/// scheduled article's time comes).
async fn tag_summaries(
    req: &HttpRequest,
    state: &AppState,
    items: &[ArticleSummary],
) -> AppResult<()> {
    use crate::http::response_cache as cache;
    cache::tag(req, ["list:articles".to_string()]);
    for item in items {
        cache::tag(req, item.cache_keys());
    }
    if state.responses.is_on() {
        let now = state.clock.now();
        let next = state
            .db
            .run(move |c| Ok(super::timed::next_publication(c, now)?))
            .await?;
        cache::until(req, next);
    }
    Ok(())
}

/// One page of a list of articles, its total remembered between requests
/// (counted again after a write or a scheduled publication), and a keyset
/// cursor to the next page unless the page is ordered by relevance.
fn page_of(
    c: &mut AnyConnection,
    totals: &Totals,
    generation: u64,
    filters: &ListFilters,
    p: &PageRequest,
    explicit_sort: bool,
) -> AppResult<Page<ArticleSummary>> {
    let ranked = filters.q.is_some() && !explicit_sort;
    if !ranked
        && let Some(key) = &p.after
        && !queries::key_fits(filters, p, key)
    {
        return Err(invalid_cursor());
    }
    let rows = queries::list(c, filters, p, explicit_sort)?;
    let total = totals.get_or_count(&filters.total_key(), generation, filters.now, || {
        queries::count(c, filters)
    })?;
    let keys: Vec<Vec<KeyValue>> = rows
        .iter()
        .map(|r| queries::sort_key(r, filters, p))
        .collect();
    let summaries = ArticleSummary::load_all(c, &rows, filters.now)?;
    if ranked {
        return Ok(Page::new(p, summaries, total));
    }
    let keyed: Vec<_> = summaries.into_iter().zip(keys).collect();
    Ok(Page::keyed(p, keyed, total, |(_, key)| key.clone()).map(|(summary, _)| summary))
}

fn moved(current_slug: &str) -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, format!("/api/v1/articles/{current_slug}")))
        .finish()
}

/// Read an article by id or slug. A former slug answers 301 with the current address.
///
/// With `?preview=<token>` (from `POST /articles/{id}/preview`), anyone
/// reads the article the token opens, whatever its status, with
/// `Cache-Control: private, no-store`; an expired or forged token is 401
/// (`preview_token_expired`, `preview_token_invalid`), a token of another
/// article 403 (`preview_token_other_article`).
#[utoipa::path(
    tag = "articles",
    params(Key<ArticleId>, ReadParams),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The article", body = ArticleDetail,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 301, description = "The slug changed: `Location` is the current address"),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/articles/{id}")]
pub async fn get_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<ArticleId>,
    query: Query<ReadParams>,
) -> AppResult<HttpResponse> {
    let shape = query.shape().resolve::<ArticleDetail>()?;
    let key = path.into_inner();
    if let Some(token) = &query.preview {
        return super::preview::read_preview(&req, &state, key, token).await;
    }
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
    match found {
        Err(slug) => Ok(moved(&slug)),
        Ok((detail, public)) => {
            let freshness = if public {
                caller.freshness()
            } else {
                Freshness::Private
            };
            if freshness == Freshness::Public {
                crate::http::response_cache::tag(&req, detail.cache_keys());
            }
            respond_shaped(&req, freshness, &shape, &detail)
        }
    }
}

/// Write an article. Staff create drafts or publish; a member's article is a
/// submission (`pending`), invisible to the public until an editor publishes it.
#[utoipa::path(
    tag = "articles",
    request_body = CreateArticle,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = ArticleDetail,
         headers(("Location" = String, description = "The new article's address"))),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 409, response = oa::Conflict),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/articles")]
pub async fn create_article(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    body: Json<CreateArticle>,
) -> AppResult<HttpResponse> {
    limit_submissions(&state, &caller, KIND).await?;
    let now = state.clock.now();
    let body = body.0;
    let who = caller.clone();
    let detail = state
        .db
        .write(move |c| {
            let row = write::create(c, &who, body, now)?;
            crate::audit::content_status(
                c,
                &Actor::of(&who, &origin),
                ("article", row.id),
                None,
                &row.status,
                now,
            )?;
            let change = super::change::status_change_for(c, &row, None, now)?;
            crate::changes::record(c, change)?;
            ArticleDetail::load(c, &row, now)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/articles/{}", detail.summary.id),
        ))
        .json(detail))
}

/// Change an article, or move it in the workflow (`status`). Content changes
/// keep the previous version as a revision and set `updated_at`; send
/// `If-Match` with the ETag you read to refuse a stale update.
#[utoipa::path(
    tag = "articles",
    params(
        Key<ArticleId>,
        crate::http::IfMatch,
    ),
    request_body = UpdateArticle,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = ArticleDetail),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 412, response = oa::PreconditionFailed),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[patch("/articles/{id}")]
pub async fn update_article(
    if_match: IfMatch,
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Key<ArticleId>,
    body: Json<UpdateArticle>,
) -> AppResult<HttpResponse> {
    let key = path.into_inner();
    let now = state.clock.now();
    let body = body.0;
    let detail = state
        .db
        .write(move |c| {
            let row = readable(c, &caller, &key, now)?.current()?;
            if_match.check(&ArticleDetail::load(c, &row, now)?)?;
            let was = row.status.clone();
            let was_at = row.published_at;
            let row = write::update(c, &caller, row, body, now)?;
            crate::audit::content_status(
                c,
                &Actor::of(&caller, &origin),
                ("article", row.id),
                Some(&was),
                &row.status,
                now,
            )?;
            let change = super::change::status_change_for(c, &row, Some((&was, was_at)), now)?;
            crate::changes::record(c, change)?;
            ArticleDetail::load(c, &row, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Delete an article. Editors delete any; authors and submitters their own unpublished ones.
#[utoipa::path(
    tag = "articles",
    params(Key<ArticleId>),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[delete("/articles/{id}")]
pub async fn delete_article(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Key<ArticleId>,
) -> AppResult<HttpResponse> {
    let key = path.into_inner();
    let now = state.clock.now();
    state
        .db
        .write(move |c| {
            let row = readable(c, &caller, &key, now)?.current()?;
            let owners = queries::owners(c, &row)?;
            authorize(
                &caller,
                Action::DeleteContent {
                    kind: KIND,
                    owners: &owners,
                    status: row.status(now),
                },
            )?;
            crate::audit::content_deleted(
                c,
                &Actor::of(&caller, &origin),
                ("article", row.id),
                now,
            )?;
            let change = super::change::change_for(c, &row, "deleted", now)?;
            queries::delete(c, row.id)?;
            crate::changes::timed::forget(c, "article", row.id)?;
            crate::changes::record(c, change)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Other published articles of the same section, newest first (the sidebar).
#[utoipa::path(
    tag = "articles",
    params(Key<ArticleId>, PageParams),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of related articles", body = Page<ArticleSummary>),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = oa::BadRequest),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/articles/{id}/related")]
pub async fn related_articles(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<ArticleId>,
    query: ListQuery<crate::http::query::NoParams>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&["published_at"], "-published_at")?;
    let key = path.into_inner();
    let now = state.clock.now();
    let viewer = caller.clone();
    let p = paged.clone();
    let totals = state.totals.clone();
    let generation = state.db.generation();
    let page = state
        .db
        .run(move |c| {
            let row = readable(c, &viewer, &key, now)?.current()?;
            let Some(section) = row.section_id else {
                return Ok(Page::new(&p, Vec::new(), 0));
            };
            let mut filters = ListFilters::public(now);
            filters.section_id = Some(section);
            filters.exclude_id = Some(row.id);
            page_of(c, &totals, generation, &filters, &p, true)
        })
        .await?;
    if caller.freshness() == Freshness::Public {
        tag_summaries(&req, &state, &page.data).await?;
    }
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}
