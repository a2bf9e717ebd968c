//! The weather box: how old an observation may be before it is marked
//! stale, and the optional fetcher that polls a provider speaking the
//! OpenWeatherMap current-weather JSON format.

use std::time::Duration;

use super::{Config, ranged, var};

#[derive(Debug, Clone)]
pub struct Weather {
    /// An observation older than this is served with `stale: true`.
    pub max_age: Duration,
    /// The fetcher: off when `None`.
    pub provider: Option<Provider>,
}

#[derive(Debug, Clone)]
pub struct Provider {
    /// The provider's URL, with `{lat}`, `{lon}` and `{town}` filled per town.
    pub url: String,
    pub towns: Vec<Town>,
    pub interval: Duration,
    /// The whole call, connection included.
    pub timeout: Duration,
}

/// A town the fetcher polls.
#[derive(Debug, Clone, PartialEq)]
pub struct Town {
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
}

impl Weather {
    pub fn defaults() -> Self {
        Self {
            max_age: Duration::from_secs(3 * 3600),
            provider: None,
        }
    }
}

impl Town {
    /// `Besançon:47.2380:6.0241,Dole:47.0922:5.4897`.
    pub fn parse_list(raw: &str) -> Result<Vec<Town>, String> {
        towns(raw)
    }
}

fn towns(raw: &str) -> Result<Vec<Town>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            let parts: Vec<&str> = t.split(':').map(str::trim).collect();
            let [name, lat, lon] = parts.as_slice() else {
                return Err(format!("`{t}` is not `Name:latitude:longitude`"));
            };
            let latitude: f64 = lat
                .parse()
                .ok()
                .filter(|v: &f64| (-90.0..=90.0).contains(v))
                .ok_or_else(|| format!("`{lat}` is not a latitude"))?;
            let longitude: f64 = lon
                .parse()
                .ok()
                .filter(|v: &f64| (-180.0..=180.0).contains(v))
                .ok_or_else(|| format!("`{lon}` is not a longitude"))?;
            if name.is_empty() {
                return Err(format!("`{t}` names no town"));
            }
            Ok(Town {
                name: name.to_string(),
                latitude,
                longitude,
            })
        })
        .collect()
}

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    let w = &mut cfg.weather;
    w.max_age = Duration::from_secs(
        ranged(
            "KIOSQUE_WEATHER_MAX_AGE_MINUTES",
            w.max_age.as_secs() / 60,
            1,
            7 * 24 * 60,
        )? * 60,
    );
    let Some(url) = var("KIOSQUE_WEATHER_PROVIDER_URL") else {
        if var("KIOSQUE_WEATHER_TOWNS").is_some() {
            return Err(
                "KIOSQUE_WEATHER_TOWNS: set KIOSQUE_WEATHER_PROVIDER_URL too, or nothing polls them"
                    .into(),
            );
        }
        return Ok(());
    };
    let url = url.trim().to_string();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!(
            "KIOSQUE_WEATHER_PROVIDER_URL: `{url}` is not an http(s) URL"
        ));
    }
    let towns = towns(&var("KIOSQUE_WEATHER_TOWNS").unwrap_or_default())
        .map_err(|e| format!("KIOSQUE_WEATHER_TOWNS: {e}"))?;
    if towns.is_empty() {
        return Err("KIOSQUE_WEATHER_TOWNS: name at least one town to poll".into());
    }
    w.provider = Some(Provider {
        url,
        towns,
        interval: Duration::from_secs(ranged("KIOSQUE_WEATHER_INTERVAL_SECS", 600, 10, 86_400)?),
        timeout: Duration::from_secs(ranged("KIOSQUE_WEATHER_TIMEOUT_SECS", 10, 1, 120)?),
    });
    Ok(())
}
