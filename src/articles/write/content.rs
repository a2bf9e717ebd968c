//! Checking and preparing a change of content: references resolved, slugs
//! checked, and only what really differs saved, with a revision.

use chrono::NaiveDateTime;

use crate::articles::dto::Cover;
use crate::articles::model::{ArticleChanges, ArticleRow};
use crate::articles::queries;
use crate::auth::policy::allowed;
use crate::auth::{Action, Caller, authorize};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::UserId;
use crate::review::Status;
use crate::slug::{slugify, unique};
use crate::text::markdown_to_html;

use super::KIND;

/// Content fields resolved to ids, as a change to apply.
#[derive(Default)]
pub(super) struct Content {
    pub(super) title: Option<String>,
    pub(super) slug: Option<String>,
    pub(super) lead: Option<String>,
    pub(super) body: Option<String>,
    pub(super) section_id: Option<Option<i64>>,
    pub(super) tag_ids: Option<Vec<i64>>,
    pub(super) author_ids: Option<Vec<i64>>,
    pub(super) cover: Option<Option<Cover>>,
    pub(super) video_url: Option<Option<String>>,
    pub(super) allow_comments: Option<bool>,
    pub(super) seo_title: Option<Option<String>>,
    pub(super) seo_description: Option<Option<String>>,
    pub(super) canonical_url: Option<Option<String>>,
}

/// References named by ids or slugs, resolved to ids.
pub(super) struct Resolved {
    pub(super) section_id: Option<Option<i64>>,
    pub(super) tag_ids: Option<Vec<i64>>,
    pub(super) author_ids: Option<Vec<i64>>,
}

pub(super) fn resolve_refs(
    conn: &mut AnyConnection,
    section: Option<Option<&str>>,
    tags: Option<&[String]>,
    authors: Option<&[String]>,
) -> AppResult<Resolved> {
    let mut errors = Vec::new();
    let section_id = match section {
        None => None,
        Some(None) => Some(None),
        Some(Some(key)) => match queries::resolve_section(conn, key)? {
            Some(id) => Some(Some(id)),
            None => {
                errors.push(FieldError::new("section", format!("no section `{key}`")));
                None
            }
        },
    };
    let mut ids_of =
        |keys: Option<&[String]>, field: &str, tags: bool| -> AppResult<Option<Vec<i64>>> {
            let Some(keys) = keys else { return Ok(None) };
            let mut ids = Vec::new();
            for (i, key) in keys.iter().enumerate() {
                let found = if tags {
                    queries::resolve_tag(conn, key)?
                } else {
                    queries::resolve_user(conn, key)?
                };
                match found {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => errors.push(FieldError::new(
                        format!("{field}[{i}]"),
                        format!("no {field} `{key}`"),
                    )),
                }
            }
            Ok(Some(ids))
        };
    let tag_ids = ids_of(tags, "tags", true)?;
    let author_ids = ids_of(authors, "authors", false)?;
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    Ok(Resolved {
        section_id,
        tag_ids,
        author_ids,
    })
}

/// Only the newsroom decides who signs an article.
pub(super) fn check_may_set_authors(caller: &Caller, authors: Option<&[String]>) -> AppResult<()> {
    if authors.is_some() && !allowed(caller, Action::ReviewContent { kind: KIND }) {
        return Err(AppError::invalid(
            "authors",
            "only the newsroom sets the authors of an article",
        ));
    }
    Ok(())
}

pub(super) fn check_slug(
    conn: &mut AnyConnection,
    slug: &str,
    except: Option<i64>,
) -> AppResult<()> {
    if queries::slug_taken(conn, slug, except)? {
        return Err(AppError::conflict(format!(
            "the slug `{slug}` is taken by another article"
        )));
    }
    Ok(())
}

pub(super) fn generated_slug(conn: &mut AnyConnection, title: &str) -> AppResult<String> {
    Ok(unique(&slugify(title, 100), |s| {
        Ok(queries::slug_taken(conn, s, None)? || queries::former_slug_taken(conn, s)?)
    })?)
}

