//! The built-in fetcher: polls a provider that answers in the
//! OpenWeatherMap current-weather JSON format (`KIOSQUE_WEATHER_PROVIDER_URL`,
//! metric units) for each town of `KIOSQUE_WEATHER_TOWNS`, and stores what it
//! maps through the same checks as a push. A provider that fails or answers
//! garbage changes nothing but the stale mark: the last good value stays.
//!
//! [`refresh`] is idempotent (the same answer stores the same row), so any
//! node may run it; `lib.rs` runs it on an interval.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::requests::Observation;
use super::write::{self, Report, Source};
use crate::config::{WeatherProvider, WeatherTown};
use crate::error::AppResult;
use crate::http::validate::Errors;
use crate::ids::IdOrSlug;
use crate::outbound::Call;
use crate::slug::slugify;
use crate::state::AppState;

/// A provider's answer larger than this is garbage.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// What one refresh did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Refreshed {
    /// Towns whose observation was stored.
    pub stored: usize,
    /// Towns whose provider call failed or answered garbage.
    pub failed: usize,
}

/// Fetches every configured town once. Without a provider, does nothing.
pub async fn refresh(state: &AppState) -> AppResult<Refreshed> {
    let Some(provider) = state.config.weather.provider.clone() else {
        return Ok(Refreshed::default());
    };
    let mut done = Refreshed::default();
    for town in &provider.towns {
        let slug = slugify(&town.name, 120);
        let url = town_url(&provider, town);
        let answer = fetch_body(state, url, provider.timeout).await;
        let now = state.clock.now();
        let observation = answer.and_then(|body| map_answer(&body));
        match observation {
            Ok(observation) => {
                let report = Report {
                    name: Some(town.name.clone()),
                    coordinates: Some((town.latitude, town.longitude)),
                    observation,
                    forecast: Vec::new(),
                    source: Source::Provider,
                };
                let key = IdOrSlug::Slug(slug);
                state
                    .db
                    .write(move |c| write::store(c, &key, report, now))
                    .await?;
                done.stored += 1;
            }
            Err(failure) => {
                tracing::warn!(town = %town.name, "weather provider: {failure}");
                state
                    .db
                    .write(move |c| write::note_failure(c, &slug, &failure, now))
                    .await?;
                done.failed += 1;
            }
        }
    }
    Ok(done)
}

/// The provider's URL for `town`: `{lat}`, `{lon}` and `{town}` filled.
fn town_url(provider: &WeatherProvider, town: &WeatherTown) -> String {
    let name: String = town
        .name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    provider
        .url
        .replace("{lat}", &town.latitude.to_string())
        .replace("{lon}", &town.longitude.to_string())
        .replace("{town}", &name)
}

/// GETs `url` through the one client for calls out (`outbound`: no
/// redirect, private addresses refused unless allowed, bounded bytes), within
/// the provider's own time limit; the body of a 200, or why not.
async fn fetch_body(state: &AppState, url: String, timeout: Duration) -> Result<Vec<u8>, String> {
    let call = Call::get(url).read_at_most(MAX_BODY_BYTES);
    match actix_web::rt::time::timeout(timeout, state.outbound.send(call)).await {
        Err(_) => Err("no answer in time".into()),
        Ok(Err(failure)) => Err(format!("no answer: {failure}")),
        Ok(Ok(reply)) if reply.status != 200 => Err(format!("answered {}", reply.status)),
        Ok(Ok(reply)) if reply.truncated => Err("the answer is too large".into()),
        Ok(Ok(reply)) => Ok(reply.body),
    }
}

/// The parts of an OpenWeatherMap current-weather answer we read.
#[derive(Deserialize)]
struct Answer {
    weather: Vec<Condition>,
    main: Main,
    wind: Wind,
    /// Observation time, Unix seconds.
    dt: i64,
}

#[derive(Deserialize)]
struct Condition {
    description: String,
    #[serde(default)]
    icon: String,
}

#[derive(Deserialize)]
struct Main {
    temp: f64,
    pressure: f64,
    humidity: f64,
}

#[derive(Deserialize)]
struct Wind {
    speed: f64,
    #[serde(default)]
    deg: Option<f64>,
}

/// Maps a provider's answer to an observation, through the checks a push
/// passes; anything else is garbage.
fn map_answer(body: &[u8]) -> Result<Observation, String> {
    let answer: Answer = serde_json::from_slice(body)
        .map_err(|e| format!("answer is not the expected JSON: {e}"))?;
    let condition = answer
        .weather
        .into_iter()
        .next()
        .ok_or("answer describes no weather")?;
    let observed_at =
        DateTime::<Utc>::from_timestamp(answer.dt, 0).ok_or("bad observation time")?;
    let observation = Observation {
        temperature_c: answer.main.temp,
        description: condition.description.trim().to_string(),
        icon: condition.icon,
        observed_at,
        wind_speed_ms: answer.wind.speed,
        wind_direction_deg: answer.wind.deg.map(|d| d.round() as i32),
        pressure_hpa: answer.main.pressure,
        humidity_pct: answer.main.humidity.round() as i32,
    };
    let mut errors = Errors::new();
    observation.check(&mut errors, "");
    match errors.finish() {
        Ok(()) => Ok(observation),
        Err(e) => Err(format!(
            "implausible values: {}",
            e.iter()
                .map(|f| format!("{} {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_an_openweathermap_answer() {
        let body = r#"{"coord":{"lon":6.02,"lat":47.24},
            "weather":[{"id":500,"main":"Rain","description":"légère pluie","icon":"10d"}],
            "main":{"temp":14.41,"feels_like":14.1,"pressure":1018,"humidity":91},
            "wind":{"speed":1.85,"deg":230},"dt":1750586400,"name":"Besançon","cod":200}"#
            .as_bytes();
        let o = map_answer(body).unwrap();
        assert_eq!(o.description, "légère pluie");
        assert_eq!(
            (o.pressure_hpa, o.humidity_pct, o.wind_direction_deg),
            (1018.0, 91, Some(230))
        );
        assert!(map_answer(b"<html>").is_err());
        // Kelvin (a URL without units=metric) is not a plausible Celsius value
        let kelvin = String::from_utf8_lossy(body).replace("14.41", "287.56");
        assert!(map_answer(kelvin.as_bytes()).is_err());
    }
}
