//! Storing a town's weather, whoever gives it (an integrator's push, the
//! fetcher, the demo seed): one function, its change recorded in the same
//! transaction.

use chrono::NaiveDateTime;

use super::model::{NewWeather, ObservationForm, WeatherRow};
use super::queries;
use super::requests::{ForecastStep, Observation};
use crate::changes::{self, Change};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::http::validate::is_valid_slug;
use crate::ids::IdOrSlug;
use crate::state::stored;

/// Where an observation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Push,
    Provider,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Push => "push",
            Source::Provider => "provider",
        }
    }
}

/// A town's weather to store.
#[derive(Debug, Clone)]
pub struct Report {
    /// Required for a new town; a known town keeps its name when `None`.
    pub name: Option<String>,
    pub coordinates: Option<(f64, f64)>,
    pub observation: Observation,
    pub forecast: Vec<ForecastStep>,
    pub source: Source,
}

fn change(row: &WeatherRow, what: &str, now: NaiveDateTime) -> Change {
    Change::new("weather", what, row.id, now)
        .slug(row.slug.clone())
        .paths([
            "/api/v1/weather".to_string(),
            format!("/api/v1/weather/{}", row.slug),
            format!("/api/v1/weather/{}", row.id),
        ])
}

/// Stores `report` as the weather of the town `key` (created when `key` is
/// a new slug); returns the row and whether it is new.
pub fn store(
    c: &mut AnyConnection,
    key: &IdOrSlug,
    report: Report,
    now: NaiveDateTime,
) -> AppResult<(WeatherRow, bool)> {
    let existing = queries::find(c, key)?;
    let (slug, name) = match (&existing, key) {
        (Some(row), _) => (row.slug.clone(), report.name.unwrap_or(row.name.clone())),
        (None, IdOrSlug::Id(_)) => return Err(AppError::not_found("no such town")),
        (None, IdOrSlug::Slug(slug)) if !is_valid_slug(slug) => {
            return Err(AppError::not_found(format!(
                "no such town: `{slug}` is not a slug (lower-case letters, digits, hyphens)"
            )));
        }
        (None, IdOrSlug::Slug(slug)) => match report.name {
            Some(name) => (slug.clone(), name),
            None => {
                return Err(AppError::validation(vec![crate::error::FieldError::new(
                    "name",
                    "is required for a new town",
                )]));
            }
        },
    };
    let forecast = serde_json::to_string(&report.forecast)
        .map_err(|e| AppError::internal(format!("forecast: {e}")))?;
    let obs = report.observation;
    let form = ObservationForm {
        name,
        latitude: report.coordinates.map(|(lat, _)| lat),
        longitude: report.coordinates.map(|(_, lon)| lon),
        temperature_c: obs.temperature_c,
        description: obs.description,
        icon: obs.icon,
        observed_at: stored(obs.observed_at),
        wind_speed_ms: obs.wind_speed_ms,
        wind_direction_deg: obs.wind_direction_deg,
        pressure_hpa: obs.pressure_hpa,
        humidity_pct: obs.humidity_pct,
        forecast,
        source: report.source.as_str().to_string(),
        failed_at: None,
        failure: None,
        updated_at: now,
    };
    let (row, created) = match existing {
        Some(row) => (queries::update(c, row.id, &form)?, false),
        None => (queries::insert(c, &NewWeather::new(slug, form, now))?, true),
    };
    changes::record(
        c,
        change(&row, if created { "created" } else { "updated" }, now),
    )?;
    Ok((row, created))
}

/// Notes that fetching the town `slug` failed: its last good observation
/// stays, now marked stale. Nothing to note for a town never observed, or
/// one already marked.
pub fn note_failure(
    c: &mut AnyConnection,
    slug: &str,
    failure: &str,
    now: NaiveDateTime,
) -> AppResult<Option<WeatherRow>> {
    let Some(row) = queries::find(c, &IdOrSlug::Slug(slug.to_string()))? else {
        return Ok(None);
    };
    if row.failed_at.is_some() {
        return Ok(Some(row));
    }
    let failure: String = failure.chars().take(500).collect();
    let row = queries::mark_failed(c, row.id, &failure, now)?;
    changes::record(c, change(&row, "failed", now).datum("stale", true))?;
    Ok(Some(row))
}
