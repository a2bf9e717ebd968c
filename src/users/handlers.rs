//! Administration of accounts (admins only).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, web};

use super::dto::{SORTABLE, UpdateUser, User, UserFiltersQuery};
use super::model::UserChanges;
use super::queries::{self, UserFilters};
use crate::audit::{self, Actor, Entry, Origin};
use crate::auth::{Action, Caller, Role, authorize};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::http::path::Id;
use crate::http::{IfMatch, Json, ListQuery, Page, respond, respond_page};
use crate::ids::UserId;
use crate::openapi as oa;
use crate::state::AppState;

/// List accounts. Filters `role`, `disabled`, `q`; sortable by `created_at`, `email`, `display_name`.
#[utoipa::path(
    tag = "users",
    params(crate::http::PageParams, UserFiltersQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of accounts", body = Page<User>),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/users")]
pub async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<UserFiltersQuery>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageUsers)?;
    let paged = query.paged(&SORTABLE, "-created_at")?;
    let filters = UserFilters {
        role: query.filters.role.map(|r| r.as_str().to_string()),
        disabled: query.filters.disabled,
        q: query.filters.q.clone(),
    };
    let p = paged.clone();
    let (rows, total) = state
        .db
        .run(move |c| Ok(queries::list(c, &filters, &p)?))
        .await?;
    let page = Page::new(&paged, rows, total).map(User::from);
    Ok(respond_page(&req, caller.freshness(), &page, &paged))
}

/// Read an account.
#[utoipa::path(
    tag = "users",
    params(Id<UserId>),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = User),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<UserId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageUsers)?;
    let id = path.0.0;
    let user = state.db.run(move |c| Ok(queries::find(c, id)?)).await?;
    Ok(respond(&req, caller.freshness(), &User::from(user)))
}

/// Refuses to leave the site without an active admin.
pub(super) fn keep_an_admin(
    c: &mut AnyConnection,
    target_is_active_admin: bool,
    stays_active_admin: bool,
) -> AppResult<()> {
    if target_is_active_admin && !stays_active_admin && queries::count_active_admins(c)? <= 1 {
        return Err(AppError::new(
            actix_web::http::StatusCode::CONFLICT,
            "last_admin",
            "this is the last active admin: promote another account first",
        ));
    }
    Ok(())
}

/// Audit entries for a change of role or of the disabled state.
fn record_changes(
    c: &mut AnyConnection,
    actor: &Actor,
    before: &super::model::UserRow,
    role: Option<Role>,
    disabled: Option<bool>,
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    if let Some(role) = role.filter(|r| *r != before.role()) {
        let entry = Entry::new("user.role_changed")
            .target("user", before.id)
            .detail("from", before.role().as_str())
            .detail("to", role.as_str());
        audit::record(c, actor, entry, now)?;
    }
    if let Some(d) = disabled.filter(|d| *d != before.disabled) {
        let action = if d { "user.disabled" } else { "user.enabled" };
        audit::record(c, actor, Entry::new(action).target("user", before.id), now)?;
    }
    Ok(())
}

/// Change an account: role, disabled state, profile. Disabling ends its sessions.
#[utoipa::path(
    tag = "users",
    params(
        Id<UserId>,
        crate::http::IfMatch,
    ),
    request_body = UpdateUser,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = User),
        (status = 400, response = oa::BadRequest),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 412, response = oa::PreconditionFailed),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::ValidationFailed),
        (status = 503, response = oa::Unavailable),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    if_match: IfMatch,
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<UserId>,
    body: Json<UpdateUser>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageUsers)?;
    let id = path.0.0;
    let body = body.0;
    let now = state.clock.now();
    let actor = Actor::of(&caller, &origin);
    let user = state
        .db
        .write(move |c| {
            let current = queries::find(c, id)?;
            if_match.check(&User::from(current.clone()))?;
            queries::touch_public(c, id)?;
            let is_admin = current.role() == Role::Admin && !current.disabled;
            let stays_admin = body.role.unwrap_or(current.role()) == Role::Admin
                && !body.disabled.unwrap_or(current.disabled);
            keep_an_admin(c, is_admin, stays_admin)?;
            let disabling = body.disabled == Some(true) && !current.disabled;
            let changes = UserChanges {
                role: body.role.map(|r| r.as_str().to_string()),
                disabled: body.disabled,
                display_name: body.display_name.map(|n| n.trim().to_string()),
                slug: body.slug,
                bio: body.bio,
                avatar_url: body.avatar_url,
                updated_at: Some(now),
                ..Default::default()
            };
            queries::update(c, id, &changes)?;
            if disabling {
                queries::end_all_sessions(c, id, now)?;
            }
            record_changes(c, &actor, &current, body.role, body.disabled, now)?;
            Ok(queries::find(c, id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(User::from(user)))
}

/// Delete an account and its sessions.
#[utoipa::path(
    tag = "users",
    params(Id<UserId>),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 503, response = oa::Unavailable),
    )
)]
#[delete("/users/{id}")]
pub async fn delete_user(
    state: web::Data<AppState>,
    caller: Caller,
    origin: Origin,
    path: Id<UserId>,
) -> AppResult<HttpResponse> {
    authorize(&caller, Action::ManageUsers)?;
    let id = path.0.0;
    let actor = Actor::of(&caller, &origin);
    let now = state.clock.now();
    state
        .db
        .write(move |c| {
            let current = queries::find(c, id)?;
            keep_an_admin(c, current.role() == Role::Admin && !current.disabled, false)?;
            queries::touch_public(c, id)?;
            queries::delete(c, id)?;
            let entry = Entry::new("user.deleted")
                .target("user", id)
                .detail("email", current.email.as_str())
                .detail("role", current.role().as_str());
            audit::record(c, &actor, entry, now)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
