//! Who may read an article: the one lookup every read of an article goes
//! through (detail, JSON-LD, revisions, previews).

use chrono::NaiveDateTime;

use super::model::ArticleRow;
use super::queries;
use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::ids::IdOrSlug;
use crate::review::{ContentKind, hidden_unless_allowed};

/// What a key names for a caller who may read it: the article, or the
/// current slug of one that moved.
pub enum Lookup {
    Found(Box<ArticleRow>),
    Moved(String),
}

impl Lookup {
    /// The article, where a former slug will not do.
    pub fn current(self) -> AppResult<ArticleRow> {
        match self {
            Lookup::Found(row) => Ok(*row),
            Lookup::Moved(_) => Err(AppError::not_found(
                "this address is a former slug; use the current one",
            )),
        }
    }
}

/// Finds an article the caller may read: public ones for all, the others for
/// their owners and staff (404 to anyone else, so drafts stay secret).
pub fn readable(
    conn: &mut AnyConnection,
    caller: &Caller,
    key: &IdOrSlug,
    now: NaiveDateTime,
) -> AppResult<Lookup> {
    match queries::find(conn, key)? {
        None => Err(AppError::not_found("no such article")),
        Some(queries::Found::Moved { current_slug }) => Ok(Lookup::Moved(current_slug)),
        Some(queries::Found::Article(row)) => {
            if !row.is_public(now) {
                hidden_unless_allowed(caller, ContentKind::Article, &queries::owners(conn, &row)?)?;
            }
            Ok(Lookup::Found(row))
        }
    }
}
