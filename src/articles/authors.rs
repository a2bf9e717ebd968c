//! Public author profiles ("Par Léa Martin") and their published articles.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{ArticleSummary, Author, AuthorDetail};
use super::queries::{self, ListFilters};
use crate::auth::Caller;
use crate::error::AppResult;
use crate::http::path::Key;
use crate::http::{Freshness, ListQuery, Page, PageParams, respond, respond_page};
use crate::ids::AuthorKey;
use crate::ids::UserId;
use crate::openapi as oa;
use crate::state::AppState;

/// The newsroom's public profiles, by name.
#[utoipa::path(
    tag = "authors",
    params(PageParams),
    responses(
        (status = 200, description = "A page of authors", body = Page<Author>),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = oa::BadRequest),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/authors")]
pub async fn list_authors(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<crate::http::query::NoParams>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&["display_name"], "display_name")?;
    let now = state.clock.now();
    let p = paged.clone();
    let page = state
        .db
        .run(move |c| {
            let (rows, total) = queries::list_authors(c, &p)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let counts = queries::published_counts(c, &ids, now)?;
            let authors = rows
                .into_iter()
                .map(|p| Author {
                    article_count: counts.get(&p.id).copied().unwrap_or(0),
                    id: UserId(p.id),
                    slug: p.slug.unwrap_or_default(),
                    display_name: p.display_name,
                    bio: p.bio,
                    avatar_url: p.avatar_url,
                })
                .collect();
            Ok(Page::new(&p, authors, total))
        })
        .await?;
    if caller.freshness() == Freshness::Public {
        // who is an author, and their counts, change with any article
        crate::http::response_cache::tag(
            &req,
            ["list:authors".to_string(), "list:articles".to_string()],
        );
        crate::http::response_cache::tag(
            &req,
            page.data.iter().map(|a| format!("user:{}", a.id.0)),
        );
    }
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}

/// An author's profile with their latest published articles.
#[utoipa::path(
    tag = "authors",
    params(Key<AuthorKey>),
    responses(
        (status = 200, description = "The author", body = AuthorDetail),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/authors/{id}")]
pub async fn get_author(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<AuthorKey>,
) -> AppResult<HttpResponse> {
    let slug = path.into_inner();
    let now = state.clock.now();
    let detail = state
        .db
        .run(move |c| {
            let p = queries::find_author(c, &slug)?;
            let id = p.id;
            let mut filters = ListFilters::public(now);
            filters.author_id = Some(id);
            let recent = crate::http::pagination::first_page(10, "-published_at");
            let rows = queries::list(c, &filters, &recent, true)?;
            let (total, _) = queries::count(c, &filters)?;
            let recent_articles = ArticleSummary::load_all(c, &rows[..rows.len().min(10)], now)?;
            Ok(AuthorDetail {
                author: Author {
                    id: UserId(id),
                    slug: p.slug.unwrap_or_default(),
                    display_name: p.display_name,
                    bio: p.bio,
                    avatar_url: p.avatar_url,
                    article_count: total,
                },
                recent_articles,
            })
        })
        .await?;
    if caller.freshness() == Freshness::Public {
        use crate::http::response_cache as cache;
        cache::tag(
            &req,
            [
                format!("user:{}", detail.author.id.0),
                "list:articles".to_string(),
            ],
        );
        for item in &detail.recent_articles {
            cache::tag(&req, item.cache_keys());
        }
        if state.responses.is_on() {
            let now = state.clock.now();
            let next = state
                .db
                .run(move |c| Ok(super::timed::next_publication(c, now)?))
                .await?;
            cache::until(&req, next);
        }
    }
    Ok(respond(&req, caller.freshness(), &detail))
}
