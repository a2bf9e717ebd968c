//! Passwords: argon2id hashes, a strength check, and a decoy hash so that a
//! login for an unknown address costs the same time as a wrong password.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::error::{AppError, FieldError};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 256;

pub struct Passwords {
    argon: Argon2<'static>,
    decoy: String,
}

impl Passwords {
    pub fn new(memory_kib: u32, iterations: u32) -> Self {
        let params = Params::new(memory_kib.max(8), iterations.max(1), 1, None)
            .expect("argon2 parameters are checked by the configuration");
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let decoy = argon
            .hash_password(b"decoy password, never matches")
            .expect("hashing a constant succeeds")
            .to_string();
        Self { argon, decoy }
    }

    pub fn hash(&self, password: &str) -> Result<String, AppError> {
        self.argon
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(format!("argon2: {e}")))
    }

    /// Checks a password against a stored hash; with `None`, against the decoy,
    /// so the time spent does not tell whether the account exists.
    pub fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let target = hash.unwrap_or(&self.decoy);
        let ok = self
            .argon
            .verify_password(password.as_bytes(), target)
            .is_ok();
        ok && hash.is_some()
    }
}

/// The rules a new password must meet, as field errors.
pub fn check_strength(field: &str, password: &str, email: Option<&str>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let len = password.chars().count();
    if len < MIN_LEN {
        errors.push(FieldError::new(
            field,
            format!("must be at least {MIN_LEN} characters"),
        ));
    } else if len > MAX_LEN {
        errors.push(FieldError::new(
            field,
            format!("must be at most {MAX_LEN} characters"),
        ));
    } else {
        let distinct = {
            let mut chars: Vec<char> = password.chars().collect();
            chars.sort_unstable();
            chars.dedup();
            chars.len()
        };
        let lower = password.to_lowercase();
        if distinct < 4 {
            errors.push(FieldError::new(field, "is too repetitive"));
        } else if COMMON.iter().any(|c| lower.contains(c)) && len < 16 {
            errors.push(FieldError::new(field, "is too common"));
        } else if email.is_some_and(|e| {
            let local = e.split('@').next().unwrap_or(e).to_lowercase();
            local.len() >= 4 && lower.contains(&local)
        }) {
            errors.push(FieldError::new(
                field,
                "must not contain the e-mail address",
            ));
        }
    }
    errors
}

const COMMON: [&str; 12] = [
    "password",
    "motdepasse",
    "azerty",
    "qwerty",
    "123456",
    "abcdef",
    "letmein",
    "welcome",
    "bonjour",
    "soleil",
    "iloveyou",
    "admin",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_decoy_never_matches() {
        let p = Passwords::new(64, 1);
        let h = p.hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(p.verify("correct horse battery", Some(&h)));
        assert!(!p.verify("wrong horse battery", Some(&h)));
        assert!(!p.verify("decoy password, never matches", None));
    }

    #[test]
    fn weak_passwords_are_named() {
        assert!(!check_strength("password", "short", None).is_empty());
        assert!(!check_strength("password", "aaaaaaaaaaaa", None).is_empty());
        assert!(!check_strength("password", "monpassword1", None).is_empty());
        assert!(
            !check_strength("password", "jeanne.dupont99", Some("jeanne.dupont@x.fr")).is_empty()
        );
        assert!(check_strength("password", "Tr0mpette-du-Lundi", Some("a@b.fr")).is_empty());
    }
}
