//! argon2id password hashing.

use std::sync::LazyLock;

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};
use rand::{RngExt, distr::Alphanumeric};
use tokio::sync::Semaphore;

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

/// One argon2 check takes a core for tens of milliseconds and 19 MiB: at most one per core runs
/// at a time, so a burst of logins queues here instead of starving the async workers or memory.
static CHECKS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from)));

/// Whether `candidate` matches `stored_hash`, checked on the blocking pool behind [`CHECKS`].
pub async fn check_password(stored_hash: String, candidate: String) -> Result<bool, DomainError> {
    let _permit = CHECKS.acquire().await.map_err(|e| DomainError::Internal(format!("password check: {e}")))?;
    tokio::task::spawn_blocking(move || verify_password(&stored_hash, &candidate))
        .await
        .map_err(|e| DomainError::Internal(format!("password check: {e}")))
}

/// Constant-time verification; a malformed stored hash never matches.
fn verify_password(stored_hash: &str, candidate: &str) -> bool {
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
