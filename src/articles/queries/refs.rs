//! What a page of articles links to: sections, tags, authors and polls,
//! loaded for the whole page at once, and the links an article keeps.

use std::collections::HashMap;

use diesel::prelude::*;

use super::authors::{PROFILE, ProfileRow};
use crate::articles::dto::{AuthorRef, SectionRef, TagRef};
use crate::articles::model::ArticleListRow;
use crate::db::AnyConnection;
use crate::db::schema::{article_authors, article_tags, sections, tags, users};
use crate::ids::{IdOrSlug, SectionId, TagId, UserId};

/// Sections, tags, authors and polls of a set of articles, in four queries.
#[derive(Default)]
pub struct Refs {
    pub sections: HashMap<i64, SectionRef>,
    pub tags: HashMap<i64, Vec<TagRef>>,
    pub authors: HashMap<i64, Vec<AuthorRef>>,
    /// The poll attached to each article, if any (the first, when several).
    pub polls: HashMap<i64, i64>,
    /// Covers that are media items, whole.
    pub covers: HashMap<i64, crate::media::ImageObject>,
    /// Uploaded videos.
    pub videos: HashMap<i64, crate::media::FileObject>,
}

pub fn load_refs(conn: &mut AnyConnection, rows: &[ArticleListRow]) -> QueryResult<Refs> {
    if rows.is_empty() {
        return Ok(Refs::default());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let section_ids: Vec<i64> = rows.iter().filter_map(|r| r.section_id).collect();
    let sections: Vec<(i64, String, String)> = sections::table
        .filter(sections::id.eq_any(&section_ids))
        .select((sections::id, sections::slug, sections::name))
        .load(conn)?;
    let tag_rows: Vec<(i64, i64, String, String)> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq_any(&ids))
        .order((tags::name.asc(), tags::id.asc()))
        .select((article_tags::article_id, tags::id, tags::slug, tags::name))
        .load(conn)?;
    let author_rows: Vec<(i64, ProfileRow)> = article_authors::table
        .inner_join(users::table)
        .filter(article_authors::article_id.eq_any(&ids))
        .order((article_authors::position.asc(), users::id.asc()))
        .select((article_authors::article_id, PROFILE))
        .load(conn)?;
    let mut refs = Refs {
        covers: crate::media::article_covers(conn, &ids)?,
        videos: crate::media::article_videos(conn, &ids)?,
        ..Refs::default()
    };
    for (article, poll) in crate::polls::poll_ids_for_articles(conn, &ids)? {
        refs.polls.entry(article).or_insert(poll);
    }
    for (id, slug, name) in sections {
        refs.sections.insert(
            id,
            SectionRef {
                id: SectionId(id),
                slug,
                name,
            },
        );
    }
    for (article, id, slug, name) in tag_rows {
        refs.tags.entry(article).or_default().push(TagRef {
            id: TagId(id),
            slug,
            name,
        });
    }
    for (article, p) in author_rows {
        refs.authors.entry(article).or_default().push(AuthorRef {
            id: UserId(p.id),
            slug: p.slug,
            display_name: p.display_name,
            avatar_url: p.avatar_url,
        });
    }
    Ok(refs)
}

pub fn resolve_section(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<i64>> {
    match IdOrSlug::parse(key) {
        IdOrSlug::Id(id) => sections::table
            .find(id)
            .select(sections::id)
            .first(conn)
            .optional(),
        IdOrSlug::Slug(s) => sections::table
            .filter(sections::slug.eq(s))
            .select(sections::id)
            .first(conn)
            .optional(),
    }
}

pub fn resolve_tag(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<i64>> {
    match IdOrSlug::parse(key) {
        IdOrSlug::Id(id) => tags::table.find(id).select(tags::id).first(conn).optional(),
        IdOrSlug::Slug(s) => tags::table
            .filter(tags::slug.eq(s))
            .select(tags::id)
            .first(conn)
            .optional(),
    }
}

/// An active user by id or profile slug.
pub fn resolve_user(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<i64>> {
    let base = users::table
        .filter(users::disabled.eq(false))
        .select(users::id);
    match IdOrSlug::parse(key) {
        IdOrSlug::Id(id) => base.filter(users::id.eq(id)).first(conn).optional(),
        IdOrSlug::Slug(s) => base.filter(users::slug.eq(s)).first(conn).optional(),
    }
}

pub fn tag_ids(conn: &mut AnyConnection, article: i64) -> QueryResult<Vec<i64>> {
    article_tags::table
        .filter(article_tags::article_id.eq(article))
        .order(article_tags::tag_id.asc())
        .select(article_tags::tag_id)
        .load(conn)
}

pub fn author_ids(conn: &mut AnyConnection, article: i64) -> QueryResult<Vec<i64>> {
    article_authors::table
        .filter(article_authors::article_id.eq(article))
        .order((
            article_authors::position.asc(),
            article_authors::user_id.asc(),
        ))
        .select(article_authors::user_id)
        .load(conn)
}

pub fn set_tags(conn: &mut AnyConnection, article: i64, ids: &[i64]) -> QueryResult<()> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(article)))
        .execute(conn)?;
    // one statement per row: multi-row inserts are not available across both backends
    for tag in ids {
        diesel::insert_into(article_tags::table)
            .values((
                article_tags::article_id.eq(article),
                article_tags::tag_id.eq(*tag),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn set_authors(conn: &mut AnyConnection, article: i64, ids: &[i64]) -> QueryResult<()> {
    diesel::delete(article_authors::table.filter(article_authors::article_id.eq(article)))
        .execute(conn)?;
    for (position, user) in ids.iter().enumerate() {
        diesel::insert_into(article_authors::table)
            .values((
                article_authors::article_id.eq(article),
                article_authors::user_id.eq(*user),
                article_authors::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
}
