//! The rows of events: their own columns (written once, in [`EventFields`])
//! and the review columns every reviewable table shares.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::Event;
use crate::db::schema::events;
use crate::error::{AppError, AppResult};
use crate::review::model::review_model;
use crate::review::{ContentKind, Reviewable};
use crate::state::AppState;

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
    pub category: String,
}

review_model! {
    table: events,
    fields: EventFields,
    row: EventRow,
    new: NewEvent,
    changes: EventChanges,
}

/// Published events stay readable once past; an event ends after it starts.
impl Reviewable for EventRow {
    const KIND: ContentKind = ContentKind::Event;
    const PATH: &'static str = "events";
    type Shown = Event;
    type Settings = ();

    fn settings(_: &AppState) {}

    fn show(self, now: NaiveDateTime) -> Event {
        Event::from_row(self, now)
    }

    fn check(c: &EventChanges) -> AppResult<()> {
        if c.fields.ends_at <= c.fields.starts_at {
            return Err(AppError::invalid("ends_at", "must be after starts_at"));
        }
        Ok(())
    }
}
