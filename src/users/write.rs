//! Opening an account: the rules every way in shares (sign-up, the
//! `create-user` command, the demo site).

use chrono::NaiveDateTime;

use super::dto::normalize_email;
use super::model::{NewUser, UserChanges, UserRow};
use super::queries;
use crate::auth::Role;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::slug::{slugify, unique};

/// An account to open. The password is already hashed.
pub struct NewAccount {
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub bio: String,
}

/// Opens an account: the address is kept normalised and must be free (409),
/// the name is trimmed, and staff get a unique public slug (their author page).
pub fn open_account(
    c: &mut AnyConnection,
    account: NewAccount,
    now: NaiveDateTime,
) -> AppResult<UserRow> {
    let display_name = account.display_name.trim().to_string();
    let slug = if account.role.is_staff() {
        Some(unique(&slugify(&display_name, 80), |s| {
            queries::slug_taken(c, s)
        })?)
    } else {
        None
    };
    let user = queries::insert(
        c,
        &NewUser {
            email: normalize_email(&account.email),
            password_hash: account.password_hash,
            display_name,
            role: account.role.as_str().to_string(),
            slug,
            created_at: now,
            updated_at: now,
        },
    )
    .map_err(|e| match AppError::from(e) {
        err if err.status == actix_web::http::StatusCode::CONFLICT => {
            AppError::conflict("an account with this e-mail address already exists")
        }
        err => err,
    })?;
    if account.bio.is_empty() {
        return Ok(user);
    }
    let changes = UserChanges {
        bio: Some(account.bio),
        ..Default::default()
    };
    Ok(queries::update(c, user.id, &changes)?)
}
