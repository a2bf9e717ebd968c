//! Sitemaps: the index, paginated child sitemaps of every kind of public
//! page, and the Google News sitemap. Built from the tables directly, kept
//! in memory and served until the content changes.

pub mod build;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod requests;
