//! User accounts: sign-up, the signed-in user's own profile, and administration.

pub mod account;
pub mod dto;
pub mod handlers;
pub mod me;
pub mod model;
pub mod queries;
