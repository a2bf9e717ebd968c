//! Articles: the newsroom's content, its workflow, revisions, search and
//! public author profiles (issue 4).

pub mod authors;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod revisions;
pub mod view;
pub mod write;
