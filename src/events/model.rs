use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::events;

#[derive(Debug, Clone, Queryable)]
pub struct EventRow {
    pub id: i64,
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
    pub status: String,
    pub rejection_reason: Option<String>,
    pub submitted_by: Option<i64>,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EventRow {
    pub fn owners(&self) -> Vec<crate::ids::UserId> {
        self.submitted_by
            .map(crate::ids::UserId)
            .into_iter()
            .collect()
    }

    /// Published and its publication time come. Past events stay readable.
    pub fn is_public(&self, now: NaiveDateTime) -> bool {
        self.status == "published" && self.published_at.is_some_and(|t| t <= now)
    }
}

/// Every editable column: the handler merges a request into the current row.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = events, treat_none_as_null = true)]
pub struct EventChanges {
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
    pub status: String,
    pub rejection_reason: Option<String>,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent {
    #[diesel(embed)]
    pub fields: NewEventFields,
    pub submitted_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// The editable columns, for an insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = events)]
pub struct NewEventFields {
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
    pub status: String,
    pub rejection_reason: Option<String>,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

impl From<EventChanges> for NewEventFields {
    fn from(c: EventChanges) -> Self {
        Self {
            title: c.title,
            description: c.description,
            description_html: c.description_html,
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            all_day: c.all_day,
            time_zone: c.time_zone,
            venue_name: c.venue_name,
            venue_address: c.venue_address,
            city: c.city,
            city_key: c.city_key,
            postal_code: c.postal_code,
            latitude: c.latitude,
            longitude: c.longitude,
            is_free: c.is_free,
            price_cents: c.price_cents,
            price_currency: c.price_currency,
            price_text: c.price_text,
            organizer: c.organizer,
            link: c.link,
            image_url: c.image_url,
            image_alt: c.image_alt,
            image_credit: c.image_credit,
            category: c.category,
            status: c.status,
            rejection_reason: c.rejection_reason,
            published_at: c.published_at,
            updated_at: c.updated_at,
        }
    }
}

impl From<&EventRow> for EventChanges {
    fn from(r: &EventRow) -> Self {
        let r = r.clone();
        Self {
            title: r.title,
            description: r.description,
            description_html: r.description_html,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            all_day: r.all_day,
            time_zone: r.time_zone,
            venue_name: r.venue_name,
            venue_address: r.venue_address,
            city: r.city,
            city_key: r.city_key,
            postal_code: r.postal_code,
            latitude: r.latitude,
            longitude: r.longitude,
            is_free: r.is_free,
            price_cents: r.price_cents,
            price_currency: r.price_currency,
            price_text: r.price_text,
            organizer: r.organizer,
            link: r.link,
            image_url: r.image_url,
            image_alt: r.image_alt,
            image_credit: r.image_credit,
            category: r.category,
            status: r.status,
            rejection_reason: r.rejection_reason,
            published_at: r.published_at,
            updated_at: r.updated_at,
        }
    }
}
