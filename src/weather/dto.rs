//! The weather box as readers get it.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::WeatherRow;
use super::requests::{ForecastStep, Observation};
use crate::ids::TownId;
use crate::state::utc;

/// A town's weather.
#[derive(Debug, Serialize, ToSchema)]
pub struct Weather {
    pub id: TownId,
    /// The town's address: `/weather/besancon`.
    #[schema(example = "besancon")]
    pub slug: String,
    #[schema(example = "Besançon")]
    pub name: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub observation: Observation,
    pub forecast: Vec<ForecastStep>,
    /// `push` (an integrator) or `provider` (the built-in fetcher).
    #[schema(example = "provider")]
    pub source: String,
    /// The observation is older than `KIOSQUE_WEATHER_MAX_AGE_MINUTES`, or the
    /// provider failed since: show it with care.
    pub stale: bool,
    pub updated_at: DateTime<Utc>,
}

impl Weather {
    pub fn from_row(row: WeatherRow, now: NaiveDateTime, max_age: chrono::Duration) -> Self {
        let stale = row.failed_at.is_some() || now - row.observed_at > max_age;
        Self {
            id: TownId(row.id),
            slug: row.slug,
            name: row.name,
            latitude: row.latitude,
            longitude: row.longitude,
            observation: Observation {
                temperature_c: row.temperature_c,
                description: row.description,
                icon: row.icon,
                observed_at: utc(row.observed_at),
                wind_speed_ms: row.wind_speed_ms,
                wind_direction_deg: row.wind_direction_deg,
                pressure_hpa: row.pressure_hpa,
                humidity_pct: row.humidity_pct,
            },
            forecast: serde_json::from_str(&row.forecast).unwrap_or_default(),
            source: row.source,
            stale,
            updated_at: utc(row.updated_at),
        }
    }
}
