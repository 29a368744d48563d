//! argon2id password hashing.

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};
use rand::{Rng, distr::Alphanumeric};

use crate::DomainError;

pub const MIN_PASSWORD_LENGTH: usize = 12;
pub const MAX_PASSWORD_LENGTH: usize = 256;

pub fn hash_password(password: &str) -> Result<String, DomainError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| DomainError::Internal(format!("password salt encoding failed: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
}

/// Constant-time verification; a malformed stored hash never matches.
pub fn verify_password(stored_hash: &str, candidate: &str) -> bool {
    PasswordHash::new(stored_hash)
        .is_ok_and(|hash| Argon2::default().verify_password(candidate.as_bytes(), &hash).is_ok())
}

pub fn validate_new_password(password: &str) -> Result<(), DomainError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LENGTH {
        return Err(DomainError::invalid_field(
            "password",
            format!("must have at least {MIN_PASSWORD_LENGTH} characters"),
        ));
    }
    if length > MAX_PASSWORD_LENGTH {
        return Err(DomainError::invalid_field(
            "password",
            format!("must have at most {MAX_PASSWORD_LENGTH} characters"),
        ));
    }
    Ok(())
}

/// A random password for a new account, shown to the operator once.
pub fn generate_password() -> String {
    rand::rng().sample_iter(&Alphanumeric).take(24).map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() -> Result<(), DomainError> {
        let hash = hash_password("correct horse battery")?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse battery!"));
        assert!(!verify_password("not a hash", "anything"));
        Ok(())
    }

    #[test]
    fn generated_passwords_are_long_enough() {
        assert!(validate_new_password(&generate_password()).is_ok());
        assert!(validate_new_password("short").is_err());
    }
}
