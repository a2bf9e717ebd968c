//! Articles: the newsroom's content, its workflow, revisions, search and
//! public author profiles.

pub mod access;
pub mod authors;
pub mod change;
pub mod dto;
pub mod filters;
pub mod handlers;
pub mod jsonld;
pub mod model;
pub mod preview;
pub mod queries;
pub mod requests;
pub mod revisions;
pub mod timed;
pub mod video;
pub mod write;

/// What other resources may use: an article as the caller may read it
/// (comments hang on articles), and its row.
pub use access::{Lookup, readable};
pub use change::change_for;
pub use dto::Cover;
pub use model::ArticleRow;
pub use requests::CreateArticle;
/// What the scheduler runs: the publications whose time came.
pub use timed::{announce_due, publication_due};
pub use write::create;
