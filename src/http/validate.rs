//! Validation lives with the request types: each implements [`Validate`],
//! and the [`crate::http::Json`] extractor runs it before a handler sees the value.

use crate::error::FieldError;

pub trait Validate {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Collects field errors; `finish` turns them into the extractor's result.
#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Text between `min` and `max` characters, of which at least `min` can
    /// be seen: white space and invisible characters (zero-width spaces,
    /// bidirectional controls…) do not count towards the minimum.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let len = crate::text::visible_len(value);
        if len < min {
            if min == 1 {
                self.add(field, "must not be empty");
            } else {
                self.add(field, format!("must be at least {min} characters"));
            }
        } else if value.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            self.add(field, "must not contain control characters");
        }
    }

    pub fn opt_text(&mut self, field: &str, value: Option<&str>, min: usize, max: usize) {
        if let Some(v) = value {
            self.text(field, v, min, max);
        }
    }

    /// Lower-case letters, digits and single hyphens; not only digits, so
    /// that a slug can never be mistaken for an id.
    pub fn slug(&mut self, field: &str, value: &str) {
        if !is_valid_slug(value) {
            self.add(
                field,
                "must be 1–120 lower-case letters, digits and single hyphens, not only digits",
            );
        }
    }

    /// An absolute `https` URL (or `http` when `allow_http`).
    pub fn url(&mut self, field: &str, value: &str, allow_http: bool) {
        let ok = (value.starts_with("https://") || (allow_http && value.starts_with("http://")))
            && value.len() <= 2_000
            && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            && value.split("://").nth(1).is_some_and(|rest| {
                let host = rest.split(['/', '?', '#']).next().unwrap_or("");
                !host.is_empty() && !host.contains('@')
            });
        if !ok {
            self.add(
                field,
                if allow_http {
                    "must be an absolute http(s) URL"
                } else {
                    "must be an absolute https URL"
                },
            );
        }
    }

    /// Postal codes of any country: 3–10 letters, digits, spaces or hyphens
    /// (surrounding white space ignored).
    pub fn postal_code(&mut self, field: &str, code: &str) {
        let code = code.trim();
        if !(3..=10).contains(&code.len())
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        {
            self.add(
                field,
                "must be a postal code (3–10 letters, digits, spaces or hyphens)",
            );
        }
    }

    /// An ISO 4217 code: three capital letters.
    pub fn currency(&mut self, field: &str, code: &str) {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            self.add(field, "must be an ISO 4217 currency code such as EUR");
        }
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

pub fn is_valid_slug(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 120
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-')
        && !value.contains("--")
        && !value.bytes().all(|b| b.is_ascii_digit())
}

/// A plausible e-mail address: one `@`, something before, a dotted domain after.
pub fn is_plausible_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && domain.len() <= 253
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: Errors) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn postal_codes_of_any_country() {
        let mut e = Errors::new();
        for ok in ["29000", " 29120 ", "SW1A 1AA", "1010-ab"] {
            e.postal_code("ok", ok);
        }
        for bad in ["29", "  29  ", "12345678901", "75_001", "750 01é"] {
            e.postal_code(bad, bad);
        }
        assert_eq!(
            fields(e),
            ["29", "  29  ", "12345678901", "75_001", "750 01é"]
        );
    }

    #[test]
    fn currencies_are_three_capitals() {
        let mut e = Errors::new();
        e.currency("ok", "EUR");
        for bad in ["eur", "EURO", "E1R", ""] {
            e.currency(bad, bad);
        }
        assert_eq!(fields(e), ["eur", "EURO", "E1R", ""]);
    }
}
