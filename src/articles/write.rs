//! Building an article's representation, and the rules of changing one:
//! the workflow, revisions, slugs that move, sanitised bodies.

use chrono::NaiveDateTime;

use super::dto::{ArticleDetail, ArticleSummary, CreateArticle, Snapshot, UpdateArticle};
use super::model::{ArticleChanges, ArticleRow, NewArticle};
use super::queries::{self, Refs};
use crate::auth::policy::allowed;
use crate::auth::{Action, Caller, authorize};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::{SectionId, TagId, UserId};
use crate::slug::{slugify, unique};
use crate::state::utc;
use crate::text::markdown_to_html;
use crate::workflow::{self, ContentKind, Status};

const KIND: ContentKind = ContentKind::Article;

pub fn status_of(row: &ArticleRow, now: NaiveDateTime) -> Status {
    Status::shown(&row.status, row.published_at, now)
}

pub fn is_public(row: &ArticleRow, now: NaiveDateTime) -> bool {
    status_of(row, now) == Status::Published
}

fn summary(row: &ArticleRow, refs: &Refs, now: NaiveDateTime) -> ArticleSummary {
    ArticleSummary {
        id: crate::ids::ArticleId(row.id),
        slug: row.slug.clone(),
        title: row.title.clone(),
        lead: row.lead.clone(),
        section: row.section_id.and_then(|s| refs.sections.get(&s).cloned()),
        tags: refs.tags.get(&row.id).cloned().unwrap_or_default(),
        authors: refs.authors.get(&row.id).cloned().unwrap_or_default(),
        cover: row.cover_url.clone().map(|url| super::dto::Cover {
            url,
            alt: row.cover_alt.clone().unwrap_or_default(),
            caption: row.cover_caption.clone(),
            credit: row.cover_credit.clone(),
        }),
        video_url: row.video_url.clone(),
        status: status_of(row, now),
        published_at: row.published_at.map(utc),
        updated_at: utc(row.updated_at),
        comment_count: row.comment_count,
        allow_comments: row.allow_comments,
        poll_id: refs.polls.get(&row.id).copied().map(crate::ids::PollId),
    }
}

/// Summaries of a page of articles: three queries for all their references.
pub fn summaries(
    conn: &mut AnyConnection,
    rows: &[ArticleRow],
    now: NaiveDateTime,
) -> AppResult<Vec<ArticleSummary>> {
    let refs = queries::load_refs(conn, rows)?;
    Ok(rows.iter().map(|r| summary(r, &refs, now)).collect())
}

pub fn detail(
    conn: &mut AnyConnection,
    row: &ArticleRow,
    now: NaiveDateTime,
) -> AppResult<ArticleDetail> {
    let refs = queries::load_refs(conn, std::slice::from_ref(row))?;
    Ok(ArticleDetail {
        summary: summary(row, &refs, now),
        body: row.body.clone(),
        body_html: row.body_html.clone(),
        created_at: utc(row.created_at),
        rejection_reason: row.rejection_reason.clone(),
    })
}

/// Finds an article the caller may read: public ones for all, the others for
/// their owners and staff (404 to anyone else, so drafts stay secret).
pub enum Lookup {
    Found(Box<ArticleRow>),
    Moved(String),
}

pub fn readable(
    conn: &mut AnyConnection,
    caller: &Caller,
    key: &crate::ids::IdOrSlug,
    now: NaiveDateTime,
) -> AppResult<Lookup> {
    match queries::find(conn, key)? {
        None => Err(AppError::not_found("no such article")),
        Some(queries::Found::Moved { current_slug }) => Ok(Lookup::Moved(current_slug)),
        Some(queries::Found::Article(row)) => {
            if is_public(&row, now) {
                return Ok(Lookup::Found(row));
            }
            let owners = queries::owners(conn, &row)?;
            if allowed(
                caller,
                Action::ReadUnpublished {
                    kind: KIND,
                    owners: &owners,
                },
            ) {
                Ok(Lookup::Found(row))
            } else {
                Err(AppError::not_found("no such article"))
            }
        }
    }
}

