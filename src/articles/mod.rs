//! Articles: the newsroom's content, its workflow, revisions, search and
//! public author profiles (issue 4).

pub mod authors;
pub mod dto;
pub mod filters;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod requests;
pub mod revisions;
pub mod write;
