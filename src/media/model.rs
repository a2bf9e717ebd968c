use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{media, media_variants};

#[derive(Debug, Clone, Queryable)]
pub struct MediaRow {
    pub id: i64,
    pub kind: String,
    pub content_type: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_ms: Option<i64>,
    pub animated: bool,
    pub file_name: String,
    pub title: String,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub focal_x: f64,
    pub focal_y: f64,
    pub placeholder: Option<String>,
    pub dominant_color: Option<String>,
    pub public: bool,
    pub uploaded_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = media)]
pub struct NewMedia {
    pub kind: String,
    pub content_type: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_ms: Option<i64>,
    pub animated: bool,
    pub file_name: String,
    pub title: String,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub focal_x: f64,
    pub focal_y: f64,
    pub placeholder: Option<String>,
    pub dominant_color: Option<String>,
    pub public: bool,
    pub uploaded_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = media)]
pub struct MediaChanges {
    pub title: Option<String>,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
    pub public: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable)]
pub struct VariantRow {
    pub id: i64,
    pub media_id: i64,
    pub version: String,
    pub preset: String,
    pub format: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub width: i32,
    pub height: i32,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = media_variants)]
pub struct NewVariant {
    pub media_id: i64,
    pub version: String,
    pub preset: String,
    pub format: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub width: i32,
    pub height: i32,
    pub created_at: NaiveDateTime,
}

impl MediaRow {
    pub fn is_image(&self) -> bool {
        self.kind == "image"
    }

    /// What the variants' URLs carry: changes with the bytes and with what
    /// the variants depend on (the focal point), never otherwise.
    pub fn version(&self) -> String {
        use sha2::{Digest, Sha256};
        let seed = format!("{}:{:.4}:{:.4}", self.sha256, self.focal_x, self.focal_y);
        crate::storage::hex(&Sha256::digest(seed.as_bytes())[..8])
    }

    /// The change `media.<what>`: the item's address and the library.
    pub fn change(&self, what: &str, now: NaiveDateTime) -> crate::changes::Change {
        crate::changes::Change::new("media", what, self.id, now)
            .paths([
                format!("/api/v1/media/{}", self.id),
                "/api/v1/media".to_string(),
            ])
            .datum("kind", self.kind.clone())
    }
}
