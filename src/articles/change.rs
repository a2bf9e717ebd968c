//! What an article's change names: itself (by slug, id and former slugs),
//! the home list, and the lists of its section and tags.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::ArticleRow;
use crate::changes::{Change, timed};
use crate::db::AnyConnection;
use crate::db::schema::{article_slugs, article_tags, sections, tags};

/// The change `article.<what>` of `row`, as stored now (call it before a
/// deletion, while its section, tags and former slugs are still there).
pub fn change_for(
    c: &mut AnyConnection,
    row: &ArticleRow,
    what: &str,
    now: NaiveDateTime,
) -> QueryResult<Change> {
    let section: Option<String> = match row.section_id {
        Some(id) => sections::table
            .find(id)
            .select(sections::slug)
            .first(c)
            .optional()?,
        None => None,
    };
    let tag_slugs: Vec<String> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq(row.id))
        .select(tags::slug)
        .order(tags::slug.asc())
        .load(c)?;
    let former: Vec<String> = article_slugs::table
        .filter(article_slugs::article_id.eq(row.id))
        .filter(article_slugs::slug.ne(&row.slug))
        .select(article_slugs::slug)
        .order(article_slugs::slug.asc())
        .load(c)?;
    let mut paths = vec![
        format!("/api/v1/articles/{}", row.slug),
        format!("/api/v1/articles/{}", row.id),
    ];
    paths.extend(former.iter().map(|s| format!("/api/v1/articles/{s}")));
    // what search engines read of it
    paths.push(format!("/api/v1/articles/{}/jsonld", row.slug));
    paths.push(format!("/api/v1/articles/{}/jsonld", row.id));
    paths.push("/api/v1/articles".into());
    if let Some(s) = &section {
        paths.push(format!("/api/v1/articles?section={s}"));
    }
    paths.extend(
        tag_slugs
            .iter()
            .map(|t| format!("/api/v1/articles?tag={t}")),
    );
    Ok(Change::new("article", what, row.id, now)
        .slug(row.slug.clone())
        .paths(paths)
        // every public list of articles may show it (or stop showing it)
        .keys(["list:articles"])
        .datum("status", row.status.clone())
        .datum("section", section))
}

/// The change of a write that left `row` as it is from `before` (its stored
/// status and publication time; `None`: new): `published` when it made the
/// article public, `scheduled` when it set a publication for later (see
/// `changes::timed::publication_change`). Call it after the row's update.
pub fn status_change_for(
    c: &mut AnyConnection,
    row: &ArticleRow,
    before: Option<(&str, Option<NaiveDateTime>)>,
    now: NaiveDateTime,
) -> QueryResult<Change> {
    let after = (row.status.as_str(), row.published_at);
    let what = timed::publication_change(c, "article", row.id, before, after, now)?;
    change_for(c, row, what, now)
}
