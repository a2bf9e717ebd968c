//! The rules of changing an article: the workflow, revisions, slugs that
//! move, sanitised bodies. Its representation is built in `dto`; the
//! moves between statuses are the shared workflow's (`review`).

use chrono::NaiveDateTime;

use super::dto::Snapshot;
use super::model::{ArticleChanges, ArticleRow, NewArticle};
use super::queries;
use super::requests::{CreateArticle, UpdateArticle};
use crate::auth::policy::allowed;
use crate::auth::{Action, Caller, authorize};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::ids::{SectionId, TagId, UserId};
use crate::review::{self, ContentKind, Status};
use crate::text::markdown_to_html;

mod content;

use content::{
    Content, Resolved, check_may_set_authors, check_slug, content_changes, generated_slug,
    resolve_refs,
};

const KIND: ContentKind = ContentKind::Article;

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
    let change = review::decide(
        caller,
        KIND,
        &owners,
        None,
        to,
        input.published_at.map(crate::state::stored),
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
            seo_title: trimmed(input.seo_title),
            seo_description: trimmed(input.seo_description),
            canonical_url: input.canonical_url,
        },
    )?;
    queries::set_tags(conn, row.id, &tag_ids.unwrap_or_default())?;
    queries::set_authors(conn, row.id, &author_ids)?;
    if let Some(media) = input.cover_media_id {
        crate::media::set_article_cover(conn, caller, row.id, Some(media))?;
    }
    if let Some(video) = input.video_media_id {
        crate::media::set_article_video(conn, caller, row.id, Some(video))?;
    }
    let content = crate::media::Content::Article(row.id);
    crate::media::set_embeds(conn, caller, content, "body", None, &row.body_html)?;
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
        seo_title: row.seo_title.clone(),
        seo_description: row.seo_description.clone(),
        canonical_url: row.canonical_url.clone(),
    })
}

/// Search engines' texts are stored without surrounding white space.
fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string())
}

pub fn update(
    conn: &mut AnyConnection,
    caller: &Caller,
    current: ArticleRow,
    input: UpdateArticle,
    now: NaiveDateTime,
) -> AppResult<ArticleRow> {
    let owners = queries::owners(conn, &current)?;
    let from = current.status(now);
    check_may_set_authors(caller, input.authors.as_deref())?;
    let cover_media = input.cover_media_id;
    let video_media = input.video_media_id;
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
        seo_title: input.seo_title.map(trimmed),
        seo_description: input.seo_description.map(trimmed),
        canonical_url: input.canonical_url,
    };
    let mut changes = content_changes(conn, caller, &current, &owners, from, content, now)?;
    if let Some(html) = &changes.body_html {
        let content = crate::media::Content::Article(current.id);
        crate::media::set_embeds(
            conn,
            caller,
            content,
            "body",
            Some(&current.body_html),
            html,
        )?;
    }
    if cover_media.is_some() || video_media.is_some() {
        authorize(
            caller,
            Action::EditContent {
                kind: KIND,
                owners: &owners,
                status: from,
            },
        )?;
    }
    if let Some(media) = cover_media
        && crate::media::set_article_cover(conn, caller, current.id, media)?
    {
        changes.updated_at = Some(now);
    }
    if let Some(video) = video_media
        && crate::media::set_article_video(conn, caller, current.id, video)?
    {
        changes.updated_at = Some(now);
    }

    let wants_status = input.status.or(input.published_at.map(|_| match from {
        Status::Scheduled | Status::Published => Status::Published,
        other => other,
    }));
    if let Some(to) = wants_status {
        // "published" means now unless a time is given; a schedule is kept only when asked for
        let basis = input.published_at.map(crate::state::stored).or(current
            .published_at
            .filter(|t| to == Status::Scheduled || *t <= now));
        let change = review::decide(
            caller,
            KIND,
            &owners,
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
    let from = current.status(now);
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
        seo_title: Some(old.seo_title),
        seo_description: Some(old.seo_description),
        canonical_url: Some(old.canonical_url),
    };
    let changes = content_changes(conn, caller, &current, &owners, from, content, now)?;
    if changes == ArticleChanges::default() {
        return Ok(current);
    }
    if let Some(html) = &changes.body_html {
        let content = crate::media::Content::Article(current.id);
        crate::media::set_embeds(
            conn,
            caller,
            content,
            "body",
            Some(&current.body_html),
            html,
        )?;
    }
    Ok(queries::update(conn, current.id, &changes)?)
}
