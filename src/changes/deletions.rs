//! The public list of deletions: what stopped being public since a time, for
//! clients that keep a copy (mobile apps) and sync it with `updated_after=`.
//! Read from the change log, which every write already records in its own
//! transaction; nothing else is written for it. Holds types, ids, reasons and
//! times only, for anyone: the change feed itself stays for keys and staff.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::ChangeRow;
use crate::auth::Caller;
use crate::db::schema::changes;
use crate::db::{AnyConnection, MultiBackend};
use crate::error::{AppError, AppResult};
use crate::http::pagination::{KeyValue, invalid_cursor};
use crate::http::{ListQuery, Page, PageParams, PageRequest, respond_page};
use crate::openapi as oa;
use crate::state::{AppState, utc};

/// A kind of public item that can leave the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeletedType {
    Article,
    Comment,
    Job,
    Event,
    Poll,
    Section,
    Tag,
}

impl DeletedType {
    const ALL: [DeletedType; 7] = [
        DeletedType::Article,
        DeletedType::Comment,
        DeletedType::Job,
        DeletedType::Event,
        DeletedType::Poll,
        DeletedType::Section,
        DeletedType::Tag,
    ];

    fn as_str(self) -> &'static str {
        match self {
            DeletedType::Article => "article",
            DeletedType::Comment => "comment",
            DeletedType::Job => "job",
            DeletedType::Event => "event",
            DeletedType::Poll => "poll",
            DeletedType::Section => "section",
            DeletedType::Tag => "tag",
        }
    }

    /// The changes that take an item of this type out of the public:
    /// (kind, only when the item was stored as published).
    fn kinds(self) -> &'static [(&'static str, bool)] {
        match self {
            DeletedType::Article => &[("article.deleted", true), ("article.unpublished", false)],
            DeletedType::Job => &[
                ("job.deleted", true),
                ("job.unpublished", false),
                ("job.expired", false),
            ],
            DeletedType::Event => &[("event.deleted", true), ("event.unpublished", false)],
            DeletedType::Comment => &[
                ("comment.deleted", false),
                ("comment.rejected", false),
                ("comment.spam", false),
                ("comment.pending", false),
            ],
            DeletedType::Poll => &[("poll.deleted", false)],
            DeletedType::Section => &[("section.deleted", false)],
            DeletedType::Tag => &[("tag.deleted", false)],
        }
    }
}

/// Why an item left the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeletionReason {
    /// Deleted.
    Deleted,
    /// Archived, sent back to draft or review, or rescheduled for later.
    Unpublished,
    /// A job offer past its `expires_at`.
    Expired,
    /// A comment rejected by a moderator.
    Rejected,
    /// A comment marked as spam.
    Spam,
    /// An approved comment sent back to moderation.
    Pending,
}

impl DeletionReason {
    fn of(what: &str) -> Self {
        match what {
            "unpublished" => DeletionReason::Unpublished,
            "expired" => DeletionReason::Expired,
            "rejected" => DeletionReason::Rejected,
            "spam" => DeletionReason::Spam,
            "pending" => DeletionReason::Pending,
            _ => DeletionReason::Deleted,
        }
    }
}

/// An item that stopped being public: drop it from your copy.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deletion {
    /// The item's type.
    #[serde(rename = "type")]
    pub kind: DeletedType,
    /// The item's id.
    #[schema(example = "42")]
    pub id: String,
    pub reason: DeletionReason,
    /// When it stopped being public.
    pub occurred_at: DateTime<Utc>,
}

/// Filters of the list of deletions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeletionFilters {
    /// What stopped being public after this time (RFC 3339): the time of
    /// your last sync. At most `KIOSQUE_CHANGES_RETENTION_DAYS` days ago
    /// (older: 410, resync from scratch).
    pub since: DateTime<Utc>,
    /// Types to list, comma-separated (`article,comment`): `article`,
    /// `comment`, `job`, `event`, `poll`, `section`, `tag`. Default: all.
    #[param(
        example = "article,comment",
        pattern = "^[\\s,]*((article|comment|job|event|poll|section|tag)(\\s*,[\\s,]*(article|comment|job|event|poll|section|tag))*[\\s,]*)?$"
    )]
    #[serde(rename = "type")]
    pub types: Option<String>,
}

