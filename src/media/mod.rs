//! The media library: uploads (streamed to the blob store, typed by their
//! bytes, bounded in size and pixels), metadata, images' fixed-preset
//! variants made once on the image pool, and serving with ranges and
//! long-lived caching.

pub mod dto;
pub mod embeds;
pub mod gc;
pub mod handlers;
pub mod import;
pub mod links;
pub mod model;
pub mod queries;
pub mod requests;
pub mod serve;
pub mod upload;
pub mod urls;
pub mod work;

/// What other resources may use: the image object content embeds; an
/// article's cover and video, events' posters and offers' logos, images
/// embedded in bodies (checked and recorded on write, rendered on read).
pub use dto::{FileObject, ImageObject, image_object};
pub use embeds::render_embeds;
pub use gc::{Collected, collect};
/// Images made by Kiosque itself (the demo site's), taken in like uploads.
pub use import::{MadeImage, import_image};
pub use links::{
    Content, article_covers, article_videos, check_image, images, images_of, set_article_cover,
    set_article_video, set_embeds, shows_media,
};

/// Images by media id, as content shows them.
pub type Images = std::collections::HashMap<i64, ImageObject>;
