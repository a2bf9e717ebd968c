//! The rows of events: their own columns (written once, in [`EventFields`])
//! and the review columns every reviewable table shares.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::events;
use crate::review::model::review_model;

/// An event's own columns, as read, inserted and updated.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = events, treat_none_as_null = true)]
pub struct EventFields {
    pub title: String,
    pub description: String,
    pub description_html: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub all_day: bool,
    pub time_zone: String,
    pub venue_name: String,
    pub venue_address: String,
    pub city: String,
    pub city_key: String,
    pub postal_code: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub is_free: bool,
    pub price_cents: Option<i64>,
    pub price_currency: Option<String>,
    pub price_text: Option<String>,
    pub organizer: String,
    pub link: Option<String>,
    pub image_url: Option<String>,
    pub image_alt: Option<String>,
    pub image_credit: Option<String>,
    /// The poster, from the media library.
    pub image_media_id: Option<i64>,
    pub category: String,
}

review_model! {
    table: events,
    fields: EventFields,
    row: EventRow,
    new: NewEvent,
    changes: EventChanges,
}
