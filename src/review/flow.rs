//! The handlers' sequences for a [`Reviewable`] resource, written once:
//! load → check visibility → If-Match → authorise → validate → update (and
//! change of status) → respond; create; delete; a page of a list. The
//! resource's handlers extract the request and call these.

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::{
    ItemUpdate, NewItem, ReviewChanges, Reviewable, authorize_new, change_status, decide,
    hidden_unless_allowed, limit_submissions,
};
use crate::audit::{self, Actor, Origin};
use crate::auth::{Action, Caller, authorize};
use crate::changes::{self, Change, timed};
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::http::{IfMatch, Page, PageRequest};
use crate::state::AppState;

/// Whether `caller` may see `row` at `now`: public items to all; the others
/// to their owners and the staff for their kind (to anyone else, the
/// resource's refusal: 404 unless it says otherwise).
pub fn readable<R: Reviewable>(caller: &Caller, row: &R, now: NaiveDateTime) -> AppResult<()> {
    if row.is_public(now) {
        return Ok(());
    }
    hidden_unless_allowed(caller, R::KIND, &row.owners()).map_err(|e| row.refusal(now, e))
}

/// The item `id` as `caller` may see it, and the time it was read at.
pub async fn load<R: Reviewable>(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<(R, NaiveDateTime)> {
    let now = state.clock.now();
    let row = state.db.run(move |c| Ok(R::find(c, id)?)).await?;
    readable(caller, &row, now)?;
    Ok((row, now))
}

/// What the API answers for `rows`, with what they use loaded on `conn`.
pub fn shown_in<R: Reviewable>(
    conn: &mut AnyConnection,
    rows: Vec<R>,
    now: NaiveDateTime,
) -> QueryResult<Vec<R::Shown>> {
    let uses = if R::needs_uses(&rows) {
        R::uses(conn, &rows)?
    } else {
        R::Uses::default()
    };
    Ok(rows.into_iter().map(|r| r.show(now, &uses)).collect())
}

/// What `rows` use from other resources (a query only when they use some).
pub async fn uses<R: Reviewable + Clone + Send + 'static>(
    state: &AppState,
    rows: &[R],
) -> AppResult<R::Uses> {
    if !R::needs_uses(rows) {
        return Ok(R::Uses::default());
    }
    let rows = rows.to_vec();
    state.db.run(move |c| Ok(R::uses(c, &rows)?)).await
}

/// What the API answers for one item.
pub async fn shown<R: Reviewable + Clone + Send + 'static>(
    state: &AppState,
    row: R,
    now: NaiveDateTime,
) -> AppResult<R::Shown> {
    let uses = uses(state, std::slice::from_ref(&row)).await?;
    Ok(row.show(now, &uses))
}

/// A page of a list: `list` runs the resource's list query for the page.
pub async fn page<T, F>(state: &AppState, paged: &PageRequest, list: F) -> AppResult<Page<T>>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection, &PageRequest) -> QueryResult<(Vec<T>, i64)>
        + Clone
        + Send
        + 'static,
{
    let p = paged.clone();
    let (rows, total) = state.db.run(move |c| Ok(list(c, &p)?)).await?;
    Ok(Page::new(paged, rows, total))
}

/// Creates an item: the caller may create it with the status asked for
/// (a submission by default), within the submissions allowance; answers
/// 201 with its address.
pub async fn create<R: Reviewable>(
    state: &AppState,
    caller: &Caller,
    origin: &Origin,
    body: impl NewItem<R::Changes>,
) -> AppResult<HttpResponse> {
    let actor = Actor::of(caller, origin);
    let to = authorize_new(caller, R::KIND, body.requested_status())?;
    limit_submissions(state, caller, R::KIND).await?;
    let now = state.clock.now();
    let mut c = body.into_changes(now);
    R::check(&c)?;
    c.set_status(change_status(None, to, c.published_at(), None, now)?);
    R::settle(&mut c, true, R::settings(state))?;
    let new = R::new_row(c, caller.user_id().map(|u| u.0), now);
    let linker = caller.clone();
    let shown = state
        .db
        .write(move |conn| {
            let row = R::insert(conn, &new)?;
            R::link(conn, &linker, None, &row)?;
            let status = row.status(now).stored();
            audit::content_status(conn, &actor, target::<R>(&row), None, status, now)?;
            let (kind, id) = target::<R>(&row);
            let after = (status, row.published_at());
            let what = timed::publication_change(conn, kind, id, None, after, now)?;
            changes::record(conn, change_of(&row, what, status, now))?;
            let id = row.id();
            Ok((id, shown_in(conn, vec![row], now)?))
        })
        .await?;
    let (id, shown) = shown;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/{}/{}", R::PATH, id)))
        .json(&shown[0]))
}

