//! What the API answers about media: the item, and for images the image
//! object (variants, `srcset`, placeholder) that content embeds.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::MediaRow;
use super::urls::Shown;
use crate::config::MediaSettings;
use crate::ids::{MediaId, UserId};
use crate::imaging::{Encoding, Preset, plan};
use crate::state::utc;

/// A file of the media library.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Media {
    pub id: MediaId,
    /// Decided from the file's bytes.
    #[schema(example = "image")]
    pub kind: MediaKind,
    #[schema(example = "image/jpeg")]
    pub content_type: String,
    /// SHA-256 of the file, in hex.
    pub sha256: String,
    /// Size of the file, in bytes.
    pub size: i64,
    /// Images: pixels, after EXIF orientation.
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Audio and video: how long they last, in milliseconds, read from
    /// their headers (MP4/M4A, WebM, Ogg Vorbis/Opus, MP3); null when the
    /// headers do not say.
    pub duration_ms: Option<i64>,
    /// The name the file was uploaded with (for display; never trusted).
    pub file_name: String,
    pub title: String,
    /// Text alternative; required before an image is used publicly.
    pub alt: String,
    pub caption: String,
    /// Who to credit, shown as "© …".
    pub credit: String,
    pub focal_point: FocalPoint,
    /// Served to anyone, even when no published content uses it.
    pub public: bool,
    pub uploaded_by: Option<UserId>,
    /// The original file: Kiosque's URL, or for public media with
    /// `KIOSQUE_MEDIA_PUBLIC_BASE_URL` set, the file on that base (a CDN or
    /// the bucket: `{base}/{sha256}`).
    #[schema(example = "/api/v1/media/42/file")]
    pub url: String,
    /// Private media only: the original's URL signed for a short while
    /// (`?expires=…&sig=…`), which serves without a token. Null when public.
    #[schema(example = "/api/v1/media/42/file?expires=1767229200&sig=3q2-7wAAAAA_example")]
    pub signed_url: Option<String>,
    /// Images only: variants, `srcset`, placeholder.
    pub image: Option<ImageObject>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Document,
    Video,
    Audio,
}

/// The point to keep in view when an image is cropped, from the top left
/// corner (0, 0) to the bottom right (1, 1).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct FocalPoint {
    #[schema(minimum = 0.0, maximum = 1.0, example = 0.5)]
    pub x: f64,
    #[schema(minimum = 0.0, maximum = 1.0, example = 0.5)]
    pub y: f64,
}

/// An image ready for a page: what `<img srcset>` and `<figure>` need.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImageObject {
    pub media_id: MediaId,
    /// A good default source: the widest JPEG variant.
    #[schema(example = "/api/v1/media/42/v/9f2c1a0b4d5e6f70/w1600.jpg")]
    pub url: String,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    /// `© credit`, or empty without a credit.
    #[schema(example = "© Marie Dupont")]
    pub credit_line: String,
    /// Of the original, after orientation.
    pub width: i32,
    pub height: i32,
    pub focal_point: FocalPoint,
    /// A tiny PNG as a `data:` URI, to show while the image loads.
    pub placeholder: Option<String>,
    /// `#rrggbb`, to paint the space before anything loads.
    #[schema(example = "#5a6b7c")]
    pub dominant_color: Option<String>,
    /// An animated GIF; its variants are stills of the first frame.
    pub animated: bool,
    pub srcset: Srcset,
    /// Every variant, for each preset in each format.
    pub variants: Vec<Variant>,
}

/// A file of the library as content links it (an article's uploaded video).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileObject {
    pub media_id: MediaId,
    #[schema(example = "video/mp4")]
    pub content_type: String,
    /// The file (`Range` supported).
    #[schema(example = "/api/v1/media/43/file")]
    pub url: String,
    /// Bytes.
    pub size: i64,
    pub title: String,
    pub caption: String,
    pub credit: String,
    /// `© credit`, or empty without a credit.
    pub credit_line: String,
    pub duration_ms: Option<i64>,
}

impl FileObject {
    pub fn of(row: &MediaRow) -> Self {
        Self {
            media_id: MediaId(row.id),
            content_type: row.content_type.clone(),
            url: format!("/api/v1/media/{}/file", row.id),
            size: row.size_bytes,
            title: row.title.clone(),
            caption: row.caption.clone(),
            credit: row.credit.clone(),
            credit_line: credit_line(&row.credit),
            duration_ms: row.duration_ms,
        }
    }
}

/// Ready `srcset` attribute values, one per format.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Srcset {
    #[schema(
        example = "/api/v1/media/42/v/9f2c1a0b4d5e6f70/w320.webp 320w, /api/v1/media/42/v/9f2c1a0b4d5e6f70/w640.webp 640w"
    )]
    pub webp: String,
    #[schema(
        example = "/api/v1/media/42/v/9f2c1a0b4d5e6f70/w320.jpg 320w, /api/v1/media/42/v/9f2c1a0b4d5e6f70/w640.jpg 640w"
    )]
    pub jpeg: String,
}

