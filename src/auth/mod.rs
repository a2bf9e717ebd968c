//! Identity: password hashing, tokens, the caller of a request, the one
//! authorization policy, and the rate limits that guard sign-in.

pub mod caller;
pub mod failures;
pub mod limits;
pub mod password;
pub mod policy;
pub mod preview;
pub mod session;
pub mod tokens;

pub use caller::{Caller, KeyPrincipal, SessionUser};
pub use policy::{Action, authorize};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::Config;

/// A user's role, from least to most powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Author,
    Editor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "member" => Some(Role::Member),
            "author" => Some(Role::Author),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Staff write content; members only submit it.
    pub fn is_staff(self) -> bool {
        self >= Role::Author
    }
}

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = Scope)]
pub enum KeyScope {
    #[serde(rename = "content:read")]
    ContentRead,
    #[serde(rename = "content:write")]
    ContentWrite,
    #[serde(rename = "comments:moderate")]
    CommentsModerate,
    #[serde(rename = "weather:write")]
    WeatherWrite,
}

impl KeyScope {
    pub const ALL: [KeyScope; 4] = [
        KeyScope::ContentRead,
        KeyScope::ContentWrite,
        KeyScope::CommentsModerate,
        KeyScope::WeatherWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyScope::ContentRead => "content:read",
            KeyScope::ContentWrite => "content:write",
            KeyScope::CommentsModerate => "comments:moderate",
            KeyScope::WeatherWrite => "weather:write",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Everything identity keeps in the application state.
pub struct AuthState {
    pub tokens: tokens::TokenKeys,
    /// Preview tokens (one unpublished article, read-only, short-lived).
    pub preview: preview::PreviewKeys,
    pub passwords: password::Passwords,
    /// Rate limits counted in this process (`KIOSQUE_RATE_LIMIT_STORE=memory`), by bucket.
    pub rate: limits::RateLimits,
    /// Failed sign-ins counted in this process (the same setting).
    pub failures: failures::LocalCounts,
}

impl AuthState {
    pub fn new(config: &Config) -> Self {
        Self {
            tokens: tokens::TokenKeys::new(config),
            preview: preview::PreviewKeys::new(config),
            passwords: password::Passwords::new(config.argon2_memory_kib, config.argon2_iterations),
            rate: limits::RateLimits::default(),
            failures: failures::LocalCounts::default(),
        }
    }
}
