//! Job offers ("Offre d'emploi"): posted by local employers (members, whose
//! offers wait for review) or by the newsroom; listed until they expire,
//! readable by search engines as schema.org `JobPosting`. The review itself
//! is the shared workflow's (`review`).

pub mod dto;
pub mod filters;
pub mod handlers;
pub mod jsonld;
pub mod model;
pub mod queries;
pub mod requests;
pub mod review;
pub mod timed;

/// What the scheduler runs: publications whose time came, expiries passed.
pub use timed::{announce_expiries, announce_publications, expiry_due, publication_due};
