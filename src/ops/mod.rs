//! Operations: liveness, readiness, metrics, and the OpenAPI document itself.

pub mod handlers;
