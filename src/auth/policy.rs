//! The one place that decides who may do what. Handlers describe the action
//! (and the object, where ownership matters) and ask; they never compare
//! roles themselves.
//!
//! Refusals: an anonymous caller gets 401 (sign in first), a signed-in caller
//! or key without the right gets 403.

use super::{Caller, Role, Scope};
use crate::error::AppError;
use crate::ids::UserId;
use crate::workflow::{ContentKind, Status};

#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
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

    /// Create an item of `kind`; its first status is then checked with `SetStatus`.
    /// Members may create (their items are submissions, which start `pending`).
    CreateContent { kind: ContentKind },
    /// Change an item's fields (not its status). `owners` are its authors or submitter.
    EditContent {
        kind: ContentKind,
        owners: &'a [UserId],
        status: Status,
    },
    /// Move an item to the status `to`.
    SetStatus {
        kind: ContentKind,
        owners: &'a [UserId],
        to: Status,
    },
    /// Delete an item.
    DeleteContent {
        kind: ContentKind,
        owners: &'a [UserId],
        status: Status,
    },
    /// Read an item that is not public (draft, pending, scheduled, archived, rejected).
    ReadUnpublished {
        kind: ContentKind,
        owners: &'a [UserId],
    },
    /// List items of any status (the `status` filter of lists); read revisions.
    ReviewContent { kind: ContentKind },

    /// Create, edit, close and delete polls; see their results at any time.
    ManagePolls,
    /// Vote in a poll; `members_only` is the poll's own rule (`who_may_vote`).
    Vote { members_only: bool },

    /// Post a comment; `guests_allowed` is the site's setting for guests.
    PostComment { guests_allowed: bool },
    /// Change the text of a comment written by `author` (the edit window is a
    /// rule of time, checked by the handler).
    EditComment { author: Option<UserId> },
    /// Delete a comment written by `author`.
    DeleteComment { author: Option<UserId> },
    /// Flag a comment for moderators; `guests_allowed` as for posting.
    FlagComment { guests_allowed: bool },
    /// See the moderation queue and decide on comments.
    ModerateComments,
    /// Ban a member from commenting, or lift the ban.
    BanCommenter,
}

