use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::UserRow;
use crate::auth::Role;
use crate::error::FieldError;
use crate::http::validate::{Errors, Validate, is_plausible_email};
use crate::ids::UserId;
use crate::state::utc;

/// The signed-in user's own view of the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Address of the public author profile (`/authors/{slug}`).
    pub slug: Option<String>,
    pub bio: String,
    pub avatar_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Whether the member confirmed the address (the link of the sign-up message).
    pub email_verified: bool,
    /// Mail me when someone replies to my comment (change it with `PATCH /me`).
    pub notify_replies: bool,
    /// Mail me the decision on my submissions.
    pub notify_reviews: bool,
    /// Mail me the digest of the moderation queue (editors and admins only).
    pub notify_digest: bool,
}

impl From<UserRow> for Me {
    fn from(u: UserRow) -> Self {
        Self {
            id: UserId(u.id),
            role: u.role(),
            email: u.email,
            display_name: u.display_name,
            slug: u.slug,
            bio: u.bio,
            avatar_url: u.avatar_url,
            created_at: utc(u.created_at),
            last_login_at: u.last_login_at.map(utc),
            email_verified: u.email_verified_at.is_some(),
            notify_replies: u.notify_replies,
            notify_reviews: u.notify_reviews,
            notify_digest: u.notify_digest,
        }
    }
}

/// An account as administrators see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub slug: Option<String>,
    pub bio: String,
    pub avatar_url: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<UserRow> for User {
    fn from(u: UserRow) -> Self {
        Self {
            id: UserId(u.id),
            role: u.role(),
            email: u.email,
            display_name: u.display_name,
            slug: u.slug,
            bio: u.bio,
            avatar_url: u.avatar_url,
            disabled: u.disabled,
            created_at: utc(u.created_at),
            updated_at: utc(u.updated_at),
            last_login_at: u.last_login_at.map(utc),
        }
    }
}

/// A signed-in session.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    /// JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque, single-use: exchange it at `/auth/refresh` for a new pair.
    pub refresh_token: String,
    pub user: Me,
}

pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Register {
    #[schema(example = "lea.martin@example.org", format = Email)]
    pub email: String,
    /// At least 10 characters, not a common password.
    #[schema(example = "Tr0mpette-du-Lundi", min_length = 10, max_length = 256)]
    pub password: String,
    #[schema(example = "Léa Martin", min_length = 1, max_length = 80)]
    pub display_name: String,
}

impl Validate for Register {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        if !is_plausible_email(self.email.trim()) {
            e.add("email", "is not a valid e-mail address");
        }
        e.0.extend(crate::auth::password::check_strength(
            "password",
            &self.password,
            Some(&self.email),
        ));
        e.text("display_name", &self.display_name, 1, 80);
        e.finish()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    #[schema(example = "lea.martin@example.org", max_length = 320)]
    pub email: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

impl Validate for Login {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        if self.email.len() > 320 {
            e.add("email", "is too long");
        }
        if self.password.len() > 1_024 {
            e.add("password", "is too long");
        }
        e.finish()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub refresh_token: String,
}

impl Validate for RefreshRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("refresh_token", &self.refresh_token, 1, 200);
        e.finish()
    }
}

/// Changes to one's own profile. `role`, `disabled`, `email` and other
/// fields are not accepted here (422).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    #[schema(min_length = 1, max_length = 80)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::nullable")]
    #[schema(value_type = Option<String>, example = "lea-martin", min_length = 1, max_length = 120, pattern = "^([a-z0-9]+(-[a-z0-9]+)+|[a-z0-9]*[a-z][a-z0-9]*)$")]
    pub slug: Option<Option<String>>,
    #[schema(max_length = 2000)]
    pub bio: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::nullable")]
    #[schema(value_type = Option<String>, format = "uri", max_length = 2000, pattern = "^https://[^/?#@\\s]+([/?#]\\S*)?$")]
    pub avatar_url: Option<Option<String>>,
    /// Mail me when someone replies to my comment.
    pub notify_replies: Option<bool>,
    /// Mail me the decision on my submissions (accepted, or refused with the reason).
    pub notify_reviews: Option<bool>,
    /// Mail me, periodically, what waits in the moderation queue (editors and admins).
    pub notify_digest: Option<bool>,
}