/// Changes an item, or decides on it, in one transaction: the caller must
/// see it, send a matching `If-Match` if any, may edit its fields (checked
/// only when the request edits some) and may move it to the status asked for.
pub async fn update<R: Reviewable>(
    state: &AppState,
    caller: Caller,
    origin: &Origin,
    if_match: IfMatch,
    id: i64,
    mut body: impl ItemUpdate<R::Changes>,
) -> AppResult<HttpResponse> {
    let actor = Actor::of(&caller, origin);
    let now = state.clock.now();
    let settings = R::settings(state);
    let (mail_config, secret) = (state.config.mail.clone(), state.config.jwt_secret.clone());
    let row = state
        .db
        .write(move |conn| {
            let current = R::find(conn, id)?;
            readable(&caller, &current, now)?;
            if_match.check(&shown_in(conn, vec![current.clone()], now)?[0])?;
            let owners = current.owners();
            let shown = current.status(now);
            if body.edits_fields() {
                authorize(
                    &caller,
                    Action::EditContent {
                        kind: R::KIND,
                        owners: &owners,
                        status: shown,
                    },
                )?;
            }
            let (to, reason) = body.take_decision();
            let mut c = current.changes();
            body.apply_to(&mut c);
            R::check(&c)?;
            let moved = to.is_some() || reason.is_some();
            if moved {
                let published_at = c.published_at();
                c.set_status(decide(
                    &caller,
                    R::KIND,
                    &owners,
                    Some(shown),
                    to.unwrap_or(shown),
                    published_at,
                    reason.as_deref(),
                    now,
                )?);
            }
            R::settle(&mut c, moved, settings)?;
            c.touch(now);
            let row = R::update(conn, id, &c)?;
            R::link(conn, &caller, Some(&current), &row)?;
            let (before, after) = (shown.stored(), row.status(now).stored());
            audit::content_status(conn, &actor, target::<R>(&row), Some(before), after, now)?;
            let what = timed::publication_change(
                conn,
                target::<R>(&row).0,
                id,
                Some((before, current.published_at())),
                (after, row.published_at()),
                now,
            )?;
            if moved {
                super::notify::decision(
                    conn,
                    &mail_config,
                    &secret,
                    &owners,
                    caller.user_id(),
                    R::KIND,
                    (before, after),
                    reason.as_deref(),
                    now,
                )?;
            }
            changes::record(conn, change_of(&row, what, after, now))?;
            Ok(shown_in(conn, vec![row], now)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(&row[0]))
}

/// Deletes an item the caller sees and may delete; answers 204.
pub async fn delete<R: Reviewable>(
    state: &AppState,
    caller: Caller,
    origin: &Origin,
    id: i64,
) -> AppResult<HttpResponse> {
    let actor = Actor::of(&caller, origin);
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let current = R::find(conn, id)?;
            readable(&caller, &current, now)?;
            authorize(
                &caller,
                Action::DeleteContent {
                    kind: R::KIND,
                    owners: &current.owners(),
                    status: current.status(now),
                },
            )?;
            audit::content_deleted(conn, &actor, target::<R>(&current), now)?;
            let status = current.status(now).stored();
            let change = change_of(&current, "deleted", status, now);
            R::delete(conn, id)?;
            timed::forget(conn, target::<R>(&current).0, id)?;
            changes::record(conn, change)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How the audit log names an item: `("job", 42)`.
fn target<R: Reviewable>(row: &R) -> (&'static str, i64) {
    let kind = match R::KIND {
        super::ContentKind::Article => "article",
        super::ContentKind::Job => "job",
        super::ContentKind::Event => "event",
    };
    (kind, row.id())
}

/// The change an item's write records: `<kind>.<what>`, naming its public paths.
fn change_of<R: Reviewable>(row: &R, what: &str, status: &str, now: NaiveDateTime) -> Change {
    let kind = target::<R>(row).0;
    Change::new(kind, what, row.id(), now)
        .paths(row.public_paths())
        // the public lists of its kind may show it or stop showing it
        .keys([format!("list:{kind}s")])
        .datum("status", status)
}

/// Tells the timed fact `what` (`published`, `expired`) of the items `ids`
/// of `table`, due by `due_at` (the fact's time, when it holds at `now`), in
/// the caller's write transaction: each item is claimed (skipped while a
/// writer holds it: that write settles it), told once in `announcements`,
/// and its change `<kind>.<what>` recorded last. Says how many were told.
pub fn announce<R: Reviewable>(
    conn: &mut AnyConnection,
    table: &'static str,
    ids: Vec<i64>,
    what: &'static str,
    due_at: fn(&R, NaiveDateTime) -> Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let mut told = Vec::new();
    for id in ids {
        if !timed::claim(conn, table, id)? {
            continue;
        }
        let row = R::find(conn, id)?;
        let Some(at) = due_at(&row, now) else {
            continue;
        };
        if timed::tell(conn, target::<R>(&row).0, id, what, at, now)? {
            told.push(change_of(&row, what, row.stored_status(), now));
        }
    }
    let n = told.len();
    for change in told {
        changes::record(conn, change)?;
    }
    Ok(n)
}
