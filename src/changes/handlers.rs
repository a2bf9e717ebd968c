//! The change feed, for integrators who cannot receive webhooks: API keys
//! with `content:read` (or `content:write`) and editors.

use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};

use super::cursor::Cursor;
use super::dto::{ChangeFeed, ChangeItem, FeedMeta, FeedQuery};
use super::queries::{self, TypeFilter};
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::http::Query;
use crate::http::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::openapi as oa;
use crate::state::AppState;

const MAX_WAIT_SECS: u64 = 30;
/// How often a waiting feed looks at the database for other nodes' changes.
const RECHECK: Duration = Duration::from_secs(1);
/// A long poll ends this long before `KIOSQUE_REQUEST_TIMEOUT_SECS` at most.
const MARGIN: Duration = Duration::from_secs(2);

fn parse_types(raw: Option<&str>) -> AppResult<TypeFilter> {
    let mut f = TypeFilter::default();
    for t in raw.unwrap_or("").split(',').map(str::trim) {
        if t.is_empty() {
            continue;
        }
        let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        match t.split_once('.') {
            Some((res, "*")) if ok(res) => f.prefixes.push(format!("{res}.")),
            Some((res, what)) if ok(res) && ok(what) => f.exact.push(t.to_string()),
            _ => {
                return Err(AppError::bad_query(format!(
                    "types: `{t}` is not a change type (`article.published`, `article.*`)"
                )));
            }
        }
    }
    Ok(f)
}

/// The change log, oldest first: every change of content, written with the
/// change itself, in order, each naming its resource and the public paths
/// whose answers changed. Continue with `after=meta.next_cursor`; with
/// `wait`, an empty answer waits up to that many seconds for a change (and
/// ends 2 s before the server's request time limit at most).
/// Changes are kept `KIOSQUE_CHANGES_RETENTION_DAYS` days: a cursor that may
/// have missed purged changes gets 410 `cursor_expired` (resync, then start
/// again without `after`). For API keys with `content:read` and editors.
///
/// With `Accept: text/event-stream` the feed is a stream of Server-Sent
/// Events instead: each change as `id:` (its cursor), `event:` (its type)
/// and `data:` (the same JSON as an item of `data`), as they come, from
/// `after` or the `Last-Event-ID` header (which wins, so that a reconnecting
/// EventSource resumes where it stopped). A comment line (`: heartbeat`)
/// comes every 15 s when nothing happens; the stream ends after 5 minutes
/// (reconnect with `Last-Event-ID`). `limit` and `wait` do not apply.
#[utoipa::path(
    tag = "changes",
    params(FeedQuery, ("Last-Event-ID" = Option<String>, Header, description = "With `Accept: text/event-stream`: the `id` of the last event received; the stream resumes after it")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of changes, or (`Accept: text/event-stream`) a stream of them", content(
            (ChangeFeed = "application/json"),
            (String = "text/event-stream", example = json!("id: eyJzIjoxMiwidCI6MTc2NDU5NjgwMDAwMDAwMH0\nevent: article.published\ndata: {\"id\":\"12\",\"type\":\"article.published\",…}\n\n"))
        )),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 410, response = oa::CursorExpired),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/changes")]
pub async fn list_changes(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<FeedQuery>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ReadChanges)?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::bad_query(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let wait = query.wait.unwrap_or(0);
    if wait > MAX_WAIT_SECS {
        return Err(AppError::bad_query(format!(
            "wait must be between 0 and {MAX_WAIT_SECS} seconds"
        )));
    }
    let types = parse_types(query.types.as_deref())?;
    let streaming = super::stream::wanted(&req);
    let resumed = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| streaming && !v.trim().is_empty())
        .map(str::trim);
    let given = resumed.or(query.after.as_deref().filter(|a| !a.is_empty()));
    let cursor = match given {
        Some(raw) => Cursor::decode(raw)?,
        None => Cursor {
            s: 0,
            t: state.clock.now_utc().timestamp_micros(),
        },
    };
    if given.is_some() {
        let oldest = state.db.run_primary(|c| Ok(queries::oldest(c)?)).await?;
        let cutoff = super::retention_cutoff(&state).and_utc().timestamp_micros();
        if cursor.t < cutoff && oldest.is_none_or(|o| cursor.s + 1 < o) {
            return Err(AppError::new(
                actix_web::http::StatusCode::GONE,
                "cursor_expired",
                "changes after this cursor were purged (older than the retention): \
                 resync, then read the feed again without `after`",
            ));
        }
    }
    if streaming {
        return Ok(super::stream::respond(state, cursor, types));
    }
    // an answer before the server's time limit cuts the request off (503)
    let ceiling = state.config.request_timeout.saturating_sub(MARGIN);
    let deadline = Instant::now() + Duration::from_secs(wait).min(ceiling);
    let rows = loop {
        // armed before looking, so that a commit in between still wakes us
        let woken = state.db.commits().notified();
        let mut woken = std::pin::pin!(woken);
        woken.as_mut().enable();
        let (after, t, n) = (cursor.s, types.clone(), limit + 1);
        let rows = state
            .db
            .run_primary(move |c| Ok(queries::after(c, after, &t, n)?))
            .await?;
        let left = deadline.saturating_duration_since(Instant::now());
        if !rows.is_empty() || left.is_zero() {
            break rows;
        }
        let _ = actix_web::rt::time::timeout(left.min(RECHECK), woken).await;
    };
    let has_more = rows.len() as i64 > limit;
    let mut rows = rows;
    rows.truncate(limit as usize);
    let next_cursor = match (rows.last(), given) {
        (Some(last), _) => Cursor::after(last).encode(),
        (None, Some(raw)) => raw.to_string(),
        (None, None) => cursor.encode(),
    };
    let data: Vec<ChangeItem> = rows.into_iter().map(ChangeItem::from).collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ChangeFeed {
            data,
            meta: FeedMeta {
                next_cursor,
                has_more,
                limit,
            },
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = Cursor { s: 42, t: 7 };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("nope").is_err());
    }

    #[test]
    fn types_take_names_and_wildcards() {
        let f = parse_types(Some("article.*, comment.approved")).unwrap();
        assert_eq!(f.prefixes, ["article."]);
        assert_eq!(f.exact, ["comment.approved"]);
        assert!(parse_types(Some("article")).is_err());
        assert!(parse_types(Some("%.*")).is_err());
    }
}
