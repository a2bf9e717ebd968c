//! Images embedded in bodies (`![alt](media:12)`), rendered when the content
//! is read: the body keeps a marker (`text::markdown_to_html`), and the
//! figure is built here from the item as it is now, so an edited caption,
//! credit or focal point shows at once and no stored HTML holds an address
//! that could go stale.

use std::collections::HashMap;

use super::dto::ImageObject;
use crate::text::{Embed, escape, replace_embeds};

/// `html` with its embeds rendered from `images` (by media id; an item not
/// there, deleted or not an image, renders as nothing). `base` goes before
/// the API's own (relative) addresses: empty in the API's answers, the API's
/// absolute address in feeds.
pub fn render_embeds(html: &str, images: &HashMap<i64, ImageObject>, base: &str) -> String {
    replace_embeds(html, |e| match images.get(&e.media_id) {
        Some(img) => figure(img, e, base),
        None => String::new(),
    })
}

fn absolute(url: &str, base: &str) -> String {
    if url.starts_with('/') {
        format!("{base}{url}")
    } else {
        url.to_string()
    }
}

/// Each address of a `srcset` made absolute.
fn srcset(set: &str, base: &str) -> String {
    set.split(", ")
        .map(|candidate| absolute(candidate, base))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `<figure><picture>` with WebP and JPEG sources, the default JPEG with its
/// size (no layout shift), alt text (written in place, or the item's own),
/// lazy loading, and the caption with its credit. Inline embeds get the
/// picture alone. Every value is escaped; the addresses are the library's.
fn figure(img: &ImageObject, embed: &Embed, base: &str) -> String {
    let (width, height) = img
        .variants
        .iter()
        .find(|v| v.url == img.url)
        .map(|v| (v.width as i64, v.height as i64))
        .unwrap_or((img.width.into(), img.height.into()));
    let alt = if embed.alt.trim().is_empty() {
        escape(&img.alt)
    } else {
        embed.alt.clone()
    };
    let sizes = format!("(max-width: {width}px) 100vw, {width}px");
    let picture = format!(
        "<picture><source type=\"image/webp\" srcset=\"{webp}\" sizes=\"{sizes}\">\
         <img src=\"{src}\" srcset=\"{jpeg}\" sizes=\"{sizes}\" width=\"{width}\" height=\"{height}\" \
         alt=\"{alt}\" loading=\"lazy\" decoding=\"async\"></picture>",
        webp = escape(&srcset(&img.srcset.webp, base)),
        jpeg = escape(&srcset(&img.srcset.jpeg, base)),
        src = escape(&absolute(&img.url, base)),
    );
    if !embed.block {
        return picture;
    }
    let mut caption = escape(&img.caption);
    if !img.credit_line.is_empty() {
        if !caption.is_empty() {
            caption.push(' ');
        }
        caption.push_str(&format!(
            "<span class=\"credit\">{}</span>",
            escape(&img.credit_line)
        ));
    }
    let caption = if caption.is_empty() {
        String::new()
    } else {
        format!("<figcaption>{caption}</figcaption>")
    };
    format!(
        "<figure class=\"media\" data-media-id=\"{}\">{picture}{caption}</figure>",
        img.media_id.0
    )
}
