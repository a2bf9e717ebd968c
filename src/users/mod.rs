//! User accounts: sign-up, the signed-in user's own profile, and administration.

pub mod account;
mod credentials;
pub mod dto;
pub mod email;
pub mod email_change;
pub mod erase;
pub mod handlers;
pub mod links;
pub mod me;
pub mod model;
pub mod notifications;
pub mod queries;
pub mod requests;
pub mod rights;
pub mod signin;
pub mod write;

/// What the rest of the application may use: opening an account by the rules.
pub use write::{NewAccount, open_account};