/// One variant: a fixed preset in one format.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Variant {
    /// `w320`, `w640`, `w1024`, `w1600` (widths) or `social` (a crop around the focal point).
    #[schema(example = "w640")]
    pub preset: String,
    #[schema(example = "webp")]
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub url: String,
    /// Private media only: `url` signed for a short while (serves without a
    /// token, e.g. in an `<img>`). Null when public.
    pub signed_url: Option<String>,
}

/// The presets of the settings.
pub fn presets(settings: &MediaSettings) -> Vec<Preset> {
    Preset::from_settings(settings)
}

pub fn variant_url(id: i64, version: &str, preset: &str, encoding: Encoding) -> String {
    format!(
        "/api/v1/media/{id}/v/{version}/{preset}.{}",
        encoding.extension()
    )
}

/// The image object of an image row (`None` for other kinds).
pub fn image_object(row: &MediaRow, settings: &MediaSettings) -> Option<ImageObject> {
    image_object_with(row, &presets(settings), None)
}

/// The image object of an image row under these presets. With `shown`,
/// a public item's rendered variants point to the public base, and a
/// private item's carry signed URLs; without, every URL is Kiosque's.
pub fn image_object_with(
    row: &MediaRow,
    presets: &[Preset],
    shown: Option<&Shown>,
) -> Option<ImageObject> {
    let (Some(width), Some(height)) = (row.width, row.height) else {
        return None;
    };
    if !row.is_image() {
        return None;
    }
    let version = row.version();
    let plans = plan(
        width as u32,
        height as u32,
        presets,
        (row.focal_x, row.focal_y),
    );
    // a rendered variant of a public item on the public base; Kiosque's URL otherwise
    let url_of = |preset: &str, e: Encoding| {
        shown
            .and_then(|s| {
                let blob = s.variant_blob(row, preset, e.extension())?;
                s.public_url(row, blob)
            })
            .unwrap_or_else(|| variant_url(row.id, &version, preset, e))
    };
    let mut variants = Vec::new();
    for p in &plans {
        for e in Encoding::ALL {
            let own = variant_url(row.id, &version, &p.preset, e);
            variants.push(Variant {
                preset: p.preset.clone(),
                format: e.extension().to_string(),
                width: p.width,
                height: p.height,
                url: url_of(&p.preset, e),
                signed_url: shown.and_then(|s| s.signed(row, &own)),
            });
        }
    }
    let srcset = |e: Encoding| {
        plans
            .iter()
            .filter(|p| p.crop.is_none())
            .map(|p| format!("{} {}w", url_of(&p.preset, e), p.width))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let widest = plans
        .iter()
        .filter(|p| p.crop.is_none())
        .max_by_key(|p| p.width)
        .map(|p| url_of(&p.preset, Encoding::Jpeg))
        .unwrap_or_else(|| format!("/api/v1/media/{}/file", row.id));
    Some(ImageObject {
        media_id: MediaId(row.id),
        url: widest,
        alt: row.alt.clone(),
        caption: row.caption.clone(),
        credit: row.credit.clone(),
        credit_line: credit_line(&row.credit),
        width,
        height,
        focal_point: FocalPoint {
            x: row.focal_x,
            y: row.focal_y,
        },
        placeholder: row.placeholder.clone(),
        dominant_color: row.dominant_color.clone(),
        animated: row.animated,
        srcset: Srcset {
            webp: srcset(Encoding::Webp),
            jpeg: srcset(Encoding::Jpeg),
        },
        variants,
    })
}

/// `© credit` (the sign is not doubled when the credit has it).
pub fn credit_line(credit: &str) -> String {
    let c = credit.trim();
    if c.is_empty() {
        String::new()
    } else if c.starts_with('©') {
        c.to_string()
    } else {
        format!("© {c}")
    }
}

impl Media {
    pub fn of(row: MediaRow, settings: &MediaSettings, shown: &Shown) -> Self {
        let image = image_object_with(&row, &presets(settings), Some(shown));
        let own = format!("/api/v1/media/{}/file", row.id);
        let url = shown
            .public_url(&row, &row.sha256)
            .unwrap_or_else(|| own.clone());
        let signed_url = shown.signed(&row, &own);
        Self {
            id: MediaId(row.id),
            kind: match row.kind.as_str() {
                "image" => MediaKind::Image,
                "video" => MediaKind::Video,
                "audio" => MediaKind::Audio,
                _ => MediaKind::Document,
            },
            url,
            signed_url,
            content_type: row.content_type,
            sha256: row.sha256,
            size: row.size_bytes,
            width: row.width,
            height: row.height,
            duration_ms: row.duration_ms,
            file_name: row.file_name,
            title: row.title,
            alt: row.alt,
            caption: row.caption,
            credit: row.credit,
            focal_point: FocalPoint {
                x: row.focal_x,
                y: row.focal_y,
            },
            public: row.public,
            uploaded_by: row.uploaded_by.map(UserId),
            image,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}
