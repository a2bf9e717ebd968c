//! The weather rows: one per town, its latest good observation.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::weather;

#[derive(Debug, Clone, Queryable)]
pub struct WeatherRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub temperature_c: f64,
    pub description: String,
    pub icon: String,
    pub observed_at: NaiveDateTime,
    pub wind_speed_ms: f64,
    pub wind_direction_deg: Option<i32>,
    pub pressure_hpa: f64,
    pub humidity_pct: i32,
    /// A JSON array of `ForecastStep`s.
    pub forecast: String,
    pub source: String,
    pub failed_at: Option<NaiveDateTime>,
    pub failure: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A good observation replaces everything but the town's identity, and
/// clears a failure noted since the last one.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = weather, treat_none_as_null = true)]
pub struct ObservationForm {
    pub name: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub temperature_c: f64,
    pub description: String,
    pub icon: String,
    pub observed_at: NaiveDateTime,
    pub wind_speed_ms: f64,
    pub wind_direction_deg: Option<i32>,
    pub pressure_hpa: f64,
    pub humidity_pct: i32,
    pub forecast: String,
    pub source: String,
    pub failed_at: Option<NaiveDateTime>,
    pub failure: Option<String>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = weather)]
pub struct NewWeather {
    pub slug: String,
    pub name: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub temperature_c: f64,
    pub description: String,
    pub icon: String,
    pub observed_at: NaiveDateTime,
    pub wind_speed_ms: f64,
    pub wind_direction_deg: Option<i32>,
    pub pressure_hpa: f64,
    pub humidity_pct: i32,
    pub forecast: String,
    pub source: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewWeather {
    pub fn new(slug: String, form: ObservationForm, now: NaiveDateTime) -> Self {
        Self {
            slug,
            name: form.name,
            latitude: form.latitude,
            longitude: form.longitude,
            temperature_c: form.temperature_c,
            description: form.description,
            icon: form.icon,
            observed_at: form.observed_at,
            wind_speed_ms: form.wind_speed_ms,
            wind_direction_deg: form.wind_direction_deg,
            pressure_hpa: form.pressure_hpa,
            humidity_pct: form.humidity_pct,
            forecast: form.forecast,
            source: form.source,
            created_at: now,
            updated_at: now,
        }
    }
}
