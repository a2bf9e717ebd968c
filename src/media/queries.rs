use diesel::prelude::*;

use super::model::{MediaChanges, MediaRow, NewMedia, NewVariant, VariantRow};
use crate::db::schema::{
    article_cover_media, articles, events, jobs, media, media_uses, media_variants,
};
use crate::db::{AnyConnection, MultiBackend};
use crate::http::PageRequest;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// The list's filters, resolved against the caller.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub kind: Option<String>,
    pub uploader: Option<i64>,
    pub q: Option<String>,
}

fn filtered(f: &Filters) -> media::BoxedQuery<'static, MultiBackend> {
    let mut query = media::table.into_boxed::<MultiBackend>();
    if let Some(kind) = &f.kind {
        query = query.filter(media::kind.eq(kind.clone()));
    }
    if let Some(uploader) = f.uploader {
        query = query.filter(media::uploaded_by.eq(uploader));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", crate::db::escape_like(&q.to_lowercase()));
        query = query.filter(
            lower(media::title)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(media::alt).like(pattern.clone()).escape('\\'))
                .or(lower(media::caption).like(pattern.clone()).escape('\\'))
                .or(lower(media::credit).like(pattern.clone()).escape('\\'))
                .or(lower(media::file_name).like(pattern).escape('\\')),
        );
    }
    query
}

