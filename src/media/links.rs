//! Content that uses media: an article's cover may be a media item
//! (`cover_media_id`), answered as the whole image object.

use std::collections::HashMap;

use diesel::prelude::*;

use super::dto::{ImageObject, image_object_with};
use super::model::MediaRow;
use super::queries;
use crate::auth::policy::allowed;
use crate::auth::{Action, Caller};
use crate::db::AnyConnection;
use crate::db::schema::{article_cover_media, media};
use crate::error::{AppError, AppResult};
use crate::ids::{MediaId, UserId};

/// Makes `media` (or nothing) the cover of `article`; `true` when that
/// changed. The item must be an image the caller may see, with its alt text
/// (a cover is shown publicly once the article is published).
pub fn set_article_cover(
    conn: &mut AnyConnection,
    caller: &Caller,
    article: i64,
    media: Option<MediaId>,
) -> AppResult<bool> {
    let now: Option<i64> = article_cover_media::table
        .find(article)
        .select(article_cover_media::media_id)
        .first(conn)
        .optional()?;
    if now == media.map(|m| m.0) {
        return Ok(false);
    }
    diesel::delete(article_cover_media::table.find(article)).execute(conn)?;
    let Some(id) = media else { return Ok(true) };
    let field = "cover_media_id";
    let row = match queries::find(conn, id.0).optional()? {
        Some(r) => r,
        None => return Err(AppError::invalid(field, format!("no media item {id}"))),
    };
    let visible = row.public
        || allowed(
            caller,
            Action::ReadMedia {
                uploader: row.uploaded_by.map(UserId),
            },
        );
    if !visible {
        return Err(AppError::invalid(field, format!("no media item {id}")));
    }
    if !row.is_image() {
        return Err(AppError::invalid(field, "a cover is an image"));
    }
    if row.alt.trim().is_empty() {
        return Err(AppError::invalid(
            field,
            "give the image its alt text first (PATCH /media/{id})",
        ));
    }
    diesel::insert_into(article_cover_media::table)
        .values((
            article_cover_media::article_id.eq(article),
            article_cover_media::media_id.eq(id.0),
        ))
        .execute(conn)?;
    Ok(true)
}

/// The cover images of a set of articles, by article id.
pub fn article_covers(
    conn: &mut AnyConnection,
    articles: &[i64],
) -> QueryResult<HashMap<i64, ImageObject>> {
    if articles.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, MediaRow)> = article_cover_media::table
        .inner_join(media::table)
        .filter(article_cover_media::article_id.eq_any(articles))
        .select((article_cover_media::article_id, media::all_columns))
        .load(conn)?;
    let presets = crate::imaging::presets();
    Ok(rows
        .into_iter()
        .filter_map(|(a, m)| image_object_with(&m, &presets, None).map(|img| (a, img)))
        .collect())
}
