//! Polls: readers vote, every vote counted exactly once.
//!
//! Exactness rests on the database, not on the process: a vote is one row
//! per (poll, voter) under a UNIQUE index, and the counters it moves
//! (`poll_options.vote_count`, `polls.voter_count`) are incremented in SQL in
//! the same write transaction. Results are read from the counters.

pub mod ballots;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod results;
pub mod timed;
pub mod voter;
pub mod votes;
pub mod write;

/// What other resources may use: the polls attached to a set of articles.
pub use queries::poll_ids_for_articles;

/// What the scheduler runs: polls whose closing time passed.
pub use timed::{announce_closings, closing_due};
