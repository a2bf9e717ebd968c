use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{Media, presets};
use super::model::{MediaChanges, MediaRow, NewMedia};
use super::requests::{MediaFilters, SORTABLE, UpdateMedia, UploadFields, UploadForm};
use super::upload::{Bounds, receive};
use super::urls::{Shown, Signed, Signer, facts};
use super::{queries, serve, work};
use crate::audit::{Actor, Origin};
use crate::auth::policy::allowed;
use crate::auth::{Action, Caller, Role, authorize};
use crate::error::{AppError, AppResult, Problem};
use crate::http::path::Id;
use crate::http::{IfMatch, Json, ListQuery, Page, Query, Validate, respond, respond_page};
use crate::ids::{MediaId, UserId};
use crate::imaging::{Encoding, Kind, plan};
use crate::openapi as oa;
use crate::state::AppState;

/// The item `id` if `caller` may see it, and whether it is public (marked
/// so, or used by published content). Hidden media does not exist for others.
/// The item `id` for a file request: opened by a valid signed URL, or seen
/// by `caller` as [`visible`] says. A forged or expired signature is 403.
async fn readable(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    id: i64,
    signed: &Signed,
) -> AppResult<(MediaRow, bool)> {
    let now = state.clock.now_utc().timestamp();
    if Signer::of(state).check(req.path(), signed, now)? {
        let (row, used) = state
            .db
            .run(move |c| {
                let row = queries::find(c, id)?;
                let used = queries::used_by_published(c, id)?;
                Ok((row, used))
            })
            .await
            .map_err(|e| match e.status.as_u16() {
                404 => AppError::not_found("no such media item"),
                _ => e,
            })?;
        let public = row.public || used;
        return Ok((row, public));
    }
    visible(state, caller, id).await
}

/// The answer for a public file when a public base serves it: a redirect
/// there, so no byte goes through Kiosque.
fn on_public_base(state: &AppState, public: bool, sha256: &str) -> Option<HttpResponse> {
    let base = state.config.media.public_base_url.as_deref()?;
    public.then(|| {
        HttpResponse::Found()
            .insert_header((header::LOCATION, format!("{base}/{sha256}")))
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .finish()
    })
}

/// Unix seconds on the application's clock.
fn unix_now(state: &AppState) -> i64 {
    state.clock.now_utc().timestamp()
}

pub(super) async fn visible(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<(MediaRow, bool)> {
    let (row, used) = state
        .db
        .run(move |c| {
            let row = queries::find(c, id)?;
            let used = queries::used_by_published(c, id)?;
            Ok((row, used))
        })
        .await
        .map_err(|e| match e.status.as_u16() {
            404 => AppError::not_found("no such media item"),
            _ => e,
        })?;
    let public = row.public || used;
    if !public
        && !allowed(
            caller,
            Action::ReadMedia {
                uploader: row.uploaded_by.map(UserId),
            },
        )
    {
        return Err(AppError::not_found("no such media item"));
    }
    Ok((row, public))
}

/// List the library (signed in; members see their own uploads only).
///
/// Sortable by `created_at` (default, newest first), `size`, `title`.
#[utoipa::path(
    tag = "media",
    params(crate::http::PageParams, MediaFilters),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of media items", body = Page<Media>),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/media")]
pub async fn list_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<MediaFilters>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&SORTABLE, "-created_at")?;
    let f = &query.filters;
    let kind = match f.kind.as_deref() {
        None => None,
        Some(k) => Some(
            Kind::parse(k)
                .ok_or_else(|| AppError::bad_query("kind: one of image, document, video, audio"))?
                .as_str()
                .to_string(),
        ),
    };
    // staff see the whole library; a member only their own uploads
    let everything = allowed(&caller, Action::ReadMedia { uploader: None });
    let uploader = match (everything, caller.user_id()) {
        (true, _) => f.uploader.map(|u| u.0),
        (false, Some(me)) => {
            if f.uploader.is_some_and(|u| u != me) {
                return Err(AppError::forbidden("members see only their own uploads"));
            }
            Some(me.0)
        }
        (false, None) => {
            authorize(&caller, Action::ReadMedia { uploader: None })?;
            None
        }
    };
    let filters = queries::Filters {
        kind,
        uploader,
        q: f.q.clone(),
    };
    let p = paged.clone();
    let (rows, total, known) = state
        .db
        .run(move |c| {
            let (rows, total) = queries::list(c, &filters, &p)?;
            let known = facts(c, &rows)?;
            Ok((rows, total, known))
        })
        .await?;
    let settings = state.config.media.clone();
    let signer = Signer::of(&state);
    let shown = Shown::new(&state, &signer, unix_now(&state)).with(known.0, known.1);
    let page = Page::new(&paged, rows, total).map(|r| Media::of(r, &settings, &shown));
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}

