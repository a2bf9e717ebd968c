//! The one place that decides who may do what. Handlers describe the action
//! (and the object, where ownership matters) and ask; they never compare
//! roles themselves.
//!
//! Refusals: an anonymous caller gets 401 (sign in first), a signed-in caller
//! or key without the right gets 403.

use super::{Caller, Role, Scope};
use crate::error::AppError;
use crate::ids::UserId;

#[derive(Debug, Clone, Copy)]
pub enum Action {
    /// Create, rename or delete sections and tags.
    ManageTaxonomy,
    /// List, read, change role of, disable or delete any account.
    ManageUsers,
    /// Create, list and revoke API keys.
    ManageApiKeys,
    /// Read and change one's own profile and password.
    ManageOwnAccount,
    /// Read or change the profile of `owner` (self-service or administration).
    EditProfileOf { owner: UserId },
}

pub fn authorize(caller: &Caller, action: Action) -> Result<(), AppError> {
    if allowed(caller, action) {
        return Ok(());
    }
    Err(match caller {
        Caller::Anonymous => AppError::unauthorized("sign in to do this"),
        Caller::User(_) => AppError::forbidden(format!("your role may not {}", describe(action))),
        Caller::Key(_) => AppError::forbidden(format!(
            "this API key's scopes do not allow it to {}",
            describe(action)
        )),
    })
}

/// The rules, as one table of cases.
pub fn allowed(caller: &Caller, action: Action) -> bool {
    use Action::*;
    match (caller, action) {
        (Caller::Anonymous, _) => false,

        (Caller::User(u), ManageTaxonomy) => u.role >= Role::Editor,
        (Caller::Key(_), ManageTaxonomy) => caller.has_scope(Scope::ContentWrite),

        (Caller::User(u), ManageUsers | ManageApiKeys) => u.role == Role::Admin,
        (Caller::Key(_), ManageUsers | ManageApiKeys) => false,

        (Caller::User(_), ManageOwnAccount) => true,
        (Caller::Key(_), ManageOwnAccount) => false,

        (Caller::User(u), EditProfileOf { owner }) => u.id == owner || u.role == Role::Admin,
        (Caller::Key(_), EditProfileOf { .. }) => false,
    }
}

fn describe(action: Action) -> &'static str {
    match action {
        Action::ManageTaxonomy => "manage sections and tags",
        Action::ManageUsers => "manage user accounts",
        Action::ManageApiKeys => "manage API keys",
        Action::ManageOwnAccount => "manage a user account",
        Action::EditProfileOf { .. } => "change another user's profile",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{KeyPrincipal, SessionUser};
    use crate::ids::ApiKeyId;

    fn user(id: i64, role: Role) -> Caller {
        Caller::User(SessionUser {
            id: UserId(id),
            role,
        })
    }

    #[test]
    fn ownership_and_roles() {
        let own = Action::EditProfileOf { owner: UserId(1) };
        assert!(allowed(&user(1, Role::Member), own));
        assert!(!allowed(&user(2, Role::Editor), own));
        assert!(allowed(&user(3, Role::Admin), own));
        assert!(!allowed(&Caller::Anonymous, own));
        assert!(allowed(&user(2, Role::Editor), Action::ManageTaxonomy));
        assert!(!allowed(&user(2, Role::Author), Action::ManageTaxonomy));
        let key = Caller::Key(KeyPrincipal {
            id: ApiKeyId(1),
            scopes: vec![Scope::ContentWrite],
        });
        assert!(allowed(&key, Action::ManageTaxonomy));
        assert!(!allowed(&key, Action::ManageUsers));
    }
}
