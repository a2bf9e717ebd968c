//! The kept versions of an article.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::articles::model::RevisionRow;
use crate::db::AnyConnection;
use crate::db::schema::article_revisions;
use crate::http::PageRequest;

pub fn save_revision(
    conn: &mut AnyConnection,
    article: i64,
    version: i32,
    snapshot: &str,
    by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(article_revisions::table)
        .values((
            article_revisions::article_id.eq(article),
            article_revisions::version.eq(version),
            article_revisions::snapshot.eq(snapshot),
            article_revisions::created_by.eq(by),
            article_revisions::created_at.eq(now),
        ))
        .execute(conn)
}

pub fn revisions(
    conn: &mut AnyConnection,
    article: i64,
    paged: &PageRequest,
) -> QueryResult<(Vec<RevisionRow>, i64)> {
    let total = article_revisions::table
        .filter(article_revisions::article_id.eq(article))
        .count()
        .get_result(conn)?;
    let rows = article_revisions::table
        .filter(article_revisions::article_id.eq(article))
        .order(article_revisions::version.desc())
        .limit(paged.fetch())
        .offset(paged.offset)
        .load(conn)?;
    Ok((rows, total))
}

pub fn revision(conn: &mut AnyConnection, article: i64, id: i64) -> QueryResult<RevisionRow> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article))
        .filter(article_revisions::id.eq(id))
        .first(conn)
}
