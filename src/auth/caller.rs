//! Who is calling: anonymous, a signed-in user (JWT access token) or an
//! integrator (API key). A request with a bad token is refused outright, never
//! served as anonymous. The extractor that works this out from a request is
//! `crate::http::caller`.

use super::{KeyScope, Role};
use crate::ids::{ApiKeyId, UserId};

#[derive(Debug, Clone)]
pub struct SessionUser {
    pub id: UserId,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct KeyPrincipal {
    pub id: ApiKeyId,
    pub scopes: Vec<KeyScope>,
}

#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    User(SessionUser),
    Key(KeyPrincipal),
}

impl Caller {
    pub fn user(&self) -> Option<&SessionUser> {
        match self {
            Caller::User(u) => Some(u),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.user().map(|u| u.id)
    }

    pub fn role(&self) -> Option<Role> {
        self.user().map(|u| u.role)
    }

    pub fn has_scope(&self, scope: KeyScope) -> bool {
        matches!(self, Caller::Key(k) if k.scopes.contains(&scope))
    }

    pub fn is_anonymous(&self) -> bool {
        matches!(self, Caller::Anonymous)
    }
}