pub fn authorize(caller: &Caller, action: Action<'_>) -> Result<(), AppError> {
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
pub fn allowed(caller: &Caller, action: Action<'_>) -> bool {
    use Action::*;
    match (caller, action) {
        // a poll open to anyone takes anonymous votes (with a voter token)
        (Caller::Anonymous, Vote { members_only }) => !members_only,
        // guests comment and flag only where the site allows it
        (Caller::Anonymous, PostComment { guests_allowed } | FlagComment { guests_allowed }) => {
            guests_allowed
        }
        (Caller::Anonymous, _) => false,

        // Keys: `content:write` acts as an editor on content, `content:read` reads it.
        (
            Caller::Key(_),
            CreateContent { .. } | EditContent { .. } | SetStatus { .. } | DeleteContent { .. },
        ) => caller.has_scope(Scope::ContentWrite),
        (Caller::Key(_), ReadUnpublished { .. } | ReviewContent { .. }) => {
            caller.has_scope(Scope::ContentRead) || caller.has_scope(Scope::ContentWrite)
        }

        (Caller::User(_), CreateContent { .. }) => true,
        (
            Caller::User(u),
            EditContent {
                kind,
                owners,
                status,
            },
        ) => {
            u.role >= Role::Editor
                || (owners.contains(&u.id)
                    && (staff_for(kind, u.role)
                        || !matches!(
                            status,
                            Status::Published | Status::Scheduled | Status::Archived
                        )))
        }
        (Caller::User(u), SetStatus { kind, owners, to }) => {
            let own = owners.contains(&u.id);
            match to {
                // withdrawing or (re)submitting one's own item
                Status::Draft | Status::Pending => own || u.role >= Role::Editor,
                // authors publish their own articles; editors anything
                Status::Published | Status::Scheduled | Status::Archived => {
                    u.role >= Role::Editor
                        || (own && kind == ContentKind::Article && u.role >= Role::Author)
                }
                // refusing a submission is a review decision
                Status::Rejected => u.role >= Role::Editor,
            }
        }
        (Caller::User(u), DeleteContent { owners, status, .. }) => {
            u.role >= Role::Editor
                || (owners.contains(&u.id)
                    && matches!(status, Status::Draft | Status::Pending | Status::Rejected))
        }
        (Caller::User(u), ReadUnpublished { kind, owners }) => {
            owners.contains(&u.id) || staff_for(kind, u.role)
        }
        (Caller::User(u), ReviewContent { kind }) => staff_for(kind, u.role),

        (Caller::User(u), ManageTaxonomy) => u.role >= Role::Editor,
        (Caller::Key(_), ManageTaxonomy) => caller.has_scope(Scope::ContentWrite),

        (Caller::User(u), ManageUsers | ManageApiKeys) => u.role == Role::Admin,
        (Caller::Key(_), ManageUsers | ManageApiKeys) => false,

        (Caller::User(_), ManageOwnAccount) => true,
        (Caller::Key(_), ManageOwnAccount) => false,

        (Caller::User(u), EditProfileOf { owner }) => u.id == owner || u.role == Role::Admin,
        (Caller::Key(_), EditProfileOf { .. }) => false,

        (Caller::User(u), ManagePolls) => u.role >= Role::Editor,
        (Caller::Key(_), ManagePolls) => caller.has_scope(Scope::ContentWrite),
        // every account votes, whatever its role; integrators' keys never do
        (Caller::User(_), Vote { .. }) => true,
        (Caller::Key(_), Vote { .. }) => false,

        // every account comments and flags (bans are checked apart); keys never do
        (Caller::User(_), PostComment { .. } | FlagComment { .. }) => true,
        (Caller::Key(_), PostComment { .. } | FlagComment { .. }) => false,
        // one's own words only: moderators decide on comments, they do not rewrite them
        (Caller::User(u), EditComment { author }) => author == Some(u.id),
        (Caller::Key(_), EditComment { .. }) => false,
        (Caller::User(u), DeleteComment { author }) => {
            author == Some(u.id) || u.role >= Role::Editor
        }
        (Caller::Key(_), DeleteComment { .. } | ModerateComments) => {
            caller.has_scope(Scope::CommentsModerate)
        }
        (Caller::User(u), ModerateComments | BanCommenter) => u.role >= Role::Editor,
        (Caller::Key(_), BanCommenter) => false,
    }
}

/// Who counts as staff for a kind of content: the newsroom (authors and up)
/// for articles, editors for readers' classifieds.
fn staff_for(kind: ContentKind, role: Role) -> bool {
    match kind {
        ContentKind::Article => role >= Role::Author,
        ContentKind::Job | ContentKind::Event => role >= Role::Editor,
    }
}

fn describe(action: Action<'_>) -> String {
    match action {
        Action::ManageTaxonomy => "manage sections and tags".into(),
        Action::ManageUsers => "manage user accounts".into(),
        Action::ManageApiKeys => "manage API keys".into(),
        Action::ManageOwnAccount => "manage a user account".into(),
        Action::EditProfileOf { .. } => "change another user's profile".into(),
        Action::CreateContent { kind } => format!("create {}", kind.noun()),
        Action::EditContent { kind, .. } => format!("edit these {}", kind.noun()),
        Action::SetStatus { kind, to, .. } => {
            format!(
                "set {} to `{}`",
                kind.noun(),
                serde_json::to_value(to)
                    .unwrap_or_default()
                    .as_str()
                    .unwrap_or("")
            )
        }
        Action::DeleteContent { kind, .. } => format!("delete these {}", kind.noun()),
        Action::ReadUnpublished { kind, .. } => format!("read unpublished {}", kind.noun()),
        Action::ReviewContent { kind } => format!("review {}", kind.noun()),
        Action::ManagePolls => "manage polls".into(),
        Action::Vote { members_only: true } => "vote in this poll (members only)".into(),
        Action::Vote { .. } => "vote in polls".into(),
        Action::PostComment { .. } => "post comments".into(),
        Action::EditComment { .. } => "edit this comment (only its author may)".into(),
        Action::DeleteComment { .. } => "delete this comment".into(),
        Action::FlagComment { .. } => "flag comments".into(),
        Action::ModerateComments => "moderate comments".into(),
        Action::BanCommenter => "ban commenters".into(),
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

    #[test]
    fn content_workflow() {
        use crate::workflow::{ContentKind::*, Status::*};
        let owners = [UserId(1)];
        let publish = |kind| Action::SetStatus {
            kind,
            owners: &owners,
            to: Published,
        };
        assert!(
            allowed(&user(1, Role::Author), publish(Article)),
            "authors publish their own"
        );
        assert!(
            !allowed(&user(2, Role::Author), publish(Article)),
            "not others'"
        );
        assert!(allowed(&user(2, Role::Editor), publish(Article)));
        assert!(
            !allowed(&user(1, Role::Member), publish(Article)),
            "members only submit"
        );
        assert!(
            !allowed(&user(1, Role::Author), publish(Job)),
            "classifieds are reviewed by editors"
        );
        let submit = Action::SetStatus {
            kind: Event,
            owners: &owners,
            to: Pending,
        };
        assert!(allowed(&user(1, Role::Member), submit));
        let edit_live = Action::EditContent {
            kind: Job,
            owners: &owners,
            status: Published,
        };
        assert!(
            !allowed(&user(1, Role::Member), edit_live),
            "a published offer is the editors' now"
        );
        let read = Action::ReadUnpublished {
            kind: Article,
            owners: &owners,
        };
        assert!(allowed(&user(1, Role::Member), read));
        assert!(allowed(&user(5, Role::Author), read));
        assert!(!allowed(&user(5, Role::Member), read));
    }

    #[test]
    fn polls_and_votes() {
        let key = |scope| {
            Caller::Key(KeyPrincipal {
                id: ApiKeyId(1),
                scopes: vec![scope],
            })
        };
        assert!(allowed(&user(1, Role::Editor), Action::ManagePolls));
        assert!(allowed(&user(1, Role::Admin), Action::ManagePolls));
        assert!(!allowed(&user(1, Role::Author), Action::ManagePolls));
        assert!(!allowed(&user(1, Role::Member), Action::ManagePolls));
        assert!(!allowed(&Caller::Anonymous, Action::ManagePolls));
        assert!(allowed(&key(Scope::ContentWrite), Action::ManagePolls));
        assert!(!allowed(&key(Scope::ContentRead), Action::ManagePolls));

        let members = Action::Vote { members_only: true };
        let anyone = Action::Vote {
            members_only: false,
        };
        assert!(allowed(&Caller::Anonymous, anyone));
        assert!(!allowed(&Caller::Anonymous, members));
        for role in [Role::Member, Role::Author, Role::Editor, Role::Admin] {
            assert!(allowed(&user(1, role), members) && allowed(&user(1, role), anyone));
        }
        assert!(
            !allowed(&key(Scope::ContentWrite), anyone),
            "keys never vote"
        );
        // the refusal statuses: 401 asks the reader to sign in, 403 for a key
        assert_eq!(
            authorize(&Caller::Anonymous, members).unwrap_err().status,
            401
        );
        assert_eq!(
            authorize(&key(Scope::ContentWrite), anyone)
                .unwrap_err()
                .status,
            403
        );
    }

    #[test]
    fn comments() {
        let key = |scope| {
            Caller::Key(KeyPrincipal {
                id: ApiKeyId(1),
                scopes: vec![scope],
            })
        };
        let moderator_key = key(Scope::CommentsModerate);
        let writer_key = key(Scope::ContentWrite);
        let post = |guests_allowed| Action::PostComment { guests_allowed };
        assert!(!allowed(&Caller::Anonymous, post(false)));
        assert!(allowed(&Caller::Anonymous, post(true)));
        assert_eq!(
            authorize(&Caller::Anonymous, post(false))
                .unwrap_err()
                .status,
            401
        );
        for role in [Role::Member, Role::Author, Role::Editor, Role::Admin] {
            assert!(allowed(&user(1, role), post(false)));
        }
        assert!(!allowed(&moderator_key, post(true)), "keys never comment");

        let own = Some(UserId(1));
        let edit = Action::EditComment { author: own };
        assert!(allowed(&user(1, Role::Member), edit));
        assert!(
            !allowed(&user(2, Role::Admin), edit),
            "nobody rewrites others"
        );
        assert!(!allowed(
            &Caller::Anonymous,
            Action::EditComment { author: None }
        ));
        assert!(!allowed(&moderator_key, edit));

        let delete = Action::DeleteComment { author: own };
        assert!(allowed(&user(1, Role::Member), delete));
        assert!(!allowed(&user(2, Role::Member), delete));
        assert!(!allowed(&user(2, Role::Author), delete));
        assert!(allowed(&user(2, Role::Editor), delete));
        assert!(allowed(&moderator_key, delete));
        assert!(!allowed(&writer_key, delete));

        for (caller, may) in [
            (user(1, Role::Member), false),
            (user(1, Role::Author), false),
            (user(1, Role::Editor), true),
            (user(1, Role::Admin), true),
            (moderator_key.clone(), true),
            (writer_key.clone(), false),
            (Caller::Anonymous, false),
        ] {
            assert_eq!(
                allowed(&caller, Action::ModerateComments),
                may,
                "{caller:?}"
            );
        }
        assert!(allowed(&user(1, Role::Editor), Action::BanCommenter));
        assert!(!allowed(&user(1, Role::Author), Action::BanCommenter));
        assert!(!allowed(&moderator_key, Action::BanCommenter));

        let flag = |guests_allowed| Action::FlagComment { guests_allowed };
        assert!(allowed(&user(1, Role::Member), flag(false)));
        assert!(!allowed(&Caller::Anonymous, flag(false)));
        assert!(allowed(&Caller::Anonymous, flag(true)));
        assert!(!allowed(&moderator_key, flag(true)));
    }
}
