//! What clients send: the metadata of an upload (form fields of a multipart
//! upload, or query parameters of a raw one), edits, and the list's filters.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::error::FieldError;
use crate::http::validate::{Errors, Validate};
use crate::ids::UserId;

/// The metadata of an upload. With a raw body (`Content-Type: image/jpeg` …)
/// these are query parameters; with `multipart/form-data`, form fields next
/// to the `file` field (a query parameter and a field of the same name: the
/// field wins).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadFields {
    pub title: Option<String>,
    /// Text alternative (images); needed before the image is used publicly.
    pub alt: Option<String>,
    pub caption: Option<String>,
    /// Who to credit (shown as "© …").
    pub credit: Option<String>,
    /// Focal point, 0–1 from the left (default 0.5).
    pub focal_x: Option<f64>,
    /// Focal point, 0–1 from the top (default 0.5).
    pub focal_y: Option<f64>,
    /// Serve to anyone even when unused by published content (images need `alt`).
    pub public: Option<bool>,
    /// The file's name, for display (raw uploads; a multipart part's own name otherwise).
    pub file_name: Option<String>,
}

impl UploadFields {
    /// Sets the field `name` from a form field's text.
    pub fn set(&mut self, name: &str, value: String) -> Result<(), FieldError> {
        let number = |v: &str| {
            v.trim()
                .parse::<f64>()
                .map_err(|_| FieldError::new(name, "must be a number between 0 and 1"))
        };
        match name {
            "title" => self.title = Some(value),
            "alt" => self.alt = Some(value),
            "caption" => self.caption = Some(value),
            "credit" => self.credit = Some(value),
            "file_name" => self.file_name = Some(value),
            "focal_x" => self.focal_x = Some(number(&value)?),
            "focal_y" => self.focal_y = Some(number(&value)?),
            "public" => {
                self.public = Some(match value.trim() {
                    "true" | "1" | "on" => true,
                    "false" | "0" | "off" | "" => false,
                    _ => return Err(FieldError::new(name, "must be true or false")),
                })
            }
            other => {
                return Err(FieldError::new(
                    other,
                    "unknown field (expected file, title, alt, caption, credit, focal_x, focal_y, public, file_name)",
                ));
            }
        }
        Ok(())
    }
}

fn focal(e: &mut Errors, field: &str, v: Option<f64>) {
    if let Some(v) = v
        && !(0.0..=1.0).contains(&v)
    {
        e.add(field, "must be between 0 and 1");
    }
}

impl Validate for UploadFields {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.opt_text("title", self.title.as_deref(), 0, 200);
        e.opt_text("alt", self.alt.as_deref(), 0, 300);
        e.opt_text("caption", self.caption.as_deref(), 0, 1_000);
        e.opt_text("credit", self.credit.as_deref(), 0, 200);
        e.opt_text("file_name", self.file_name.as_deref(), 0, 255);
        focal(&mut e, "focal_x", self.focal_x);
        focal(&mut e, "focal_y", self.focal_y);
        e.finish()
    }
}

/// The form of a multipart upload (documentation of `multipart/form-data`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file itself (its type is read from its bytes).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub title: Option<String>,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub focal_x: Option<f64>,
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub focal_y: Option<f64>,
    pub public: Option<bool>,
}

/// A focal point in an edit.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FocalPointInput {
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub x: f64,
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub y: f64,
}

/// A partial update of the metadata: absent fields are left as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMedia {
    #[schema(max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 300)]
    pub alt: Option<String>,
    #[schema(max_length = 1000)]
    pub caption: Option<String>,
    #[schema(max_length = 200)]
    pub credit: Option<String>,
    pub focal_point: Option<FocalPointInput>,
    /// Serve to anyone (images need `alt` first).
    pub public: Option<bool>,
}

impl Validate for UpdateMedia {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.opt_text("title", self.title.as_deref(), 0, 200);
        e.opt_text("alt", self.alt.as_deref(), 0, 300);
        e.opt_text("caption", self.caption.as_deref(), 0, 1_000);
        e.opt_text("credit", self.credit.as_deref(), 0, 200);
        if let Some(f) = self.focal_point {
            focal(&mut e, "focal_point.x", Some(f.x));
            focal(&mut e, "focal_point.y", Some(f.y));
        }
        e.finish()
    }
}

/// Filters of the library. Members see only their own uploads.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MediaFilters {
    /// `image`, `document`, `video` or `audio`.
    #[param(pattern = "^(image|document|video|audio)$")]
    pub kind: Option<String>,
    /// Uploads of this user.
    pub uploader: Option<UserId>,
    /// Text to find in the title, alt text, caption, credit or file name (case ignored).
    pub q: Option<String>,
}

pub const SORTABLE: [&str; 3] = ["created_at", "size", "title"];
