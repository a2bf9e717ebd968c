//! Request bodies of the links sent by mail (verification, reset, sign-in).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::validate::{Errors, Validate};

/// A link's secret, as the front end read it from the link (`?token=…`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkToken {
    #[schema(max_length = 200)]
    pub token: String,
}

impl Validate for LinkToken {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("token", &self.token, 1, 200);
        e.finish()
    }
}

/// An address to send a link to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailOnly {
    #[schema(example = "lea.martin@example.org", max_length = 320)]
    pub email: String,
}

impl Validate for EmailOnly {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("email", &self.email, 3, 320);
        e.finish()
    }
}

/// The end of a password reset: the link's secret and the new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteReset {
    #[schema(max_length = 200)]
    pub token: String,
    /// At least 10 characters, not a common password.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

impl Validate for CompleteReset {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("token", &self.token, 1, 200);
        e.0.extend(crate::auth::password::check_strength(
            "password",
            &self.password,
            None,
        ));
        e.finish()
    }
}

/// The same answer whatever the address: nothing tells whether it has an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    #[schema(example = "accepted")]
    pub status: &'static str,
    pub detail: &'static str,
}

/// A new address for the account, confirmed with the password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmail {
    #[schema(example = "lea.martin@example.net", format = Email, max_length = 320)]
    pub new_email: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

impl Validate for ChangeEmail {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        if self.new_email.len() > 320
            || !crate::http::validate::is_plausible_email(self.new_email.trim())
        {
            e.add("new_email", "is not a valid e-mail address");
        }
        if self.password.is_empty() || self.password.len() > 1_024 {
            e.add("password", "is required (at most 1024 bytes)");
        }
        e.finish()
    }
}
