//! Requests that create or change an event, and their validation.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{DEFAULT_TIME_ZONE, Image, Price, Venue};
use super::model::{EventChanges, EventFields, Review};
use crate::error::FieldError;
use crate::http::validate::{Errors, Validate};
use crate::review::{ItemUpdate, NewItem, Status};
use crate::slug::city_key;

/// A new event. Members' events start `pending` and wait for an editor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEvent {
    #[schema(example = "Concert de la chorale", min_length = 1, max_length = 200)]
    pub title: String,
    /// Markdown.
    #[schema(min_length = 1, max_length = 20_000)]
    pub description: String,
    pub starts_at: DateTime<Utc>,
    /// After `starts_at`.
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub all_day: bool,
    /// IANA name; default `Europe/Paris`.
    #[schema(example = "Europe/Paris")]
    pub time_zone: Option<String>,
    pub venue: Venue,
    pub price: Price,
    #[schema(min_length = 1, max_length = 200, example = "Chorale de l'Odet")]
    pub organizer: String,
    /// An absolute http(s) URL.
    #[schema(format = "uri", max_length = 2000, pattern = "^https?://")]
    pub link: Option<String>,
    pub image: Option<Image>,
    /// A poster from the media library: an image with its alt text, your
    /// own upload or a public one (staff: any). Answered as `image_media`;
    /// public once the event is published.
    pub image_media_id: Option<crate::ids::MediaId>,
    /// A slug: `concert`, `exposition`, `sport`…
    #[schema(
        example = "concert",
        max_length = 120,
        pattern = "^([a-z0-9]+(-[a-z0-9]+)+|[a-z0-9]*[a-z][a-z0-9]*)$"
    )]
    pub category: String,
    /// Default: `pending`.
    pub status: Option<Status>,
    pub published_at: Option<DateTime<Utc>>,
}

impl Validate for CreateEvent {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("title", &self.title, 1, 200);
        e.text("description", &self.description, 1, 20_000);
        if self.ends_at <= self.starts_at {
            e.add("ends_at", "must be after starts_at");
        }
        if let Some(tz) = &self.time_zone {
            check_time_zone(&mut e, tz);
        }
        check_venue(&mut e, &self.venue);
        check_price(&mut e, &self.price);
        e.text("organizer", &self.organizer, 1, 200);
        if let Some(l) = &self.link {
            e.url("link", l, true);
        }
        if let Some(i) = &self.image {
            check_image(&mut e, i);
        }
        e.slug("category", &self.category);
        e.finish()
    }
}

/// Changes to an event; absent fields are kept, objects replaced whole.
/// `status` carries the review decisions (`published`, `rejected` with a reason).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEvent {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[schema(min_length = 1, max_length = 20_000)]
    pub description: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub all_day: Option<bool>,
    /// IANA name.
    #[schema(example = "Europe/Paris")]
    pub time_zone: Option<String>,
    pub venue: Option<Venue>,
    pub price: Option<Price>,
    #[schema(min_length = 1, max_length = 200)]
    pub organizer: Option<String>,
    /// An absolute http(s) URL; `null` removes the link.
    #[serde(default, deserialize_with = "crate::http::json::nullable")]
    #[schema(value_type = Option<String>, format = "uri", max_length = 2000, pattern = "^https?://")]
    pub link: Option<Option<String>>,
    /// `null` removes the image.
    #[serde(default, deserialize_with = "crate::http::json::nullable")]
    #[schema(value_type = Option<Image>)]
    pub image: Option<Option<Image>>,
    /// A poster from the media library (`null` removes it).
    #[serde(default, deserialize_with = "crate::http::json::nullable")]
    #[schema(value_type = Option<String>)]
    pub image_media_id: Option<Option<crate::ids::MediaId>>,
    /// A slug.
    #[schema(
        max_length = 120,
        pattern = "^([a-z0-9]+(-[a-z0-9]+)+|[a-z0-9]*[a-z][a-z0-9]*)$"
    )]
    pub category: Option<String>,
    pub status: Option<Status>,
    /// Required with `status: rejected`, refused otherwise.
    #[schema(min_length = 1, max_length = 2_000)]
    pub rejection_reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
}