pub fn list(
    conn: &mut AnyConnection,
    f: &Filters,
    paged: &PageRequest,
) -> QueryResult<(Vec<MediaRow>, i64)> {
    let total = filtered(f).count().get_result(conn)?;
    let mut query = filtered(f);
    for s in &paged.sort {
        query = match (s.field.as_str(), s.descending) {
            ("size", false) => query.then_order_by(media::size_bytes.asc()),
            ("size", true) => query.then_order_by(media::size_bytes.desc()),
            ("title", false) => query.then_order_by(media::title.asc()),
            ("title", true) => query.then_order_by(media::title.desc()),
            (_, false) => query.then_order_by(media::created_at.asc()),
            (_, true) => query.then_order_by(media::created_at.desc()),
        };
    }
    let rows = query
        .then_order_by(media::id.desc())
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<MediaRow> {
    media::table.find(id).first(conn)
}

pub fn insert(conn: &mut AnyConnection, new: &NewMedia) -> QueryResult<MediaRow> {
    diesel::insert_into(media::table)
        .values(new)
        .returning(media::all_columns)
        .get_result(conn)
}

pub fn update(conn: &mut AnyConnection, id: i64, changes: &MediaChanges) -> QueryResult<MediaRow> {
    diesel::update(media::table.find(id))
        .set(changes)
        .returning(media::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(media::table.find(id)).execute(conn)
}

/// Bytes of files a user has uploaded, in all.
pub fn bytes_uploaded_by(conn: &mut AnyConnection, user: i64) -> QueryResult<i64> {
    // summed here: SUM of a BIGINT is NUMERIC on PostgreSQL, which the
    // connection shared by both backends does not read
    let sizes: Vec<i64> = media::table
        .filter(media::uploaded_by.eq(user))
        .select(media::size_bytes)
        .load(conn)?;
    Ok(sizes.iter().sum())
}

/// Whether published content uses the item `id` (then it is public).
pub fn used_by_published(conn: &mut AnyConnection, id: i64) -> QueryResult<bool> {
    let cover = article_cover_media::table
        .inner_join(articles::table)
        .filter(article_cover_media::media_id.eq(id))
        .filter(articles::status.eq("published"));
    let in_article = media_uses::table
        .inner_join(articles::table.on(media_uses::article_id.eq(articles::id.nullable())))
        .filter(media_uses::media_id.eq(id))
        .filter(articles::status.eq("published"));
    let in_event = media_uses::table
        .inner_join(events::table.on(media_uses::event_id.eq(events::id.nullable())))
        .filter(media_uses::media_id.eq(id))
        .filter(events::status.eq("published"));
    let in_job = media_uses::table
        .inner_join(jobs::table.on(media_uses::job_id.eq(jobs::id.nullable())))
        .filter(media_uses::media_id.eq(id))
        .filter(jobs::status.eq("published"));
    let poster = events::table
        .filter(events::image_media_id.eq(id))
        .filter(events::status.eq("published"));
    let logo = jobs::table
        .filter(jobs::image_media_id.eq(id))
        .filter(jobs::status.eq("published"));
    diesel::select(
        diesel::dsl::exists(cover)
            .or(diesel::dsl::exists(in_article))
            .or(diesel::dsl::exists(in_event))
            .or(diesel::dsl::exists(in_job))
            .or(diesel::dsl::exists(poster))
            .or(diesel::dsl::exists(logo)),
    )
    .get_result(conn)
}

/// Articles whose cover the item is.
pub fn used_by(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<i64>> {
    article_cover_media::table
        .filter(article_cover_media::media_id.eq(id))
        .select(article_cover_media::article_id)
        .load(conn)
}

/// Whether another row (media or variant) still names the blob `sha`.
pub fn blob_in_use(conn: &mut AnyConnection, sha: &str) -> QueryResult<bool> {
    let by_media: bool = diesel::select(diesel::dsl::exists(
        media::table.filter(media::sha256.eq(sha)),
    ))
    .get_result(conn)?;
    if by_media {
        return Ok(true);
    }
    diesel::select(diesel::dsl::exists(
        media_variants::table.filter(media_variants::sha256.eq(sha)),
    ))
    .get_result(conn)
}

/// Which of `ids` published content uses (one query for a page of items).
pub fn published_among(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    article_cover_media::table
        .inner_join(articles::table)
        .filter(article_cover_media::media_id.eq_any(ids))
        .filter(articles::status.eq("published"))
        .select(article_cover_media::media_id)
        .distinct()
        .load(conn)
}

/// The variants of every item of `ids`.
pub fn variants_among(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<VariantRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    media_variants::table
        .filter(media_variants::media_id.eq_any(ids))
        .load(conn)
}

pub fn variants_of(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<VariantRow>> {
    media_variants::table
        .filter(media_variants::media_id.eq(id))
        .load(conn)
}

pub fn variant(
    conn: &mut AnyConnection,
    id: i64,
    version: &str,
    preset: &str,
    format: &str,
) -> QueryResult<Option<VariantRow>> {
    media_variants::table
        .filter(media_variants::media_id.eq(id))
        .filter(media_variants::version.eq(version))
        .filter(media_variants::preset.eq(preset))
        .filter(media_variants::format.eq(format))
        .first(conn)
        .optional()
}

pub fn insert_variant(conn: &mut AnyConnection, new: &NewVariant) -> QueryResult<usize> {
    diesel::insert_into(media_variants::table)
        .values(new)
        .execute(conn)
}

/// Removes the variants of an older version; returns them.
pub fn drop_stale_variants(
    conn: &mut AnyConnection,
    id: i64,
    version: &str,
) -> QueryResult<Vec<VariantRow>> {
    let stale: Vec<VariantRow> = media_variants::table
        .filter(media_variants::media_id.eq(id))
        .filter(media_variants::version.ne(version))
        .load(conn)?;
    diesel::delete(
        media_variants::table
            .filter(media_variants::media_id.eq(id))
            .filter(media_variants::version.ne(version)),
    )
    .execute(conn)?;
    Ok(stale)
}

/// Every blob the library names (files and variants), for housekeeping.
pub fn all_blobs(conn: &mut AnyConnection) -> QueryResult<Vec<String>> {
    let mut out: Vec<String> = media::table.select(media::sha256).load(conn)?;
    out.extend(
        media_variants::table
            .select(media_variants::sha256)
            .load::<String>(conn)?,
    );
    Ok(out)
}
