//! argon2id password hashing, and the policy every new password must pass.

use std::sync::LazyLock;

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};
use rand::{RngExt, distr::Alphanumeric};
use tokio::sync::Semaphore;
use zxcvbn::{Score, zxcvbn};

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

/// Who a new password is for: what it must not be guessable from.
pub struct PasswordOwner<'a> {
    pub username: &'a str,
    pub display_name: Option<&'a str>,
    pub email: Option<&'a str>,
}

impl PasswordOwner<'_> {
    /// What an attacker who knows the account would try first: its names, its address (and that
    /// address's local part) and the product's name.
    fn guessable_words(&self) -> Vec<&str> {
        let mut words = vec![self.username, PRODUCT_NAME];
        if let Some(display_name) = self.display_name {
            words.push(display_name);
            words.extend(display_name.split_whitespace());
        }
        if let Some(email) = self.email {
            words.push(email);
            words.extend(email.split_once('@').map(|(local, _)| local));
        }
        words
    }
}

const PRODUCT_NAME: &str = "opsdeck";

/// The lowest zxcvbn score accepted: 3 takes an estimated 10^8-10^10 guesses, "safely
/// unguessable" for an online attack on a throttled login.
pub const MIN_PASSWORD_SCORE: Score = Score::Three;

/// The password policy, for every new or changed password: 12-256 characters, neither the
/// username nor the product's name in it (case-insensitively), and a zxcvbn score of at least
/// [`MIN_PASSWORD_SCORE`] with the owner's names and address as known words. A refusal is a
/// field error on `field` with the reason and zxcvbn's suggestions.
pub fn validate_new_password(field: &str, password: &str, owner: &PasswordOwner<'_>) -> Result<(), DomainError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LENGTH {
        return Err(DomainError::invalid_field(field, format!("must have at least {MIN_PASSWORD_LENGTH} characters")));
    }
    if length > MAX_PASSWORD_LENGTH {
        return Err(DomainError::invalid_field(field, format!("must have at most {MAX_PASSWORD_LENGTH} characters")));
    }
    let lowercase = password.to_lowercase();
    for (name, whose) in [(owner.username, "your username"), (PRODUCT_NAME, "the product's name")] {
        if lowercase.contains(&name.to_lowercase()) {
            return Err(DomainError::invalid_field(
                field,
                format!("is too easy to guess: it contains {whose}. Leave it out."),
            ));
        }
    }
    let estimate = zxcvbn(password, &owner.guessable_words());
    if estimate.score() >= MIN_PASSWORD_SCORE {
        return Ok(());
    }
    let feedback = estimate.feedback();
    let reasons: Vec<String> = feedback
        .and_then(|feedback| feedback.warning())
        .map(|warning| warning.to_string())
        .into_iter()
        .chain(feedback.into_iter().flat_map(|feedback| feedback.suggestions()).map(ToString::to_string))
        .collect();
    let message = if reasons.is_empty() {
        "is too easy to guess".to_owned()
    } else {
        format!("is too easy to guess: {}", reasons.join(" "))
    };
    Err(DomainError::invalid_field(field, message))
}

/// A random password for a new account, shown to the operator once.
pub fn generate_password() -> String {
    rand::rng().sample_iter(&Alphanumeric).take(24).map(char::from).collect()
}

/// A random password that passes the policy for `owner`: drawn again in the rare case that it
/// happens to contain their username (a short one can turn up in 24 random characters).
pub fn generate_password_for(owner: &PasswordOwner<'_>) -> String {
    loop {
        let password = generate_password();
        if validate_new_password("password", &password, owner).is_ok() {
            return password;
        }
    }
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

    fn owner() -> PasswordOwner<'static> {
        PasswordOwner { username: "olivia", display_name: Some("Olivia Marsh"), email: Some("o.marsh@example.com") }
    }

    fn refusal(password: &str) -> String {
        match validate_new_password("password", password, &owner()) {
            Err(DomainError::Invalid { errors, .. }) => errors.iter().map(|e| e.message.clone()).collect(),
            other => format!("not refused: {other:?}"),
        }
    }

    #[test]
    fn generated_passwords_pass_the_policy() {
        for _ in 0..50 {
            assert!(validate_new_password("password", &generate_password(), &owner()).is_ok());
        }
        let short_username = PasswordOwner { username: "a1b", display_name: None, email: None };
        for _ in 0..50 {
            assert!(
                validate_new_password("password", &generate_password_for(&short_username), &short_username).is_ok()
            );
        }
    }

    #[test]
    fn lengths_outside_12_to_256_are_refused() {
        assert_eq!(refusal("short"), "must have at least 12 characters");
        assert_eq!(refusal(&"x".repeat(257)), "must have at most 256 characters");
    }

    #[test]
    fn a_common_password_is_refused_with_the_reason_and_suggestions() {
        assert_eq!(
            refusal("password1234"),
            "is too easy to guess: This is a very common password. Add another word or two. Uncommon words are better."
        );
        assert_eq!(
            refusal("123456789012"),
            "is too easy to guess: Sequences like abc or 6543 are easy to guess. \
             Add another word or two. Uncommon words are better. Avoid sequences."
        );
    }

    #[test]
    fn the_owners_names_and_the_products_name_make_a_password_weak() {
        assert_eq!(refusal("xx-OLIVIA-2024-xx"), "is too easy to guess: it contains your username. Leave it out.");
        assert_eq!(refusal("my-OpsDeck-login"), "is too easy to guess: it contains the product's name. Leave it out.");
        // Strong for a stranger, weak for someone who knows the owner's display name.
        let by_name = PasswordOwner { username: "omarsh", display_name: Some("Olivia Marsh"), email: None };
        let anonymous = PasswordOwner { username: "someone", display_name: None, email: None };
        assert!(validate_new_password("password", "Olivia Marsh 2024", &anonymous).is_ok());
        assert!(validate_new_password("password", "Olivia Marsh 2024", &by_name).is_err());
    }

    #[test]
    fn an_uncommon_passphrase_passes() {
        assert!(validate_new_password("password", "velvet-harbor-quiet-lantern", &owner()).is_ok());
    }
}