impl Validate for UpdateEvent {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.opt_text("title", self.title.as_deref(), 1, 200);
        e.opt_text("description", self.description.as_deref(), 1, 20_000);
        if let Some(tz) = &self.time_zone {
            check_time_zone(&mut e, tz);
        }
        if let Some(v) = &self.venue {
            check_venue(&mut e, v);
        }
        if let Some(p) = &self.price {
            check_price(&mut e, p);
        }
        e.opt_text("organizer", self.organizer.as_deref(), 1, 200);
        if let Some(Some(l)) = &self.link {
            e.url("link", l, true);
        }
        if let Some(Some(i)) = &self.image {
            check_image(&mut e, i);
        }
        if let Some(c) = &self.category {
            e.slug("category", c);
        }
        e.opt_text(
            "rejection_reason",
            self.rejection_reason.as_deref(),
            1,
            2_000,
        );
        e.finish()
    }
}

impl ItemUpdate<EventChanges> for UpdateEvent {
    fn edits_fields(&self) -> bool {
        self.title.is_some()
            || self.description.is_some()
            || self.starts_at.is_some()
            || self.ends_at.is_some()
            || self.all_day.is_some()
            || self.time_zone.is_some()
            || self.venue.is_some()
            || self.price.is_some()
            || self.organizer.is_some()
            || self.link.is_some()
            || self.image.is_some()
            || self.image_media_id.is_some()
            || self.category.is_some()
            || self.published_at.is_some()
    }

    fn take_decision(&mut self) -> (Option<Status>, Option<String>) {
        (self.status.take(), self.rejection_reason.take())
    }

    fn apply_to(self, c: &mut EventChanges) {
        let f = &mut c.fields;
        if let Some(t) = self.title {
            f.title = t.trim().to_string();
        }
        if let Some(d) = self.description {
            f.description_html = crate::text::markdown_to_html(&d);
            f.description = d;
        }
        if let Some(t) = self.starts_at {
            f.starts_at = crate::state::stored(t);
        }
        if let Some(t) = self.ends_at {
            f.ends_at = crate::state::stored(t);
        }
        if let Some(a) = self.all_day {
            f.all_day = a;
        }
        if let Some(tz) = self.time_zone {
            f.time_zone = tz;
        }
        if let Some(v) = self.venue {
            set_venue(f, v);
        }
        if let Some(p) = self.price {
            set_price(f, p);
        }
        if let Some(o) = self.organizer {
            f.organizer = o.trim().to_string();
        }
        if let Some(l) = self.link {
            f.link = l;
        }
        if let Some(i) = self.image {
            set_image(f, i);
        }
        if let Some(m) = self.image_media_id {
            f.image_media_id = m.map(|m| m.0);
        }
        if let Some(cat) = self.category {
            f.category = cat;
        }
        if let Some(p) = self.published_at {
            c.review.published_at = Some(crate::state::stored(p));
        }
    }
}

impl NewItem<EventChanges> for CreateEvent {
    fn requested_status(&self) -> Option<Status> {
        self.status
    }

