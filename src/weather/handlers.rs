//! The weather box: read by anyone, pushed by integrators (`weather:write`
//! keys) and admins, or fetched by the built-in fetcher (`fetch`).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::Weather;
use super::queries;
use super::requests::PutWeather;
use super::write::{self, Report, Source};
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::http::path::Key;
use crate::http::{Json, ListQuery, Page, respond, respond_page};
use crate::ids::TownId;
use crate::openapi as oa;
use crate::state::AppState;

/// The towns take no filters: the list is short.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WeatherFilters {}

/// Shared caches keep a stale observation this long at most, seconds.
const STALE_MAX_AGE: u32 = 30;

fn max_age(state: &AppState) -> chrono::Duration {
    chrono::Duration::from_std(state.config.weather.max_age).unwrap_or(chrono::Duration::hours(3))
}

/// A stale answer is kept briefly by caches: a fresh one may come any minute.
fn shorten_when_stale(mut res: HttpResponse, stale: bool, state: &AppState) -> HttpResponse {
    if stale
        && !res
            .headers()
            .get(header::CACHE_CONTROL)
            .is_some_and(|v| v.as_bytes().starts_with(b"private"))
    {
        let seconds = state.config.public_max_age.min(STALE_MAX_AGE);
        if let Ok(value) = HeaderValue::from_str(&format!("public, max-age={seconds}")) {
            res.headers_mut().insert(header::CACHE_CONTROL, value);
        }
    }
    res
}

/// Every town's weather, by name.
#[utoipa::path(
    tag = "weather",
    params(crate::http::PageParams, WeatherFilters),
    responses(
        (status = 200, description = "A page of towns with their weather", body = Page<Weather>),
        (status = 400, response = oa::BadRequest),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/weather")]
pub async fn list_weather(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<WeatherFilters>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&["name"], "name")?;
    let (offset, limit) = (paged.offset, paged.fetch());
    let (rows, total) = state
        .db
        .run(move |c| Ok(queries::list(c, offset, limit)?))
        .await?;
    let (now, age) = (state.clock.now(), max_age(&state));
    let page = Page::new(&paged, rows, total).map(|r| Weather::from_row(r, now, age));
    let stale = page.data.iter().any(|w| w.stale);
    let res = respond_page(&req, caller.freshness(), &page, &paged);
    Ok(shorten_when_stale(res, stale, &state))
}

/// A town's weather, by id or slug (`/weather/besancon`).
///
/// `stale: true` when the observation is older than
/// `KIOSQUE_WEATHER_MAX_AGE_MINUTES` or the provider failed since; shared
/// caches then keep the answer 30 seconds at most.
#[utoipa::path(
    tag = "weather",
    params(Key<TownId>),
    responses(
        (status = 200, description = "The town's weather", body = Weather,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/weather/{id}")]
pub async fn get_weather(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<TownId>,
) -> AppResult<HttpResponse> {
    let key = path.into_inner();
    let row = state
        .db
        .run(move |c| queries::find(c, &key)?.ok_or_else(|| AppError::not_found("no such town")))
        .await?;
    let weather = Weather::from_row(row, state.clock.now(), max_age(&state));
    let stale = weather.stale;
    let res = respond(&req, caller.freshness(), &weather);
    Ok(shorten_when_stale(res, stale, &state))
}

/// Push a town's weather: its observation and, optionally, a short forecast
/// (keys with `weather:write`, admins).
///
/// The whole weather is replaced. A new slug creates the town (then `name`
/// is required; answer 201). Values out of their plausible range are refused
/// (422); an observation more than 10 minutes in the future too.
#[utoipa::path(
    tag = "weather",
    params(Key<TownId>),
    request_body = PutWeather,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Stored", body = Weather),
        (status = 201, description = "Stored, for a new town", body = Weather,
         headers(("Location" = String, description = "The town's address"))),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[put("/weather/{id}")]
pub async fn put_weather(
    state: web::Data<AppState>,
    caller: Caller,
    path: Key<TownId>,
    body: Json<PutWeather>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::WriteWeather)?;
    let body = body.0;
    let now = state.clock.now();
    if crate::state::stored(body.observation.observed_at) > now + chrono::Duration::minutes(10) {
        return Err(AppError::validation(vec![crate::error::FieldError::new(
            "observation.observed_at",
            "must not be in the future",
        )]));
    }
    let report = Report {
        name: body.name,
        coordinates: body.latitude.zip(body.longitude),
        observation: body.observation,
        forecast: body.forecast,
        source: Source::Push,
    };
    let key = path.into_inner();
    let (row, created) = state
        .db
        .write(move |c| write::store(c, &key, report, now))
        .await?;
    let location = format!("/api/v1/weather/{}", row.slug);
    let weather = Weather::from_row(row, now, max_age(&state));
    Ok(if created {
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .json(weather)
    } else {
        HttpResponse::Ok().json(weather)
    })
}
