//! A strict query-string extractor: unknown parameters are refused with 400,
//! so a misspelt filter never silently returns everything.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::{Ready, ready};
use utoipa::IntoParams;

use crate::error::AppError;

pub struct Query<T>(pub T);

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The names a parameter type documents; what the extractor accepts.
pub fn param_names<T: IntoParams>() -> Vec<String> {
    T::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query))
        .into_iter()
        .map(|p| p.name)
        .collect()
}

pub fn pairs(query_string: &str) -> Result<Vec<(String, String)>, AppError> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query_string)
        .map_err(|e| AppError::bad_query(format!("the query string cannot be read: {e}")))
}

/// Deserializes `pairs` into `T`, refusing names `T` does not document.
pub fn from_pairs<T: DeserializeOwned + IntoParams>(
    pairs: &[(String, String)],
    also_allowed: &[&str],
) -> Result<T, AppError> {
    let known = param_names::<T>();
    for (name, _) in pairs {
        if !known.iter().any(|k| k == name) && !also_allowed.contains(&name.as_str()) {
            let mut accepted: Vec<&str> = known.iter().map(String::as_str).collect();
            accepted.extend_from_slice(also_allowed);
            return Err(AppError::bad_query(if accepted.is_empty() {
                format!("unknown query parameter `{name}`: this endpoint takes none")
            } else {
                format!(
                    "unknown query parameter `{name}`; accepted: {}",
                    accepted.join(", ")
                )
            }));
        }
    }
    let own: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !also_allowed.contains(&k.as_str()))
        .collect();
    let encoded = serde_urlencoded::to_string(&own)
        .map_err(|e| AppError::bad_query(format!("the query string cannot be read: {e}")))?;
    serde_urlencoded::from_str::<T>(&encoded)
        .map_err(|e| AppError::bad_query(format!("invalid query parameter: {}", e)))
}

impl<T: DeserializeOwned + IntoParams> FromRequest for Query<T> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(pairs(req.query_string()).and_then(|p| from_pairs::<T>(&p, &[]).map(Query)))
    }
}

/// For endpoints that take no query parameters at all.
#[derive(serde::Deserialize, IntoParams, Default)]
pub struct NoParams {}
