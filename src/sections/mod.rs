//! Sections: the site's rubriques ("Economie", "Sport", "Culture").

pub mod dto;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod write;

pub use dto::CreateSection;
/// What the rest of the application may use: creating a section by its rules.
pub use write::create;
