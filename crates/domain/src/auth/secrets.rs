//! Random secrets and how they are stored (only as SHA-256 hashes).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// 32 random bytes, URL-safe base64 (43 characters).
pub fn random_secret() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// Secrets have 256 bits of entropy, so a fast hash suffices; a slow KDF would only slow
/// every authenticated request.
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// An opaque id for grouping refresh tokens.
pub fn random_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}