/// Checks and prepares a change of content: what really differs is saved,
/// with a revision of the previous version and a new `updated_at`.
pub(super) fn content_changes(
    conn: &mut AnyConnection,
    caller: &Caller,
    current: &ArticleRow,
    owners: &[UserId],
    from: Status,
    c: Content,
    now: NaiveDateTime,
) -> AppResult<ArticleChanges> {
    let differs = |new: Option<&str>, old: &str| new.is_some_and(|n| n != old);
    let mut ch = ArticleChanges::default();
    let mut changed = false;
    if differs(c.title.as_deref(), &current.title) {
        ch.title = c.title;
        changed = true;
    }
    if differs(c.lead.as_deref(), &current.lead) {
        ch.lead = c.lead;
        changed = true;
    }
    if differs(c.body.as_deref(), &current.body) {
        ch.body_html = c.body.as_deref().map(markdown_to_html);
        ch.body = c.body;
        changed = true;
    }
    if let Some(section) = c.section_id.filter(|s| *s != current.section_id) {
        ch.section_id = Some(section);
        changed = true;
    }
    if let Some(cover) = c.cover {
        let now_cover = (
            current.cover_url.clone(),
            current.cover_alt.clone(),
            current.cover_caption.clone(),
            current.cover_credit.clone(),
        );
        let new_cover = match &cover {
            Some(cv) => (
                Some(cv.url.clone()),
                Some(cv.alt.clone()),
                cv.caption.clone(),
                cv.credit.clone(),
            ),
            None => (None, None, None, None),
        };
        if new_cover != now_cover {
            ch.cover_url = Some(new_cover.0);
            ch.cover_alt = Some(new_cover.1);
            ch.cover_caption = Some(new_cover.2);
            ch.cover_credit = Some(new_cover.3);
            changed = true;
        }
    }
    if let Some(video) = c.video_url.filter(|v| *v != current.video_url) {
        ch.video_url = Some(video);
        changed = true;
    }
    if let Some(allow) = c.allow_comments.filter(|a| *a != current.allow_comments) {
        ch.allow_comments = Some(allow);
        changed = true;
    }
    if let Some(v) = c.seo_title.filter(|v| *v != current.seo_title) {
        ch.seo_title = Some(v);
        changed = true;
    }
    if let Some(v) = c.seo_description.filter(|v| *v != current.seo_description) {
        ch.seo_description = Some(v);
        changed = true;
    }
    if let Some(v) = c.canonical_url.filter(|v| *v != current.canonical_url) {
        ch.canonical_url = Some(v);
        changed = true;
    }
    let new_tags = match c.tag_ids {
        Some(mut ids) => {
            ids.sort_unstable();
            (ids != queries::tag_ids(conn, current.id)?).then_some(ids)
        }
        None => None,
    };
    let new_authors = match c.author_ids {
        Some(ids) => (ids != queries::author_ids(conn, current.id)?).then_some(ids),
        None => None,
    };
    let new_slug = c.slug.filter(|s| *s != current.slug);
    changed |= new_tags.is_some() || new_authors.is_some() || new_slug.is_some();
    if !changed {
        return Ok(ch);
    }
    authorize(
        caller,
        Action::EditContent {
            kind: KIND,
            owners,
            status: from,
        },
    )?;
    if let Some(slug) = &new_slug {
        check_slug(conn, slug, Some(current.id))?;
        queries::move_slug(conn, current.id, &current.slug, slug, now)?;
        ch.slug = new_slug;
    }
    let previous = super::snapshot(conn, current)?;
    let json = serde_json::to_string(&previous)
        .map_err(|e| AppError::internal(format!("snapshot: {e}")))?;
    queries::save_revision(
        conn,
        current.id,
        current.version,
        &json,
        caller.user_id().map(|u| u.0),
        now,
    )?;
    if let Some(ids) = new_tags {
        queries::set_tags(conn, current.id, &ids)?;
    }
    if let Some(ids) = new_authors {
        queries::set_authors(conn, current.id, &ids)?;
    }
    ch.version = Some(current.version + 1);
    ch.updated_at = Some(now);
    Ok(ch)
}
