//! Events (the agenda): concerts, fairs, meetings, submitted by readers and
//! associations ("publiez gratuitement vos événements") or by the newsroom,
//! reviewed like job offers (the shared workflow, `review`), exported as
//! iCalendar.

pub mod dto;
pub mod export;
pub mod filters;
pub mod handlers;
pub mod ics;
pub mod model;
pub mod queries;
pub mod requests;
pub mod review;
pub mod timed;

/// What the demo site (`seed-demo`) writes: an event, through its rows.
pub use dto::{Price, Venue};
pub use model::EventRow;
pub use requests::CreateEvent;
/// What the scheduler runs: publications whose time came.
pub use timed::{announce_publications, publication_due};
