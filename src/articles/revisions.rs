//! Earlier versions of an article, for staff: list, read, restore.

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::access::readable;
use super::dto::{ArticleDetail, RevisionDetail, RevisionSummary, Snapshot};
use super::model::RevisionRow;
use super::queries;
use super::write;
use crate::auth::{Action, Caller, authorize};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::http::path::{Id, Key};
use crate::http::{Freshness, ListQuery, Page, PageParams, respond, respond_page};
use crate::ids::{ArticleId, IdOrSlug, RevisionId, UserId};
use crate::openapi as oa;
use crate::review::ContentKind;
use crate::state::{AppState, utc};

fn parse(row: &RevisionRow) -> AppResult<Snapshot> {
    serde_json::from_str(&row.snapshot)
        .map_err(|e| AppError::internal(format!("revision {}: {e}", row.id)))
}

fn summary(row: &RevisionRow, title: String) -> RevisionSummary {
    RevisionSummary {
        id: RevisionId(row.id),
        version: row.version,
        title,
        created_by: row.created_by.map(UserId),
        created_at: utc(row.created_at),
    }
}

/// The article, for staff only.
fn staff_article(
    c: &mut AnyConnection,
    caller: &Caller,
    key: &IdOrSlug,
    now: chrono::NaiveDateTime,
) -> AppResult<super::model::ArticleRow> {
    authorize(
        caller,
        Action::ReviewContent {
            kind: ContentKind::Article,
        },
    )?;
    readable(c, caller, key, now)?.current()
}

/// Earlier versions of an article, newest first (staff).
#[utoipa::path(
    tag = "articles",
    params(Key<ArticleId>, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of revisions", body = Page<RevisionSummary>),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/articles/{id}/revisions")]
pub async fn list_revisions(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<ArticleId>,
    query: ListQuery<crate::http::query::NoParams>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&["version"], "-version")?;
    let key = path.into_inner();
    let now = state.clock.now();
    let p = paged.clone();
    let page = state
        .db
        .run(move |c| {
            let article = staff_article(c, &caller, &key, now)?;
            let (rows, total) = queries::revisions(c, article.id, &p)?;
            let items = rows
                .iter()
                .map(|r| parse(r).map(|s| summary(r, s.title)))
                .collect::<AppResult<Vec<_>>>()?;
            Ok(Page::new(&p, items, total))
        })
        .await?;
    Ok(respond_page(&req, Freshness::Private, &page, &paged))
}

/// One earlier version, with its content (staff).
#[utoipa::path(
    tag = "articles",
    params(Key<ArticleId>, Id<RevisionId>),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The revision", body = RevisionDetail),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/articles/{id}/revisions/{revision_id}")]
pub async fn get_revision(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    article: Key<ArticleId>,
    Id(RevisionId(revision)): Id<RevisionId>,
) -> AppResult<HttpResponse> {
    let key = article.into_inner();
    let now = state.clock.now();
    let detail = state
        .db
        .run(move |c| {
            let article = staff_article(c, &caller, &key, now)?;
            let row = queries::revision(c, article.id, revision)?;
            let content = parse(&row)?;
            Ok(RevisionDetail {
                summary: summary(&row, content.title.clone()),
                content,
            })
        })
        .await?;
    Ok(respond(&req, Freshness::Private, &detail))
}

/// Put an earlier version back. The version it replaces is kept as a revision too.
#[utoipa::path(
    tag = "articles",
    params(Key<ArticleId>, Id<RevisionId>),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Restored; the article as it is now", body = ArticleDetail),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/articles/{id}/revisions/{revision_id}/restore")]
pub async fn restore_revision(
    state: web::Data<AppState>,
    caller: Caller,
    article: Key<ArticleId>,
    Id(RevisionId(revision)): Id<RevisionId>,
) -> AppResult<HttpResponse> {
    let key = article.into_inner();
    let now = state.clock.now();
    let detail = state
        .db
        .write(move |c| {
            let article = staff_article(c, &caller, &key, now)?;
            let row = queries::revision(c, article.id, revision)?;
            let old = parse(&row)?;
            let was = article.status.clone();
            let was_at = article.published_at;
            let restored = write::restore(c, &caller, article, old, now)?;
            let change = super::change::status_change_for(c, &restored, Some((&was, was_at)), now)?;
            crate::changes::record(c, change)?;
            ArticleDetail::load(c, &restored, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}
