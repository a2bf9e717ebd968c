//! Images that Kiosque makes itself (the demo site's, `seed-demo`), taken in
//! through the same steps as an upload: stored content-addressed in the blob
//! store, checked and described on the image pool, recorded with their
//! metadata, and their variants made at once.

use actix_web::web;

use super::model::NewMedia;
use super::{queries, work};
use crate::error::{AppError, AppResult};
use crate::ids::MediaId;
use crate::imaging::Format;
use crate::state::AppState;
use crate::storage::put_bytes;

/// What an image made here says about itself.
#[derive(Debug, Clone)]
pub struct MadeImage {
    /// A JPEG or PNG file.
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub title: String,
    pub alt: String,
    pub caption: String,
    pub credit: String,
}

/// Takes `image` into the library as a public image; its id.
pub async fn import_image(state: &web::Data<AppState>, image: MadeImage) -> AppResult<MediaId> {
    let sniffed = crate::imaging::sniff(&image.bytes[..image.bytes.len().min(512)]);
    let format = match sniffed {
        crate::imaging::Sniffed::Known(f @ (Format::Jpeg | Format::Png)) => f,
        _ => return Err(AppError::internal("a made image is JPEG or PNG")),
    };
    let size = image.bytes.len() as i64;
    let stored = put_bytes(&*state.blobs, image.bytes, Some(format.content_type()))
        .await
        .map_err(work::storage_error)?;
    let analysis = work::analyse(state, &stored.key, format).await?;
    let now = state.clock.now();
    let new = NewMedia {
        kind: "image".into(),
        content_type: format.content_type().to_string(),
        sha256: stored.key,
        size_bytes: size,
        width: Some(analysis.width as i32),
        height: Some(analysis.height as i32),
        duration_ms: None,
        animated: false,
        file_name: image.file_name,
        title: image.title,
        alt: image.alt,
        caption: image.caption,
        credit: image.credit,
        focal_x: 0.5,
        focal_y: 0.5,
        placeholder: Some(analysis.placeholder),
        dominant_color: Some(analysis.dominant_color),
        public: true,
        uploaded_by: None,
        created_at: now,
        updated_at: now,
    };
    let row = state
        .db
        .write(move |c| {
            let row = queries::insert(c, &new)?;
            crate::changes::record(c, row.change("created", now))?;
            Ok::<_, AppError>(row)
        })
        .await?;
    work::ensure_variants(state, &row).await?;
    Ok(MediaId(row.id))
}
