//! API keys for integrators: scoped, optionally expiring, secret shown once.

pub mod dto;
pub mod handlers;
pub mod model;
pub mod queries;
