//! Sections: the site's rubriques ("Economie", "Sport", "Culture").

pub mod dto;
pub mod handlers;
pub mod model;
pub mod queries;