/// Content fields resolved to ids, as a change to apply.
#[derive(Default)]
struct Content {
    title: Option<String>,
    slug: Option<String>,
    lead: Option<String>,
    body: Option<String>,
    section_id: Option<Option<i64>>,
    tag_ids: Option<Vec<i64>>,
    author_ids: Option<Vec<i64>>,
    cover: Option<Option<super::dto::Cover>>,
    video_url: Option<Option<String>>,
    allow_comments: Option<bool>,
}

/// References named by ids or slugs, resolved to ids.
struct Resolved {
    section_id: Option<Option<i64>>,
    tag_ids: Option<Vec<i64>>,
    author_ids: Option<Vec<i64>>,
}

fn resolve_refs(
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
fn check_may_set_authors(caller: &Caller, authors: Option<&[String]>) -> AppResult<()> {
    if authors.is_some() && !allowed(caller, Action::ReviewContent { kind: KIND }) {
        return Err(AppError::invalid(
            "authors",
            "only the newsroom sets the authors of an article",
        ));
    }
    Ok(())
}

fn check_slug(conn: &mut AnyConnection, slug: &str, except: Option<i64>) -> AppResult<()> {
    if queries::slug_taken(conn, slug, except)? {
        return Err(AppError::conflict(format!(
            "the slug `{slug}` is taken by another article"
        )));
    }
    Ok(())
}

fn generated_slug(conn: &mut AnyConnection, title: &str) -> AppResult<String> {
    Ok(unique(&slugify(title, 100), |s| {
        Ok(queries::slug_taken(conn, s, None)? || queries::former_slug_taken(conn, s)?)
    })?)
}

pub fn create(
    conn: &mut AnyConnection,
    caller: &Caller,
    input: CreateArticle,
    now: NaiveDateTime,
) -> AppResult<ArticleRow> {
    authorize(caller, Action::CreateContent { kind: KIND })?;
    check_may_set_authors(caller, input.authors.as_deref())?;
    let Resolved {
        section_id,
        tag_ids,
        author_ids,
    } = resolve_refs(
        conn,
        Some(input.section.as_deref()),
        Some(&input.tags),
        input.authors.as_deref(),
    )?;
    let author_ids =
        author_ids.unwrap_or_else(|| caller.user_id().map(|u| vec![u.0]).unwrap_or_default());
    let mut owners: Vec<UserId> = author_ids.iter().copied().map(UserId).collect();
    owners.extend(caller.user_id());
    let is_newsroom = allowed(caller, Action::ReviewContent { kind: KIND });
    let to = input.status.unwrap_or(if is_newsroom {
        Status::Draft
    } else {
        Status::Pending
    });
    authorize(
        caller,
        Action::SetStatus {
            kind: KIND,
            owners: &owners,
            to,
        },
    )?;
    let change = workflow::change_status(
        None,
        to,
        input.published_at.map(|t| t.naive_utc()),
        None,
        now,
    )?;
    let slug = match input.slug {
        Some(s) => {
            check_slug(conn, &s, None)?;
            s
        }
        None => generated_slug(conn, &input.title)?,
    };
    let cover = input.cover;
    let row = queries::insert(
        conn,
        &NewArticle {
            slug,
            title: input.title.trim().to_string(),
            lead: input.lead.trim().to_string(),
            body_html: markdown_to_html(&input.body),
            body: input.body,
            section_id: section_id.flatten(),
            cover_url: cover.as_ref().map(|c| c.url.clone()),
            cover_alt: cover.as_ref().map(|c| c.alt.clone()),
            cover_caption: cover.as_ref().and_then(|c| c.caption.clone()),
            cover_credit: cover.as_ref().and_then(|c| c.credit.clone()),
            video_url: input.video_url,
            status: change.status.to_string(),
            rejection_reason: None,
            allow_comments: input.allow_comments,
            created_by: caller.user_id().map(|u| u.0),
            published_at: change.published_at,
            created_at: now,
            updated_at: now,
        },
    )?;
    queries::set_tags(conn, row.id, &tag_ids.unwrap_or_default())?;
    queries::set_authors(conn, row.id, &author_ids)?;
    Ok(row)
}

/// The content of an article as a revision keeps it.
pub fn snapshot(conn: &mut AnyConnection, row: &ArticleRow) -> AppResult<Snapshot> {
    Ok(Snapshot {
        title: row.title.clone(),
        slug: row.slug.clone(),
        lead: row.lead.clone(),
        body: row.body.clone(),
        section_id: row.section_id.map(SectionId),
        tag_ids: queries::tag_ids(conn, row.id)?
            .into_iter()
            .map(TagId)
            .collect(),
        author_ids: queries::author_ids(conn, row.id)?
            .into_iter()
            .map(UserId)
            .collect(),
        cover: row.cover_url.clone().map(|url| super::dto::Cover {
            url,
            alt: row.cover_alt.clone().unwrap_or_default(),
            caption: row.cover_caption.clone(),
            credit: row.cover_credit.clone(),
        }),
        video_url: row.video_url.clone(),
        allow_comments: row.allow_comments,
    })
}

pub fn update(
    conn: &mut AnyConnection,
    caller: &Caller,
    current: ArticleRow,
    input: UpdateArticle,
    now: NaiveDateTime,
) -> AppResult<ArticleRow> {
    let owners = queries::owners(conn, &current)?;
    let from = status_of(&current, now);
    check_may_set_authors(caller, input.authors.as_deref())?;
    let Resolved {
        section_id,
        tag_ids,
        author_ids,
    } = resolve_refs(
        conn,
        input.section.as_ref().map(|s| s.as_deref()),
        input.tags.as_deref(),
        input.authors.as_deref(),
    )?;
    let content = Content {
        title: input.title.map(|t| t.trim().to_string()),
        slug: input.slug,
        lead: input.lead.map(|l| l.trim().to_string()),
        body: input.body,
        section_id,
        tag_ids,
        author_ids,
        cover: input.cover,
        video_url: input.video_url,
        allow_comments: input.allow_comments,
    };
    let mut changes = content_changes(conn, caller, &current, &owners, from, content, now)?;

    let wants_status = input.status.or(input.published_at.map(|_| match from {
        Status::Scheduled | Status::Published => Status::Published,
        other => other,
    }));
    if let Some(to) = wants_status {
        authorize(
            caller,
            Action::SetStatus {
                kind: KIND,
                owners: &owners,
                to,
            },
        )?;
        // "published" means now unless a time is given; a schedule is kept only when asked for
        let basis = input.published_at.map(|t| t.naive_utc()).or(current
            .published_at
            .filter(|t| to == Status::Scheduled || *t <= now));
        let change = workflow::change_status(
            Some(from),
            to,
            basis,
            input.rejection_reason.as_deref(),
            now,
        )?;
        changes.status = Some(change.status.to_string());
        changes.published_at = Some(change.published_at);
        changes.rejection_reason = Some(change.rejection_reason);
    } else if input.rejection_reason.is_some() {
        return Err(AppError::invalid(
            "rejection_reason",
            "is only accepted with `status: rejected`",
        ));
    }
    if changes == ArticleChanges::default() {
        return Ok(current); // nothing differs: nothing to save
    }
    Ok(queries::update(conn, current.id, &changes)?)
}

/// Puts an earlier version's content back, as a new change (itself revisable).
pub fn restore(
    conn: &mut AnyConnection,
    caller: &Caller,
    current: ArticleRow,
    old: Snapshot,
    now: NaiveDateTime,
) -> AppResult<ArticleRow> {
    let owners = queries::owners(conn, &current)?;
    let from = status_of(&current, now);
    let slug_free = !queries::slug_taken(conn, &old.slug, Some(current.id))?;
    let content = Content {
        title: Some(old.title),
        slug: slug_free.then_some(old.slug),
        lead: Some(old.lead),
        body: Some(old.body),
        section_id: Some(old.section_id.map(|s| s.0)),
        tag_ids: Some(old.tag_ids.into_iter().map(|t| t.0).collect()),
        author_ids: Some(old.author_ids.into_iter().map(|u| u.0).collect()),
        cover: Some(old.cover),
        video_url: Some(old.video_url),
        allow_comments: Some(old.allow_comments),
    };
    let changes = content_changes(conn, caller, &current, &owners, from, content, now)?;
    if changes == ArticleChanges::default() {
        return Ok(current);
    }
    Ok(queries::update(conn, current.id, &changes)?)
}

/// Checks and prepares a change of content: what really differs is saved,
/// with a revision of the previous version and a new `updated_at`.
fn content_changes(
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
    let previous = snapshot(conn, current)?;
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
