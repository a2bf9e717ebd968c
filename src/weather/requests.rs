//! What an integrator pushes (`PUT /weather/{id}`), and the checks every
//! observation passes, pushed or fetched: a value out of its plausible range
//! is refused (422), never shown.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::Validate;
use crate::http::validate::Errors;

/// Steps a forecast may hold.
pub const MAX_FORECAST: usize = 16;

/// A town's current weather.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// Air temperature, °C (−90 to 60).
    #[schema(example = 14.41, minimum = -90, maximum = 60)]
    pub temperature_c: f64,
    /// A short description in French.
    #[schema(example = "légère pluie", min_length = 1, max_length = 120)]
    pub description: String,
    /// The provider's icon code (OpenWeatherMap's `10d`…), up to 16 letters and digits.
    #[serde(default)]
    #[schema(example = "10d", max_length = 16, pattern = "^[A-Za-z0-9-]*$")]
    pub icon: String,
    pub observed_at: DateTime<Utc>,
    /// Wind speed, m/s (0 to 120).
    #[schema(example = 1.85, minimum = 0, maximum = 120)]
    pub wind_speed_ms: f64,
    /// Where the wind blows from, degrees (0 to 360).
    #[serde(default)]
    #[schema(example = 230, minimum = 0, maximum = 360)]
    pub wind_direction_deg: Option<i32>,
    /// Sea-level pressure, hPa (870 to 1085).
    #[schema(example = 1018.0, minimum = 870, maximum = 1085)]
    pub pressure_hpa: f64,
    /// Relative humidity, % (0 to 100).
    #[schema(example = 91, minimum = 0, maximum = 100)]
    pub humidity_pct: i32,
}

/// One step of a short forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastStep {
    pub at: DateTime<Utc>,
    #[schema(minimum = -90, maximum = 60)]
    pub temperature_c: f64,
    #[schema(min_length = 1, max_length = 120)]
    pub description: String,
    #[serde(default)]
    #[schema(max_length = 16, pattern = "^[A-Za-z0-9-]*$")]
    pub icon: String,
}

/// A town's weather, replaced as a whole.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutWeather {
    /// The town's name, as shown ("Besançon"); required when the town is new,
    /// kept when left out.
    #[schema(min_length = 1, max_length = 100, example = "Besançon")]
    pub name: Option<String>,
    /// Coordinates, both or neither.
    #[schema(minimum = -90, maximum = 90)]
    pub latitude: Option<f64>,
    #[schema(minimum = -180, maximum = 180)]
    pub longitude: Option<f64>,
    pub observation: Observation,
    /// A few steps ahead, in time order (at most 16).
    #[serde(default)]
    #[schema(max_items = 16)]
    pub forecast: Vec<ForecastStep>,
}

fn range(e: &mut Errors, field: &str, value: f64, min: f64, max: f64, unit: &str) {
    if !value.is_finite() || value < min || value > max {
        e.add(field, format!("must be between {min} and {max} {unit}"));
    }
}

fn icon(e: &mut Errors, field: &str, value: &str) {
    if value.len() > 16
        || !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        e.add(field, "must be up to 16 letters, digits or hyphens");
    }
}

impl Observation {
    pub fn check(&self, e: &mut Errors, prefix: &str) {
        let f = |name: &str| format!("{prefix}{name}");
        range(
            e,
            &f("temperature_c"),
            self.temperature_c,
            -90.0,
            60.0,
            "°C",
        );
        e.text(&f("description"), &self.description, 1, 120);
        icon(e, &f("icon"), &self.icon);
        range(
            e,
            &f("wind_speed_ms"),
            self.wind_speed_ms,
            0.0,
            120.0,
            "m/s",
        );
        if let Some(d) = self.wind_direction_deg
            && !(0..=360).contains(&d)
        {
            e.add(
                &f("wind_direction_deg"),
                "must be between 0 and 360 degrees",
            );
        }
        range(
            e,
            &f("pressure_hpa"),
            self.pressure_hpa,
            870.0,
            1085.0,
            "hPa",
        );
        if !(0..=100).contains(&self.humidity_pct) {
            e.add(&f("humidity_pct"), "must be between 0 and 100 %");
        }
    }
}

impl Validate for PutWeather {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.opt_text("name", self.name.as_deref(), 1, 100);
        match (self.latitude, self.longitude) {
            (Some(lat), Some(lon)) => {
                range(&mut e, "latitude", lat, -90.0, 90.0, "degrees");
                range(&mut e, "longitude", lon, -180.0, 180.0, "degrees");
            }
            (None, None) => {}
            _ => e.add("latitude", "give both latitude and longitude, or neither"),
        }
        self.observation.check(&mut e, "observation.");
        if self.forecast.len() > MAX_FORECAST {
            e.add(
                "forecast",
                format!("must hold at most {MAX_FORECAST} steps"),
            );
        }
        for (n, step) in self.forecast.iter().enumerate() {
            range(
                &mut e,
                &format!("forecast[{n}].temperature_c"),
                step.temperature_c,
                -90.0,
                60.0,
                "°C",
            );
            e.text(
                &format!("forecast[{n}].description"),
                &step.description,
                1,
                120,
            );
            icon(&mut e, &format!("forecast[{n}].icon"), &step.icon);
        }
        if self.forecast.windows(2).any(|w| w[0].at >= w[1].at) {
            e.add("forecast", "steps must be in time order, one per time");
        }
        e.finish()
    }
}
