//! Events (the agenda): concerts, fairs, meetings, submitted by readers and
//! associations ("publiez gratuitement vos événements") or by the newsroom,
//! reviewed like job offers, exported as iCalendar.

pub mod dto;
pub mod export;
pub mod filters;
pub mod handlers;
pub mod ics;
pub mod input;
pub mod model;
pub mod queries;
