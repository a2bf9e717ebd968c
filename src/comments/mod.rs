//! Readers' comments under articles and their moderation.
//!
//! A comment is in one of the states `pending`, `approved`, `rejected`,
//! `spam` (or `deleted`, a placeholder kept for its replies). Only approved
//! comments are public, and `articles.comment_count` counts exactly them: every
//! change of state goes through [`lifecycle::transition`], which moves the
//! counter in SQL inside the same write transaction, after taking the
//! comment's row lock so that concurrent decisions are applied one after the
//! other on fresh data.
//!
//! Threads: top-level comments are paged; each carries all its visible
//! replies as a flat list in posting order, with `parent_id` and `depth`
//! (1–3). A reply to a comment at depth 3 is attached to that comment's parent
//! (so the tree is never deeper than 3), and `in_reply_to` keeps the comment
//! the reader answered.

pub mod dto;
pub mod handlers;
pub mod lifecycle;
pub mod model;
pub mod moderation;
pub mod notify;
pub mod own;
pub mod posting;
pub mod queries;
pub mod rules;
pub mod views;
