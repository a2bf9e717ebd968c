//! The one place that decides who may do what. Handlers describe the action
//! (and the object, where ownership matters) and ask; they never compare
//! roles themselves.
//!
//! Refusals: an anonymous caller gets 401 (sign in first), a signed-in caller
//! or key without the right gets 403.

use super::{Caller, KeyScope, Role};
use crate::error::AppError;
use crate::ids::UserId;
use crate::status::{ContentKind, Status};

#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Create, rename or delete sections and tags.
    ManageTaxonomy,
    /// List, read, change role of, disable or delete any account.
    ManageUsers,
    /// Create, list and revoke API keys.
    ManageApiKeys,
    /// Read the audit log (admins).
    ReadAudit,
    /// Create, change, rotate and delete webhooks; read their delivery log (admins).
    ManageWebhooks,
    /// Read the change feed (`/changes`): keys that read content, editors.
    ReadChanges,
    /// Read and change one's own profile and password.
    ManageOwnAccount,

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

    /// Upload a file to the media library (`image`: the file is an image;
    /// members upload images only, within their quota).
    UploadMedia { image: bool },
    /// Read a media item that is not public, uploaded by `uploader`.
    ReadMedia { uploader: Option<UserId> },
    /// Change the metadata of a media item uploaded by `uploader`.
    EditMedia { uploader: Option<UserId> },
    /// Delete a media item uploaded by `uploader`.
    DeleteMedia { uploader: Option<UserId> },
    /// Push a town's weather observation (`weather:write` keys, admins).
    WriteWeather,
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
        ) => caller.has_scope(KeyScope::ContentWrite),
        (Caller::Key(_), ReadUnpublished { .. } | ReviewContent { .. }) => {
            caller.has_scope(KeyScope::ContentRead) || caller.has_scope(KeyScope::ContentWrite)
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
        (Caller::Key(_), ManageTaxonomy) => caller.has_scope(KeyScope::ContentWrite),

        (Caller::User(u), ManageUsers | ManageApiKeys | ReadAudit) => u.role == Role::Admin,
        (Caller::Key(_), ManageUsers | ManageApiKeys | ReadAudit) => false,
        // webhooks carry signing secrets and reach out of the site: admins only
        (Caller::User(u), ManageWebhooks) => u.role == Role::Admin,
        (Caller::Key(_), ManageWebhooks) => false,

        (Caller::User(u), ReadChanges) => u.role >= Role::Editor,
        (Caller::Key(_), ReadChanges) => {
            caller.has_scope(KeyScope::ContentRead) || caller.has_scope(KeyScope::ContentWrite)
        }

        (Caller::User(_), ManageOwnAccount) => true,
        (Caller::Key(_), ManageOwnAccount) => false,

        (Caller::User(u), ManagePolls) => u.role >= Role::Editor,
        (Caller::Key(_), ManagePolls) => caller.has_scope(KeyScope::ContentWrite),
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
            caller.has_scope(KeyScope::CommentsModerate)
        }
        (Caller::User(u), ModerateComments | BanCommenter) => u.role >= Role::Editor,
        (Caller::Key(_), BanCommenter) => false,

        // the newsroom uploads anything; members images for their submissions
        (Caller::User(u), UploadMedia { image }) => image || u.role.is_staff(),
        (Caller::User(u), ReadMedia { uploader }) => u.role.is_staff() || uploader == Some(u.id),
        (Caller::User(u), EditMedia { uploader } | DeleteMedia { uploader }) => {
            u.role >= Role::Editor || uploader == Some(u.id)
        }
        (Caller::Key(_), UploadMedia { .. } | EditMedia { .. } | DeleteMedia { .. }) => {
            caller.has_scope(KeyScope::ContentWrite)
        }
        (Caller::Key(_), ReadMedia { .. }) => {
            caller.has_scope(KeyScope::ContentRead) || caller.has_scope(KeyScope::ContentWrite)
        }
        (Caller::User(u), WriteWeather) => u.role == Role::Admin,
        (Caller::Key(_), WriteWeather) => caller.has_scope(KeyScope::WeatherWrite),
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
        Action::ReadAudit => "read the audit log".into(),
        Action::ManageWebhooks => "manage webhooks".into(),
        Action::ReadChanges => "read the change feed".into(),
        Action::ManageOwnAccount => "manage a user account".into(),
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
        Action::UploadMedia { image: true } => "upload images".into(),
        Action::UploadMedia { image: false } => {
            "upload files other than images (members upload images only)".into()
        }
        Action::ReadMedia { .. } => "see this media item".into(),
        Action::EditMedia { .. } => "edit this media item (its uploader or an editor may)".into(),
        Action::DeleteMedia { .. } => {
            "delete this media item (its uploader or an editor may)".into()
        }
        Action::WriteWeather => "push weather observations".into(),
    }
}

#[cfg(test)]
mod tests;
