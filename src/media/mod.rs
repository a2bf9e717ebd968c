//! The media library: uploads (streamed to the blob store, typed by their
//! bytes, bounded in size and pixels), metadata, images' fixed-preset
//! variants made once on the image pool, and serving with ranges and
//! long-lived caching.

pub mod dto;
pub mod gc;
pub mod handlers;
pub mod links;
pub mod model;
pub mod queries;
pub mod requests;
pub mod serve;
pub mod upload;
pub mod urls;
pub mod work;

/// What other resources may use: the image object content embeds, and an
/// article's cover.
pub use dto::{ImageObject, image_object};
pub use gc::{Collected, collect};
pub use links::{article_covers, set_article_cover};
