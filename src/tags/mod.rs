//! Tags: free labels across sections ("municipales", "tour de france").

pub mod dto;
pub mod handlers;
pub mod model;
pub mod queries;