fn validate_profile(
    e: &mut Errors,
    display_name: Option<&str>,
    slug: &Option<Option<String>>,
    bio: Option<&str>,
    avatar_url: &Option<Option<String>>,
) {
    e.opt_text("display_name", display_name, 1, 80);
    if let Some(Some(slug)) = slug {
        e.slug("slug", slug);
    }
    e.opt_text("bio", bio, 0, 2_000);
    if let Some(Some(url)) = avatar_url {
        e.url("avatar_url", url, false);
    }
}

impl Validate for UpdateMe {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        validate_profile(
            &mut e,
            self.display_name.as_deref(),
            &self.slug,
            self.bio.as_deref(),
            &self.avatar_url,
        );
        e.finish()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    #[schema(max_length = 1024)]
    pub current_password: String,
    /// At least 10 characters, not a common password.
    #[schema(example = "Tr0mpette-du-Lundi", min_length = 10, max_length = 256)]
    pub new_password: String,
}

impl Validate for ChangePassword {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors =
            crate::auth::password::check_strength("new_password", &self.new_password, None);
        if self.current_password.len() > 1_024 {
            errors.push(FieldError::new("current_password", "is too long"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// An administrator's changes to an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub role: Option<Role>,
    /// Disabling ends all the account's sessions at once.
    pub disabled: Option<bool>,
    #[schema(min_length = 1, max_length = 80)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::nullable")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 120, pattern = "^([a-z0-9]+(-[a-z0-9]+)+|[a-z0-9]*[a-z][a-z0-9]*)$")]
    pub slug: Option<Option<String>>,
    #[schema(max_length = 2000)]
    pub bio: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::nullable")]
    #[schema(value_type = Option<String>, format = "uri", max_length = 2000, pattern = "^https://[^/?#@\\s]+([/?#]\\S*)?$")]
    pub avatar_url: Option<Option<String>>,
}

impl Validate for UpdateUser {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        validate_profile(
            &mut e,
            self.display_name.as_deref(),
            &self.slug,
            self.bio.as_deref(),
            &self.avatar_url,
        );
        e.finish()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFiltersQuery {
    /// Only accounts with this role.
    pub role: Option<Role>,
    /// Only disabled (`true`) or active (`false`) accounts.
    pub disabled: Option<bool>,
    /// Text in the e-mail address or display name.
    pub q: Option<String>,
}

pub const SORTABLE: [&str; 3] = ["created_at", "email", "display_name"];

/// Everything Kiosque holds about the signed-in member (`GET /me/export`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Export {
    pub profile: Me,
    pub email_verified_at: Option<DateTime<Utc>>,
    /// The member's choices of messages (consents).
    pub notifications: ExportNotifications,
    pub comments: Vec<ExportComment>,
    pub votes: Vec<ExportVote>,
    /// Articles, events and job offers the member submitted.
    pub submissions: Vec<ExportSubmission>,
    /// Sessions (refresh tokens), without their secrets.
    pub sessions: Vec<ExportSession>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportNotifications {
    pub replies_to_my_comments: bool,
    pub decisions_on_my_submissions: bool,
    /// Editors and admins: the periodic digest of the moderation queue.
    pub moderation_digest: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportComment {
    pub id: String,
    pub article_id: String,
    pub body: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportVote {
    pub poll_id: String,
    /// The ids of the options chosen.
    pub choices: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportSubmission {
    /// `article`, `event` or `job`.
    pub kind: &'static str,
    pub id: String,
    pub title: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportSession {
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The password, to confirm the erasure of one's own account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseMe {
    #[schema(max_length = 1024)]
    pub password: String,
}

impl Validate for EraseMe {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        if self.password.is_empty() || self.password.len() > 1_024 {
            e.add("password", "is required (at most 1024 bytes)");
        }
        e.finish()
    }
}
