//! Content that uses media: an article's cover (`cover_media_id`), an
//! event's poster and a job offer's logo (`image_media_id`), images embedded
//! in bodies (`![alt](media:12)`) and an article's uploaded video. Used by
//! published content, an item is public and refused deletion (409) unless
//! forced, which clears every use.

use std::collections::HashMap;

use diesel::prelude::*;

use super::dto::{FileObject, ImageObject, image_object_with};
use super::model::MediaRow;
use super::queries;
use crate::auth::policy::allowed;
use crate::auth::{Action, Caller};
use crate::db::AnyConnection;
use crate::db::schema::{article_cover_media, events, jobs, media, media_uses};
use crate::error::{AppError, AppResult};
use crate::ids::{MediaId, UserId};

/// A piece of content that may use media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    Article(i64),
    Event(i64),
    Job(i64),
}

/// How content uses an item (besides covers and posters).
const EMBED: &str = "embed";
const VIDEO: &str = "video";

fn uses_of(
    content: Content,
    role: &'static str,
) -> media_uses::BoxedQuery<'static, crate::db::MultiBackend> {
    let q = media_uses::table
        .into_boxed()
        .filter(media_uses::role.eq(role));
    match content {
        Content::Article(id) => q.filter(media_uses::article_id.eq(id)),
        Content::Event(id) => q.filter(media_uses::event_id.eq(id)),
        Content::Job(id) => q.filter(media_uses::job_id.eq(id)),
    }
}

/// The item `id` if `caller` may put it in content: an item they may see
/// (their own, one that is public or used by published content; the staff:
/// any). Hidden items are answered as unknown, on `field`.
fn usable(conn: &mut AnyConnection, caller: &Caller, field: &str, id: i64) -> AppResult<MediaRow> {
    let unknown = || AppError::invalid(field, format!("no media item {id}"));
    let Some(row) = queries::find(conn, id).optional()? else {
        return Err(unknown());
    };
    let visible = row.public
        || allowed(
            caller,
            Action::ReadMedia {
                uploader: row.uploaded_by.map(UserId),
            },
        )
        || queries::used_by_published(conn, id)?;
    if !visible {
        return Err(unknown());
    }
    Ok(row)
}

/// An image `caller` may use, with its alt text (or `alt_given` in place):
/// content is shown publicly once published.
fn usable_image(
    conn: &mut AnyConnection,
    caller: &Caller,
    field: &str,
    id: i64,
    alt_given: bool,
) -> AppResult<MediaRow> {
    let row = usable(conn, caller, field, id)?;
    if !row.is_image() {
        return Err(AppError::invalid(
            field,
            format!("media item {id} is not an image"),
        ));
    }
    if !alt_given && row.alt.trim().is_empty() {
        return Err(AppError::invalid(
            field,
            format!("give media item {id} its alt text first (PATCH /media/{id})"),
        ));
    }
    Ok(row)
}