/// Read a media item (public items by anyone; others by their uploader and the staff).
#[utoipa::path(
    tag = "media",
    params(Id<MediaId>),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The media item", body = Media,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/media/{id}")]
pub async fn get_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<MediaId>,
) -> AppResult<HttpResponse> {
    let (row, public) = visible(&state, &caller, path.0.0).await?;
    let freshness = if public {
        caller.freshness()
    } else {
        crate::http::Freshness::Private
    };
    let one = row.clone();
    let known = state.db.run(move |c| Ok(facts(c, &[one])?)).await?;
    let signer = Signer::of(&state);
    let shown = Shown::new(&state, &signer, unix_now(&state)).with(known.0, known.1);
    Ok(respond(
        &req,
        freshness,
        &Media::of(row, &state.config.media, &shown),
    ))
}

/// Upload a file.
///
/// Send either `multipart/form-data` with the file in the `file` field and
/// the metadata as fields, or the raw file as the body with its
/// `Content-Type` and the metadata as query parameters. The type is decided
/// from the file's bytes (JPEG, PNG, WebP, GIF, PDF, MP4, WebM, MP3, M4A,
/// Ogg); SVG is refused. Authors, editors and admins upload any kind;
/// members upload images only, within their quota. Images are checked (pixel
/// count from the header, then decoded) before they are accepted; their
/// variants are made on first request.
#[utoipa::path(
    tag = "media",
    params(UploadFields),
    request_body(
        description = "The file: a multipart form, or the raw bytes with their type",
        content(
            (UploadForm = "multipart/form-data"),
            (Vec<u8> = "application/octet-stream"),
            (Vec<u8> = "image/*"),
            (Vec<u8> = "video/*"),
            (Vec<u8> = "audio/*"),
            (Vec<u8> = "application/pdf"),
        )
    ),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = Media,
         headers(("Location" = String, description = "The new item's address"))),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 413, description = "Larger than the limit of its kind (`payload_too_large`) or than the member's quota left (`quota_exceeded`)",
         body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not an accepted format (`unknown_media_type`), SVG (`svg_refused`), or bytes that are not the declared type (`media_type_mismatch`)",
         body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid metadata, an empty file (`empty_file`), an image with too many pixels (`image_too_large`) or that does not decode (`unreadable_image`)",
         body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The image workers are all busy (`media_busy`), the media storage does not answer (`storage_unavailable`) or the database is unavailable; retry after `Retry-After`",
         body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/media")]
pub async fn upload_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<UploadFields>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::UploadMedia { image: true })?;
    query.0.validate().map_err(AppError::validation)?;
    let settings = state.config.media.clone();
    let quota_left = match caller.user() {
        Some(u) if u.role == Role::Member => {
            let me = u.id.0;
            let used = state
                .db
                .run(move |c| Ok(queries::bytes_uploaded_by(c, me)?))
                .await?;
            let left = settings
                .member_quota_bytes
                .saturating_sub(used.max(0) as u64);
            if left == 0 {
                return Err(AppError::new(
                    actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "quota_exceeded",
                    "your upload quota is used up; delete files you no longer need",
                ));
            }
            Some(left)
        }
        _ => None,
    };
    let may_upload = |kind: Kind| {
        authorize(
            &caller,
            Action::UploadMedia {
                image: kind == Kind::Image,
            },
        )
    };
    let bounds = Bounds {
        state: &state,
        quota_left,
        may_upload: &may_upload,
    };
    let got = receive(&req, payload, query.0.clone(), &bounds).await?;
    match accept(&state, &caller, got).await {
        Ok(row) => {
            // a new item: used by nothing yet, no variant made
            let signer = Signer::of(&state);
            let shown = Shown::new(&state, &signer, unix_now(&state));
            Ok(HttpResponse::Created()
                .insert_header((header::LOCATION, format!("/api/v1/media/{}", row.id)))
                .json(Media::of(row, &settings, &shown)))
        }
        Err((e, stored)) => {
            work::forget_blob(&state, stored).await;
            Err(e)
        }
    }
}

