//! The change feed as Server-Sent Events (`Accept: text/event-stream`):
//! each change as it comes, `id:` its cursor (what `Last-Event-ID` sends
//! back on reconnection), `event:` its type, `data:` the feed's JSON item.
//! Woken by this node's commits and, through `signal`, by other nodes';
//! a comment every [`HEARTBEAT`] keeps proxies from closing a quiet stream,
//! and the stream ends after [`STREAM_FOR`] (clients reconnect).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};

use super::cursor::Cursor;
use super::dto::ChangeItem;
use super::model::ChangeRow;
use super::queries::{self, TypeFilter};
use crate::state::AppState;

/// A comment line this often when no change comes.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// How long one stream stays open.
pub const STREAM_FOR: Duration = Duration::from_secs(300);
/// How often a quiet stream looks at the database anyway (a missed signal).
const RECHECK: Duration = Duration::from_secs(1);
/// Changes read at once.
const PAGE: i64 = 100;

/// Whether the client asks for the stream.
pub fn wanted(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/event-stream"))
        })
}

struct Follow {
    state: web::Data<AppState>,
    cursor: Cursor,
    types: TypeFilter,
    ends: Instant,
    beat: Instant,
    pending: VecDeque<ChangeRow>,
    opened: bool,
    over: bool,
}

/// The stream of changes after `cursor` (authorised and checked already).
pub(super) fn respond(
    state: web::Data<AppState>,
    cursor: Cursor,
    types: TypeFilter,
) -> HttpResponse {
    let now = Instant::now();
    let follow = Follow {
        state,
        cursor,
        types,
        ends: now + STREAM_FOR,
        beat: now,
        pending: VecDeque::new(),
        opened: false,
        over: false,
    };
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // proxies that buffer answers (nginx) pass this one through as it comes
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(futures_util::stream::unfold(follow, next))
}

/// One event, in the wire format.
fn event(cursor: Cursor, row: ChangeRow) -> Bytes {
    let kind = row.kind.clone();
    let data = serde_json::to_string(&ChangeItem::from(row)).unwrap_or_else(|_| "{}".into());
    Bytes::from(format!(
        "id: {}\nevent: {kind}\ndata: {data}\n\n",
        cursor.encode()
    ))
}

async fn next(mut f: Follow) -> Option<(Result<Bytes, Infallible>, Follow)> {
    if f.over {
        return None;
    }
    if !f.opened {
        // sent at once, so the client knows the stream is open; and how
        // soon to reconnect once it ends
        f.opened = true;
        return Some((Ok(Bytes::from_static(b"retry: 1000\n\n")), f));
    }
    loop {
        if let Some(row) = f.pending.pop_front() {
            f.cursor = Cursor::after(&row);
            let bytes = event(f.cursor, row);
            return Some((Ok(bytes), f));
        }
        let now = Instant::now();
        if now >= f.ends {
            f.over = true;
            let bye = b": the stream ends here; reconnect with Last-Event-ID\n\n";
            return Some((Ok(Bytes::from_static(bye)), f));
        }
        if now >= f.beat + HEARTBEAT {
            f.beat = now;
            return Some((Ok(Bytes::from_static(b": heartbeat\n\n")), f));
        }
        // armed before looking, so that a commit in between still wakes us
        let state = f.state.clone();
        let woken = state.db.commits().notified();
        let mut woken = std::pin::pin!(woken);
        woken.as_mut().enable();
        let (after, types) = (f.cursor.s, f.types.clone());
        let read = state
            .db
            .run_primary(move |c| Ok(queries::after(c, after, &types, PAGE)?))
            .await;
        match read {
            Ok(rows) if !rows.is_empty() => {
                f.pending.extend(rows);
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                f.over = true;
                let bye = format!(
                    ": the database did not answer ({}); reconnect later\n\n",
                    e.code
                );
                return Some((Ok(Bytes::from(bye)), f));
            }
        }
        let until = (f.beat + HEARTBEAT).min(f.ends);
        let wait = until.saturating_duration_since(now).min(RECHECK);
        let _ = actix_web::rt::time::timeout(wait, woken).await;
    }
}