/// Makes `media` (or nothing) the cover of `article`; `true` when that
/// changed. The item must be an image the caller may use, with its alt text
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
    usable_image(conn, caller, "cover_media_id", id.0, false)?;
    diesel::insert_into(article_cover_media::table)
        .values((
            article_cover_media::article_id.eq(article),
            article_cover_media::media_id.eq(id.0),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Checks an event's poster or an offer's logo (`field`) when a write
/// changes it from `before` to `after`: an image the caller may use, with
/// its alt text.
pub fn check_image(
    conn: &mut AnyConnection,
    caller: &Caller,
    field: &str,
    before: Option<i64>,
    after: Option<i64>,
) -> AppResult<()> {
    match after {
        Some(id) if before != Some(id) => usable_image(conn, caller, field, id, false).map(|_| ()),
        _ => Ok(()),
    }
}

/// Records the media that `html`, the body just written (rendered by
/// `text::markdown_to_html`), embeds. Embeds that `before` (the body it
/// replaces) did not have must name images the caller may use, with alt
/// text written in place or their own; those it had are kept as they are
/// (an item deleted since renders as nothing). Errors name `field`.
pub fn set_embeds(
    conn: &mut AnyConnection,
    caller: &Caller,
    content: Content,
    field: &str,
    before: Option<&str>,
    html: &str,
) -> AppResult<()> {
    let old = before.map(crate::text::embedded_media).unwrap_or_default();
    let new = crate::text::embeds(html);
    let mut ids: Vec<i64> = Vec::new();
    for e in &new {
        if !old.contains(&e.media_id) {
            usable_image(conn, caller, field, e.media_id, !e.alt.trim().is_empty())?;
        }
        if !ids.contains(&e.media_id) {
            ids.push(e.media_id);
        }
    }
    if before.is_some() && ids == old {
        return Ok(());
    }
    set_uses(conn, content, EMBED, &ids)
}

/// Makes `video` (or nothing) the uploaded video of `article`; `true` when
/// that changed. The item must be a video the caller may use.
pub fn set_article_video(
    conn: &mut AnyConnection,
    caller: &Caller,
    article: i64,
    video: Option<MediaId>,
) -> AppResult<bool> {
    let content = Content::Article(article);
    let now: Option<i64> = uses_of(content, VIDEO)
        .select(media_uses::media_id)
        .first(conn)
        .optional()?;
    if now == video.map(|m| m.0) {
        return Ok(false);
    }
    if let Some(id) = video {
        let row = usable(conn, caller, "video_media_id", id.0)?;
        if row.kind != "video" {
            return Err(AppError::invalid(
                "video_media_id",
                format!("media item {id} is not a video"),
            ));
        }
    }
    let ids: Vec<i64> = video.map(|v| v.0).into_iter().collect();
    set_uses(conn, content, VIDEO, &ids)?;
    Ok(true)
}

/// Replaces the uses of `role` by `content` with the items `ids` that exist.
fn set_uses(
    conn: &mut AnyConnection,
    content: Content,
    role: &'static str,
    ids: &[i64],
) -> AppResult<()> {
    let mine = uses_of(content, role).select(media_uses::id);
    let mine: Vec<i64> = mine.load(conn)?;
    diesel::delete(media_uses::table.filter(media_uses::id.eq_any(&mine))).execute(conn)?;
    if ids.is_empty() {
        return Ok(());
    }
    let existing: Vec<i64> = media::table
        .filter(media::id.eq_any(ids))
        .select(media::id)
        .load(conn)?;
    let (article, event, job) = match content {
        Content::Article(id) => (Some(id), None, None),
        Content::Event(id) => (None, Some(id), None),
        Content::Job(id) => (None, None, Some(id)),
    };
    let rows: Vec<_> = ids
        .iter()
        .filter(|id| existing.contains(id))
        .map(|id| {
            (
                media_uses::media_id.eq(*id),
                media_uses::article_id.eq(article),
                media_uses::event_id.eq(event),
                media_uses::job_id.eq(job),
                media_uses::role.eq(role),
            )
        })
        .collect();
    for row in rows {
        // one by one: the connection shared by both backends inserts a batch
        // of tuples only through its own (backend-specific) paths
        diesel::insert_into(media_uses::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// The uploaded videos of a set of articles, by article id.
pub fn article_videos(
    conn: &mut AnyConnection,
    articles: &[i64],
) -> QueryResult<HashMap<i64, FileObject>> {
    if articles.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Option<i64>, MediaRow)> = media_uses::table
        .inner_join(media::table)
        .filter(media_uses::role.eq(VIDEO))
        .filter(media_uses::article_id.eq_any(articles))
        .select((media_uses::article_id, media::all_columns))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, m)| a.map(|a| (a, FileObject::of(&m))))
        .collect())
}

/// Clears every use of the item `id` that its deletion would not (posters
/// and logos name it without a foreign key).
pub(super) fn clear_uses(conn: &mut AnyConnection, id: i64) -> QueryResult<()> {
    diesel::update(events::table.filter(events::image_media_id.eq(id)))
        .set(events::image_media_id.eq(None::<i64>))
        .execute(conn)?;
    diesel::update(jobs::table.filter(jobs::image_media_id.eq(id)))
        .set(jobs::image_media_id.eq(None::<i64>))
        .execute(conn)?;
    diesel::delete(media_uses::table.filter(media_uses::media_id.eq(id))).execute(conn)?;
    diesel::delete(article_cover_media::table.filter(article_cover_media::media_id.eq(id)))
        .execute(conn)?;
    Ok(())
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

/// The image objects of the items `ids` that are images (others left out),
/// by media id: posters, logos and embeds of a page of content at once.
pub fn images(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, ImageObject>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<MediaRow> = media::table.filter(media::id.eq_any(ids)).load(conn)?;
    let presets = crate::imaging::presets();
    Ok(rows
        .iter()
        .filter_map(|m| image_object_with(m, &presets, None).map(|img| (m.id, img)))
        .collect())
}

/// Whether content with this image (poster, logo) and rendered body shows
/// media items (then [`images_of`] is worth a query).
pub fn shows_media(image: Option<i64>, html: &str) -> bool {
    image.is_some() || html.contains("<kiosque-")
}

/// The images a page of content shows, by media id: `ids` (posters, logos)
/// and those its rendered `bodies` embed.
pub fn images_of<'a>(
    conn: &mut AnyConnection,
    ids: impl IntoIterator<Item = i64>,
    bodies: impl IntoIterator<Item = &'a str>,
) -> QueryResult<HashMap<i64, ImageObject>> {
    let mut all: Vec<i64> = ids.into_iter().collect();
    for html in bodies {
        all.extend(crate::text::embedded_media(html));
    }
    all.sort_unstable();
    all.dedup();
    images(conn, &all)
}

/// The public addresses whose answers show the item `id` (the content that
/// uses it, and their lists): named by its changes, so caches drop them.
pub(super) fn content_paths(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<String>> {
    use crate::db::schema::articles;
    let mut article_ids: Vec<i64> = article_cover_media::table
        .filter(article_cover_media::media_id.eq(id))
        .select(article_cover_media::article_id)
        .load(conn)?;
    let uses: Vec<(Option<i64>, Option<i64>, Option<i64>)> = media_uses::table
        .filter(media_uses::media_id.eq(id))
        .select((
            media_uses::article_id,
            media_uses::event_id,
            media_uses::job_id,
        ))
        .load(conn)?;
    let mut event_ids: Vec<i64> = events::table
        .filter(events::image_media_id.eq(id))
        .select(events::id)
        .load(conn)?;
    let mut job_ids: Vec<i64> = jobs::table
        .filter(jobs::image_media_id.eq(id))
        .select(jobs::id)
        .load(conn)?;
    for (a, e, j) in uses {
        article_ids.extend(a);
        event_ids.extend(e);
        job_ids.extend(j);
    }
    let slugs: Vec<(i64, String)> = articles::table
        .filter(articles::id.eq_any(&article_ids))
        .select((articles::id, articles::slug))
        .load(conn)?;
    let mut paths = Vec::new();
    for (a, slug) in slugs {
        paths.push(format!("/api/v1/articles/{a}"));
        paths.push(format!("/api/v1/articles/{slug}"));
    }
    if !article_ids.is_empty() {
        paths.push("/api/v1/articles".to_string());
    }
    for (kind, ids) in [("events", event_ids), ("jobs", job_ids)] {
        for i in &ids {
            paths.push(format!("/api/v1/{kind}/{i}"));
        }
        if !ids.is_empty() {
            paths.push(format!("/api/v1/{kind}"));
        }
    }
    Ok(paths)
}
