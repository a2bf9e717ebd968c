//! The agenda as iCalendar files, for calendar applications: the list (same
//! filters as `/events`) and one event.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};

use super::filters::{EventFilters, SORTABLE};
use super::handlers::page_of;
use super::model::EventRow;
use crate::auth::Caller;
use crate::error::AppResult;
use crate::http::conditional::{client_has, etag_of};
use crate::http::path::Id;
use crate::http::{Freshness, ListQuery};
use crate::ids::EventId;
use crate::openapi as oa;
use crate::review::flow;
use crate::state::AppState;

fn ics_response(req: &HttpRequest, freshness: Freshness, body: String) -> HttpResponse {
    let max_age = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.config.public_max_age)
        .unwrap_or(60);
    let etag = etag_of(body.as_bytes());
    // a calendar application polls the same URL: an unchanged agenda costs it no body
    let current = client_has(req, &etag);
    let mut res = if current {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((
            header::CACHE_CONTROL,
            match freshness {
                Freshness::Public => format!("public, max-age={max_age}"),
                Freshness::Private => "private, no-cache".to_string(),
            },
        ))
        .insert_header((header::VARY, "Authorization"));
    if current {
        return res.finish();
    }
    res.content_type("text/calendar; charset=utf-8").body(body)
}

fn host(req: &HttpRequest) -> String {
    let info = req.connection_info();
    let host = info.host();
    // the UID's right side: the host without its port
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map(|(h, _)| h)
        .unwrap_or(host)
        .to_string()
}

/// The event list as an iCalendar (RFC 5545) file, with the same filters as `/events`.
/// Up to `limit` events (default and maximum 100).
#[utoipa::path(
    tag = "events",
    params(crate::http::PageParams, EventFilters),
    responses(
        (status = 200, description = "An iCalendar file", body = String,
         content_type = "text/calendar"),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/events.ics")]
pub async fn export_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<EventFilters>,
) -> AppResult<HttpResponse> {
    let mut paged = query.paged(&SORTABLE, "starts_at")?;
    if query.page.limit.is_none() {
        paged.limit = crate::http::pagination::MAX_LIMIT;
    }
    let (page, _) = page_of(&state, &caller, &query, &paged).await?;
    let body = super::ics::calendar(&page.data, &host(&req), "Agenda");
    Ok(ics_response(&req, caller.freshness(), body))
}

/// One event as an iCalendar (RFC 5545) file, to add to a calendar.
#[utoipa::path(
    tag = "events",
    params(Id<EventId>),
    responses(
        (status = 200, description = "An iCalendar file with one event", body = String,
         content_type = "text/calendar"),
        (status = 401, response = oa::Unauthorized),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/events/{id}.ics")]
pub async fn export_event(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<EventId>,
) -> AppResult<HttpResponse> {
    let (row, _) = flow::load::<EventRow>(&state, &caller, path.0.0).await?;
    let name = row.fields.title.clone();
    let body = super::ics::calendar(&[row], &host(&req), &name);
    Ok(ics_response(&req, caller.freshness(), body))
}
