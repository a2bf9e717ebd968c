//! The weather box ("14.41 · légère pluie · Vent 1.85 m/s · Pression 1018
//! hPa · Humidité 91 %"): per town, the latest observation and a short
//! forecast, pushed by integrators or fetched from a provider speaking the
//! OpenWeatherMap current-weather format; stale when old or when the
//! provider failed since.

pub mod dto;
pub mod fetch;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod requests;
pub mod write;

/// What the rest of the application may use: the fetcher's one pass, and
/// storing a town's weather (the demo seed).
pub use fetch::{Refreshed, refresh};
pub use requests::{ForecastStep, Observation};
pub use write::{Report, Source, store};