    fn into_changes(self, now: NaiveDateTime) -> EventChanges {
        let mut fields = EventFields {
            title: self.title.trim().to_string(),
            description_html: crate::text::markdown_to_html(&self.description),
            description: self.description,
            starts_at: crate::state::stored(self.starts_at),
            ends_at: crate::state::stored(self.ends_at),
            all_day: self.all_day,
            time_zone: self
                .time_zone
                .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_string()),
            venue_name: String::new(),
            venue_address: String::new(),
            city: String::new(),
            city_key: String::new(),
            postal_code: String::new(),
            latitude: None,
            longitude: None,
            is_free: false,
            price_cents: None,
            price_currency: None,
            price_text: None,
            organizer: self.organizer.trim().to_string(),
            link: self.link,
            image_url: None,
            image_alt: None,
            image_credit: None,
            image_media_id: self.image_media_id.map(|m| m.0),
            category: self.category,
        };
        set_venue(&mut fields, self.venue);
        set_price(&mut fields, self.price);
        set_image(&mut fields, self.image);
        EventChanges {
            fields,
            review: Review {
                status: "pending".into(),
                rejection_reason: None,
                published_at: self.published_at.map(crate::state::stored),
                updated_at: now,
            },
        }
    }
}

fn set_venue(c: &mut EventFields, v: Venue) {
    c.venue_name = v.name.trim().to_string();
    c.venue_address = v.address.trim().to_string();
    c.city_key = city_key(&v.city);
    c.city = v.city.trim().to_string();
    c.postal_code = v.postal_code.trim().to_string();
    c.latitude = v.latitude;
    c.longitude = v.longitude;
}

fn set_price(c: &mut EventFields, p: Price) {
    c.is_free = p.free;
    c.price_cents = p.amount_cents;
    c.price_currency = p
        .amount_cents
        .map(|_| p.currency.unwrap_or_else(|| "EUR".into()));
    c.price_text = p.text.map(|t| t.trim().to_string());
}

fn set_image(c: &mut EventFields, i: Option<Image>) {
    c.image_url = i.as_ref().map(|i| i.url.clone());
    c.image_alt = i.as_ref().map(|i| i.alt.trim().to_string());
    c.image_credit = i.and_then(|i| i.credit);
}

/// An IANA time zone name (`Europe/Paris`), as the tz database knows it.
fn check_time_zone(e: &mut Errors, tz: &str) {
    if tz.parse::<chrono_tz::Tz>().is_err() {
        e.add(
            "time_zone",
            "must be an IANA time zone name such as Europe/Paris",
        );
    }
}

fn check_venue(e: &mut Errors, v: &Venue) {
    e.text("venue.name", &v.name, 1, 200);
    e.text("venue.address", &v.address, 0, 300);
    e.text("venue.city", &v.city, 1, 120);
    e.postal_code("venue.postal_code", &v.postal_code);
    match (v.latitude, v.longitude) {
        (Some(lat), Some(lon)) => {
            if !(-90.0..=90.0).contains(&lat) {
                e.add("venue.latitude", "must be between -90 and 90");
            }
            if !(-180.0..=180.0).contains(&lon) {
                e.add("venue.longitude", "must be between -180 and 180");
            }
        }
        (None, None) => {}
        _ => e.add("venue", "give both latitude and longitude, or neither"),
    }
}

fn check_price(e: &mut Errors, p: &Price) {
    if let Some(t) = &p.text {
        e.text("price.text", t, 1, 200);
    }
    if let Some(a) = p.amount_cents
        && !(0..=100_000_000).contains(&a)
    {
        e.add("price.amount_cents", "must be between 0 and 100000000");
    }
    if let Some(c) = &p.currency {
        e.currency("price.currency", c);
        if p.amount_cents.is_none() {
            e.add("price.currency", "goes with amount_cents");
        }
    }
    if p.free && p.amount_cents.is_some_and(|a| a > 0) {
        e.add("price.amount_cents", "a free event has no price");
    }
    if !p.free && p.amount_cents.is_none() && p.text.is_none() {
        e.add(
            "price",
            "say `free: true`, or give amount_cents and/or text",
        );
    }
}

fn check_image(e: &mut Errors, i: &Image) {
    e.url("image.url", &i.url, false);
    e.text("image.alt", &i.alt, 1, 300);
    if let Some(c) = &i.credit {
        e.text("image.credit", c, 1, 200);
    }
}