/// Checks what was received and records it; on refusal, the blob to forget.
async fn accept(
    state: &web::Data<AppState>,
    caller: &Caller,
    got: super::upload::Received,
) -> Result<MediaRow, (AppError, Option<String>)> {
    let stored = got.stored.clone();
    let orphan = stored.created.then(|| stored.key.clone());
    let fail = |e: AppError| (e, orphan.clone());
    got.fields
        .validate()
        .map_err(|e| fail(AppError::validation(e)))?;
    let kind = got.format.kind();
    let analysis = if kind == Kind::Image {
        Some(
            work::analyse(state, &stored.key, got.format)
                .await
                .map_err(fail)?,
        )
    } else {
        None
    };
    let duration_ms = if matches!(kind, Kind::Audio | Kind::Video) {
        work::measure(state, &stored.key, stored.size, got.format).await
    } else {
        None
    };
    let f = got.fields;
    let alt = f.alt.unwrap_or_default();
    let public = f.public.unwrap_or(false);
    if public && kind == Kind::Image && alt.trim().is_empty() {
        return Err(fail(AppError::invalid(
            "alt",
            "an image needs its alt text before it is public",
        )));
    }
    let now = state.clock.now();
    let new = NewMedia {
        kind: kind.as_str().to_string(),
        content_type: got.format.content_type().to_string(),
        sha256: stored.key.clone(),
        size_bytes: stored.size as i64,
        width: analysis.as_ref().map(|a| a.width as i32),
        height: analysis.as_ref().map(|a| a.height as i32),
        duration_ms,
        animated: analysis.as_ref().is_some_and(|a| a.animated),
        file_name: got.file_name,
        title: f.title.unwrap_or_default().trim().to_string(),
        alt: alt.trim().to_string(),
        caption: f.caption.unwrap_or_default().trim().to_string(),
        credit: f.credit.unwrap_or_default().trim().to_string(),
        focal_x: f.focal_x.unwrap_or(0.5),
        focal_y: f.focal_y.unwrap_or(0.5),
        placeholder: analysis.as_ref().map(|a| a.placeholder.clone()),
        dominant_color: analysis.as_ref().map(|a| a.dominant_color.clone()),
        public,
        uploaded_by: caller.user_id().map(|u| u.0),
        created_at: now,
        updated_at: now,
    };
    state
        .db
        .write(move |c| {
            let row = queries::insert(c, &new)?;
            crate::changes::record(c, row.change("created", now))?;
            Ok(row)
        })
        .await
        .map_err(fail)
}

/// Change the metadata. Send `If-Match` with the ETag you read to refuse a stale update.
#[utoipa::path(
    tag = "media",
    params(Id<MediaId>, crate::http::IfMatch),
    request_body = UpdateMedia,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Media),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 412, response = oa::PreconditionFailed),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[patch("/media/{id}")]
