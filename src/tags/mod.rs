//! Tags: free labels across sections ("municipales", "tour de france").

pub mod dto;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod write;

pub use dto::CreateTag;
/// What the rest of the application may use: creating a tag by its rules.
pub use write::create;
