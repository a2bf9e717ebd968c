//! The write rules of sections, shared by the API and the command line.

use chrono::NaiveDateTime;

use super::dto::CreateSection;
use super::model::{NewSection, SectionRow};
use super::queries;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::http::Validate;
use crate::slug::{slugify, unique};

/// Creates a section from a request that is checked here, whoever sends it:
/// the slug comes from the name (the next free one) unless one is given.
pub fn create(
    c: &mut AnyConnection,
    body: CreateSection,
    now: NaiveDateTime,
) -> AppResult<SectionRow> {
    body.validate().map_err(AppError::validation)?;
    let slug = match body.slug {
        Some(s) => s,
        None => unique(&slugify(&body.name, 80), |s| queries::slug_taken(c, s))?,
    };
    let row = queries::insert(
        c,
        &NewSection {
            slug,
            name: body.name.trim().to_string(),
            description: body.description,
            position: body.position,
            created_at: now,
            updated_at: now,
        },
    )?;
    crate::changes::record(c, row.change("created", None, now))?;
    Ok(row)
}
