//! Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the site, its sections,
//! tags and authors, job offers and upcoming events, linking to the front
//! end's pages. Built from the tables directly (what is public is the review
//! workflow's rule), kept in memory and served until the content changes.

pub mod build;
pub mod formats;
pub mod handlers;
pub mod links;
pub mod model;
pub mod queries;
pub mod requests;
pub mod xml;

/// What sitemaps share with feeds: the front end's addresses and XML escaping.
pub use links::Links;
pub use xml::escape;