fn parse_types(raw: Option<&str>) -> AppResult<Vec<DeletedType>> {
    let mut out = Vec::new();
    for t in raw.unwrap_or("").split(',').map(str::trim) {
        if t.is_empty() {
            continue;
        }
        let Some(found) = DeletedType::ALL.into_iter().find(|k| k.as_str() == t) else {
            return Err(AppError::bad_query(format!(
                "unknown type `{t}`; one or more of: article, comment, job, event, poll, section, tag"
            )));
        };
        if !out.contains(&found) {
            out.push(found);
        }
    }
    if out.is_empty() {
        out = DeletedType::ALL.to_vec();
    }
    Ok(out)
}

type Condition =
    Box<dyn BoxableExpression<changes::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

fn filtered(
    types: &[DeletedType],
    since: NaiveDateTime,
) -> changes::BoxedQuery<'static, MultiBackend> {
    // a deleted article, offer or event was public only if stored as
    // published (the change's `data` holds its status)
    let mut any: Condition = Box::new(changes::seq.lt(0_i64));
    for (kind, only_published) in types.iter().flat_map(|t| t.kinds()) {
        let this: Condition = if *only_published {
            Box::new(
                changes::kind
                    .eq(*kind)
                    .and(changes::data.like("%\"status\":\"published\"%")),
            )
        } else {
            Box::new(changes::kind.eq(*kind))
        };
        any = Box::new(any.or(this));
    }
    changes::table
        .into_boxed::<MultiBackend>()
        .filter(changes::occurred_at.gt(since))
        .filter(any)
}

fn page(
    c: &mut AnyConnection,
    types: &[DeletedType],
    since: NaiveDateTime,
    p: &PageRequest,
) -> AppResult<Page<ChangeRow>> {
    let total = filtered(types, since).count().get_result(c)?;
    let mut query = filtered(types, since).order(changes::seq.asc());
    let mut offset = p.offset;
    if let Some(key) = &p.after {
        let [KeyValue::Int(seq)] = key.as_slice() else {
            return Err(invalid_cursor());
        };
        query = query.filter(changes::seq.gt(*seq));
        offset = 0;
    }
    let rows: Vec<ChangeRow> = query.limit(p.fetch()).offset(offset).load(c)?;
    Ok(Page::keyed(p, rows, total, |r| vec![KeyValue::Int(r.seq)]))
}

/// What stopped being public since a time: deleted articles, job offers,
/// events, polls, sections, tags and comments; unpublished (archived,
/// withdrawn, rescheduled) articles, offers and events; expired offers;
/// rejected comments and those sent back to moderation. Oldest first.
///
/// How a client keeps a copy in sync: remember the time of your last sync
/// (the `Date` of its first answer, or the newest `updated_at` you saw),
/// then fetch each list with `updated_after=` that time (new and changed
/// items: add or replace them), and this list with `since=` that time
/// (drop these); walk both with `cursor`. An id here may name an item your
/// copy never had: ignore it. Changes are kept
/// `KIOSQUE_CHANGES_RETENTION_DAYS` days: an older `since` is 410, and
/// the client fetches everything again.
#[utoipa::path(
    tag = "changes",
    params(PageParams, DeletionFilters),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of deletions", body = Page<Deletion>,
         headers(("ETag" = String), ("Link" = String, description = "RFC 8288 next/prev"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 410, description = "`since_expired`: changes that old are no longer kept; fetch everything again",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/deletions")]
pub async fn list_deletions(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<DeletionFilters>,
) -> AppResult<HttpResponse> {
    let paged = query.paged(&[], "")?;
    let types = parse_types(query.filters.types.as_deref())?;
    let since = query.filters.since.naive_utc();
    if since < super::retention_cutoff(&state) {
        return Err(AppError::new(
            StatusCode::GONE,
            "since_expired",
            format!(
                "changes are kept {} days; fetch everything again, then sync from then",
                state.config.changes_retention_days
            ),
        ));
    }
    let p = paged.clone();
    let page = state.db.run(move |c| page(c, &types, since, &p)).await?;
    let page = page.map(|r| {
        let what = r.kind.split_once('.').map_or("deleted", |(_, w)| w);
        Deletion {
            kind: DeletedType::ALL
                .into_iter()
                .find(|t| t.as_str() == r.resource_type)
                .unwrap_or(DeletedType::Article),
            id: r.resource_id.to_string(),
            reason: DeletionReason::of(what),
            occurred_at: utc(r.occurred_at),
        }
    });
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_default_to_all_and_refuse_unknown_ones() {
        assert_eq!(parse_types(None).unwrap().len(), 7);
        assert_eq!(
            parse_types(Some("article, comment,article")).unwrap(),
            [DeletedType::Article, DeletedType::Comment]
        );
        assert!(parse_types(Some("user")).is_err());
    }
}
