//! Reading the audit log (admins only).

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{AuditEntry, AuditFiltersQuery, SORTABLE};
use super::queries::{self, AuditFilters};
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::http::{Freshness, ListQuery, Page, PageParams, respond_page};
use crate::openapi as oa;
use crate::state::AppState;

fn resolve(q: &AuditFiltersQuery) -> AppResult<AuditFilters> {
    let actor_id = match q.actor.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .map_err(|_| AppError::bad_query(format!("actor must be an id, not `{raw}`")))?,
        ),
    };
    if let (Some(since), Some(until)) = (q.since, q.until)
        && since >= until
    {
        return Err(AppError::bad_query("since must be before until"));
    }
    Ok(AuditFilters {
        actions: q
            .action
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect(),
        actor_type: q.actor_type.map(|t| t.as_str().to_string()),
        actor_id,
        target_type: q.target_type.clone().filter(|t| !t.is_empty()),
        target_id: q.target_id.clone().filter(|t| !t.is_empty()),
        since: q.since.map(|t| t.naive_utc()),
        until: q.until.map(|t| t.naive_utc()),
    })
}

/// The audit log: sign-ins (and failed ones), role changes, disabled and
/// deleted accounts, API keys created and revoked, moderation decisions and
/// bans, publication, unpublication and deletion of content, exports — who,
/// what, when, from which address. Newest first (`sort=occurred_at` for
/// oldest first). Entries are kept `KIOSQUE_AUDIT_RETENTION_DAYS` days and
/// never hold secrets.
#[utoipa::path(
    tag = "audit",
    params(PageParams, AuditFiltersQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of entries", body = Page<AuditEntry>,
         headers(("Link" = String, description = "RFC 8288 next/prev"))),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<AuditFiltersQuery>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ReadAudit)?;
    let paged = query.paged(&SORTABLE, "-occurred_at")?;
    let filters = resolve(&query.filters)?;
    let p = paged.clone();
    let (rows, total) = state
        .db
        .run(move |c| Ok(queries::list(c, &filters, &p)?))
        .await?;
    let page = Page::new(&paged, rows, total).map(AuditEntry::from);
    Ok(respond_page(&req, Freshness::Private, &page, &paged))
}