pub async fn update_media(
    if_match: IfMatch,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<MediaId>,
    body: Json<UpdateMedia>,
) -> AppResult<HttpResponse> {
    let (current, _) = visible(&state, &caller, path.0.0).await?;
    authorize(
        &caller,
        Action::EditMedia {
            uploader: current.uploaded_by.map(UserId),
        },
    )?;
    let body = body.0;
    let now = state.clock.now();
    let settings = state.config.media.clone();
    let s2 = settings.clone();
    let signer = std::sync::Arc::new(Signer::of(&state));
    let (base, now_unix) = (settings.public_base_url.clone(), unix_now(&state));
    let ttl = settings.signed_url_ttl.as_secs() as i64;
    let sig2 = signer.clone();
    let (row, known) = state
        .db
        .write(move |c| {
            let current = queries::find(c, current.id)?;
            let known = facts(c, std::slice::from_ref(&current))?;
            let read_at = |at: i64| {
                let shown = Shown {
                    base: base.as_deref(),
                    signer: &sig2,
                    now: at,
                    published: Default::default(),
                    variants: Default::default(),
                }
                .with(known.0.clone(), known.1.clone());
                Media::of(current.clone(), &s2, &shown)
            };
            // signed URLs change once a period: a read of the period before is current too
            if_match
                .check(&read_at(now_unix))
                .or_else(|_| if_match.check(&read_at(now_unix - ttl)))?;
            let trim = |v: Option<String>| v.map(|t| t.trim().to_string());
            let changes = MediaChanges {
                title: trim(body.title),
                alt: trim(body.alt),
                caption: trim(body.caption),
                credit: trim(body.credit),
                focal_x: body.focal_point.map(|f| f.x),
                focal_y: body.focal_point.map(|f| f.y),
                public: body.public,
                updated_at: Some(now),
            };
            let alt_after = changes.alt.clone().unwrap_or_else(|| current.alt.clone());
            let public_after = changes.public.unwrap_or(current.public)
                || queries::used_by_published(c, current.id)?;
            if current.is_image() && public_after && alt_after.is_empty() {
                return Err(AppError::invalid(
                    "alt",
                    "a public image (or one used by published content) keeps its alt text",
                ));
            }
            let row = queries::update(c, current.id, &changes)?;
            let shown_in = super::links::content_paths(c, row.id)?;
            crate::changes::record(c, row.change("updated", now).paths(shown_in))?;
            let known = facts(c, std::slice::from_ref(&row))?;
            Ok((row, known))
        })
        .await?;
    let shown = Shown::new(&state, &signer, now_unix).with(known.0, known.1);
    Ok(HttpResponse::Ok().json(Media::of(row, &settings, &shown)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// Delete even when published content uses the item (the references are cleared).
    pub force: Option<bool>,
}

/// Delete a media item, its file and its variants. Refused (409) while
/// published content uses it, unless `force=true`.
#[utoipa::path(
    tag = "media",
    params(Id<MediaId>, DeleteParams),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 503, response = oa::Unavailable),
    )
)]
#[delete("/media/{id}")]
pub async fn delete_media(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<MediaId>,
    query: Query<DeleteParams>,
) -> AppResult<HttpResponse> {
    let (current, _) = visible(&state, &caller, path.0.0).await?;
    authorize(
        &caller,
        Action::DeleteMedia {
            uploader: current.uploaded_by.map(UserId),
        },
    )?;
    let force = query.force.unwrap_or(false);
    let now = state.clock.now();
    let actor = Actor::of(&caller, &origin);
    let unused = state
        .db
        .write(move |c| {
            let row = queries::find(c, current.id)?;
            if !force && queries::used_by_published(c, row.id)? {
                return Err(AppError::conflict(
                    "published content uses this media item; remove it there first, or delete with force=true",
                ));
            }
            let mut blobs: Vec<String> = queries::variants_of(c, row.id)?
                .into_iter()
                .map(|v| v.sha256)
                .collect();
            blobs.push(row.sha256.clone());
            let shown_in = super::links::content_paths(c, row.id)?;
            let change = row.change("deleted", now).paths(shown_in);
            crate::audit::content_deleted(c, &actor, ("media", row.id), now)?;
            super::links::clear_uses(c, row.id)?;
            queries::delete(c, row.id)?;
            let mut unused = Vec::new();
            for sha in blobs {
                if !queries::blob_in_use(c, &sha)? && !unused.contains(&sha) {
                    unused.push(sha);
                }
            }
            crate::changes::record(c, change)?;
            Ok(unused)
        })
        .await?;
    for sha in unused {
        if let Err(e) = state.blobs.delete(&sha).await {
            tracing::warn!(error = %e, "could not remove a media blob; `kiosque media gc` will");
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The original file (`Range` supported). Public items: cached for a year.
///
/// Private items are served to their uploader and the staff (bearer token),
/// or to anyone holding the item's `signed_url` until it expires. With
/// `KIOSQUE_MEDIA_PUBLIC_BASE_URL` set, a public item's file is on that
/// base: this URL redirects there (302).
#[utoipa::path(
    tag = "media",
    params(Id<MediaId>, Signed),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The file, with its own type", content_type = "*/*", body = Vec<u8>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Accept-Ranges" = String))),
        (status = 206, description = "The bytes asked with `Range`", content_type = "*/*", body = Vec<u8>,
         headers(("Content-Range" = String), ("ETag" = String), ("Cache-Control" = String), ("Accept-Ranges" = String))),
        (status = 302, description = "Public media on the public base (`KIOSQUE_MEDIA_PUBLIC_BASE_URL`)",
         headers(("Location" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = oa::BadRequest),
        (status = 403, description = "A signed URL whose signature is forged (`signature_invalid`) or expired (`signature_expired`)",
         body = Problem, content_type = "application/problem+json"),
        (status = 404, response = oa::NotFound),
        (status = 416, description = "The range lies outside the file (`Content-Range: bytes */size`)",
         body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The media storage (`storage_unavailable`) or the database does not answer; retry after `Retry-After`",
         body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media/{id}/file")]
pub async fn get_media_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<MediaId>,
    signed: Query<Signed>,
) -> AppResult<HttpResponse> {
    let (row, public) = readable(&req, &state, &caller, path.0.0, &signed).await?;
    if let Some(moved) = on_public_base(&state, public, &row.sha256) {
        return Ok(moved);
    }
    serve::send(
        &req,
        &state,
        serve::Sending {
            sha256: &row.sha256,
            size: row.size_bytes.max(0) as u64,
            content_type: &row.content_type,
            public,
        },
    )
    .await
}

/// A variant of an image: `{preset}.{format}` with a preset of the settings
/// (`w320`, `w640`, `w1024`, `w1600`, `social`) and `webp` or `jpg`, under
/// the version the image object names. Made on first request (once, however
/// many ask at the same time); anything else is 404. Private items: as
/// for the file, a bearer token or the variant's `signed_url`; public items
/// with a public base: a redirect there.
#[utoipa::path(
    tag = "media",
    params(
        Id<MediaId>,
        ("version" = String, Path, description = "The version in the image object's URLs"),
        ("file" = String, Path, description = "`{preset}.{format}`, e.g. `w640.webp`"),
        Signed,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The variant, WebP or JPEG as its name says",
         content((Vec<u8> = "image/webp"), (Vec<u8> = "image/jpeg")),
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 302, description = "Public media on the public base (`KIOSQUE_MEDIA_PUBLIC_BASE_URL`)",
         headers(("Location" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = oa::BadRequest),
        (status = 403, description = "A signed URL whose signature is forged (`signature_invalid`) or expired (`signature_expired`)",
         body = Problem, content_type = "application/problem+json"),
        (status = 404, response = oa::NotFound),
        (status = 503, description = "The image workers are all busy (`media_busy`) or the media storage does not answer (`storage_unavailable`); retry after `Retry-After`",
         body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media/{id}/v/{version}/{file}")]
pub async fn get_media_variant(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<MediaId>,
    signed: Query<Signed>,
) -> AppResult<HttpResponse> {
    let version = req.match_info().get("version").unwrap_or("").to_string();
    let file = req.match_info().get("file").unwrap_or("").to_string();
    let (row, public) = readable(&req, &state, &caller, path.0.0, &signed).await?;
    let none =
        || AppError::not_found("no such variant: read the media item for its variants' URLs");
    let (preset, ext) = file.rsplit_once('.').ok_or_else(none)?;
    let encoding = Encoding::parse(ext).ok_or_else(none)?;
    if !row.is_image() || version != row.version() {
        return Err(none());
    }
    let plans = plan(
        row.width.unwrap_or(1).max(1) as u32,
        row.height.unwrap_or(1).max(1) as u32,
        &presets(&state.config.media),
        (row.focal_x, row.focal_y),
    );
    if !plans.iter().any(|p| p.preset == preset) {
        return Err(none());
    }
    let lookup = {
        let (id, v, p, e) = (row.id, version.clone(), preset.to_string(), ext.to_string());
        move |c: &mut crate::db::AnyConnection| Ok(queries::variant(c, id, &v, &p, &e)?)
    };
    let found = match state.db.run(lookup.clone()).await? {
        Some(v) => v,
        None => {
            work::ensure_variants(&state, &row).await?;
            state.db.run(lookup).await?.ok_or_else(none)?
        }
    };
    if let Some(moved) = on_public_base(&state, public, &found.sha256) {
        return Ok(moved);
    }
    serve::send(
        &req,
        &state,
        serve::Sending {
            sha256: &found.sha256,
            size: found.size_bytes.max(0) as u64,
            content_type: encoding.content_type(),
            public,
        },
    )
    .await
}
