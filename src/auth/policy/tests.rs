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
fn roles_and_scopes() {
    assert!(allowed(&user(1, Role::Member), Action::ManageOwnAccount));
    assert!(!allowed(&Caller::Anonymous, Action::ManageOwnAccount));
    assert!(allowed(&user(3, Role::Admin), Action::ManageUsers));
    assert!(!allowed(&user(2, Role::Editor), Action::ManageUsers));
    assert!(allowed(&user(2, Role::Editor), Action::ManageTaxonomy));
    assert!(!allowed(&user(2, Role::Author), Action::ManageTaxonomy));
    let key = Caller::Key(KeyPrincipal {
        id: ApiKeyId(1),
        scopes: vec![KeyScope::ContentWrite],
    });
    assert!(allowed(&key, Action::ManageTaxonomy));
    assert!(!allowed(&key, Action::ManageUsers));
}

#[test]
fn content_workflow() {
    use crate::status::{ContentKind::*, Status::*};
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
    assert!(allowed(&key(KeyScope::ContentWrite), Action::ManagePolls));
    assert!(!allowed(&key(KeyScope::ContentRead), Action::ManagePolls));

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
        !allowed(&key(KeyScope::ContentWrite), anyone),
        "keys never vote"
    );
    // the refusal statuses: 401 asks the reader to sign in, 403 for a key
    assert_eq!(
        authorize(&Caller::Anonymous, members).unwrap_err().status,
        401
    );
    assert_eq!(
        authorize(&key(KeyScope::ContentWrite), anyone)
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
    let moderator_key = key(KeyScope::CommentsModerate);
    let writer_key = key(KeyScope::ContentWrite);
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
