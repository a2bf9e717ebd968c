//! What the API answers about events, and the objects requests share with
//! it (venue, price, image).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::EventRow;
use crate::ids::EventId;
use crate::review::{ReviewRow, Status};
use crate::state::utc;

pub const DEFAULT_TIME_ZONE: &str = "Europe/Paris";

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Venue {
    #[schema(example = "Salle des fêtes", min_length = 1, max_length = 200)]
    pub name: String,
    /// May be empty.
    #[schema(example = "2 place de la Mairie", max_length = 300)]
    pub address: String,
    #[schema(example = "Pont-l'Abbé", min_length = 1, max_length = 120)]
    pub city: String,
    /// 3–10 letters, digits, spaces or hyphens.
    #[schema(
        example = "29120",
        pattern = r"^\s*[A-Za-z0-9-][A-Za-z0-9 -]{1,8}[A-Za-z0-9-]\s*$"
    )]
    pub postal_code: String,
    /// WGS 84 degrees, −90 to 90; with `longitude`.
    #[schema(minimum = -90, maximum = 90, example = 47.8344)]
    pub latitude: Option<f64>,
    /// WGS 84 degrees, −180 to 180; with `latitude`.
    #[schema(minimum = -180, maximum = 180, example = -4.2236)]
    pub longitude: Option<f64>,
}

/// Free, or an amount and/or a text ("10 €, gratuit pour les enfants").
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Price {
    #[serde(default)]
    pub free: bool,
    /// In cents of `currency`; `0` (or absent) when `free`.
    #[schema(minimum = 0, maximum = 100_000_000, example = 1000)]
    pub amount_cents: Option<i64>,
    /// ISO 4217 code, with `amount_cents`; default `EUR`.
    #[schema(pattern = "^[A-Z]{3}$", example = "EUR")]
    pub currency: Option<String>,
    #[schema(min_length = 1, max_length = 200, example = "gratuit pour les enfants")]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// An absolute https URL.
    #[schema(format = "uri", max_length = 2000, pattern = "^https://")]
    pub url: String,
    /// Text for readers who cannot see the image.
    #[schema(min_length = 1, max_length = 300)]
    pub alt: String,
    #[schema(min_length = 1, max_length = 200)]
    pub credit: Option<String>,
}

/// An event.
#[derive(Debug, Serialize, ToSchema)]
pub struct Event {
    pub id: EventId,
    #[schema(example = "Concert de la chorale")]
    pub title: String,
    /// Markdown, as written.
    pub description: String,
    /// The description rendered and sanitized; embedded media items
    /// (`![alt](media:12)`) are `<figure>`s with their variants.
    pub description_html: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Takes whole days (in `time_zone`), from the day of `starts_at` to the day of `ends_at`.
    pub all_day: bool,
    /// IANA time zone of the event.
    #[schema(example = "Europe/Paris")]
    pub time_zone: String,
    pub venue: Venue,
    pub price: Price,
    pub organizer: String,
    #[schema(format = "uri")]
    pub link: Option<String>,
    pub image: Option<Image>,
    /// The poster from the media library (`image_media_id`): variants,
    /// `srcset`, placeholder, alt text, caption and credit.
    pub image_media: Option<crate::media::ImageObject>,
    #[schema(example = "concert")]
    pub category: String,
    pub status: Status,
    /// Why an editor rejected the event (its submitter reads it).
    pub rejection_reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Event {
    pub fn from_row(r: EventRow, now: NaiveDateTime, images: &crate::media::Images) -> Self {
        let status = r.status(now);
        let (f, review) = (r.fields, r.review);
        let image = match (f.image_url, f.image_alt) {
            (Some(url), alt) => Some(Image {
                url,
                alt: alt.unwrap_or_default(),
                credit: f.image_credit,
            }),
            _ => None,
        };
        Self {
            id: EventId(r.id),
            status,
            title: f.title,
            description: f.description,
            description_html: crate::media::render_embeds(&f.description_html, images, ""),
            starts_at: utc(f.starts_at),
            ends_at: utc(f.ends_at),
            all_day: f.all_day,
            time_zone: f.time_zone,
            venue: Venue {
                name: f.venue_name,
                address: f.venue_address,
                city: f.city,
                postal_code: f.postal_code,
                latitude: f.latitude,
                longitude: f.longitude,
            },
            price: Price {
                free: f.is_free,
                amount_cents: f.price_cents,
                currency: f.price_currency,
                text: f.price_text,
            },
            organizer: f.organizer,
            link: f.link,
            image,
            image_media: f.image_media_id.and_then(|id| images.get(&id).cloned()),
            category: f.category,
            rejection_reason: review.rejection_reason,
            published_at: review.published_at.map(utc),
            created_at: utc(r.created_at),
            updated_at: utc(review.updated_at),
        }
    }
}
