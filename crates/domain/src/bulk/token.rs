//! Confirmation tokens: what a preview hands out and a confirmation must bring back.
//!
//! Stateless: `bct1.<payload>.<mac>`, where the payload (base64url JSON) names the caller, the
//! action, the SHA-256 of the canonical parameters and target, the tenant scope and an expiry,
//! and the mac is HMAC-SHA256 over the payload text with a key derived from the JWT signing key
//! (`KeyRing::derive_key("bulk-confirmation")`), so any API instance verifies any other's
//! tokens and nothing is stored until the job exists. A token is spent by its job: the job row
//! keeps the token's SHA-256 under a unique constraint.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{
    DomainError,
    auth::secrets::{random_id, sha256_hex},
};

const PREFIX: &str = "bct1";
/// What `KeyRing::derive_key` is asked for.
pub const KEY_PURPOSE: &str = "opsdeck/bulk-confirmation/v1";
/// How long a preview's token stays good.
pub const TOKEN_TTL: chrono::Duration = chrono::Duration::minutes(10);

/// The key that signs and verifies confirmation tokens.
#[derive(Clone)]
pub struct ConfirmationKey([u8; 32]);

impl ConfirmationKey {
    pub fn new(key: [u8; 32]) -> Self {
        Self(key)
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }
}

/// What a token vouches for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// `user:<id>` or `token:<id>`.
    pub actor: String,
    /// The scope the preview ran in: one tenant, or `None` for all.
    pub tenant_id: Option<i64>,
    pub action: String,
    /// SHA-256 of the canonical parameters and target JSON.
    pub params_sha256: String,
    pub target_sha256: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// Makes every token unique, so two previews of one request never share a token (a token
    /// is spent by the job it starts).
    pub nonce: String,
}

impl Claims {
    pub fn new(actor: String, tenant_id: Option<i64>, action: &str, params: &str, target: &str) -> Self {
        Self {
            actor,
            tenant_id,
            action: action.to_owned(),
            params_sha256: sha256_hex(params),
            target_sha256: sha256_hex(target),
            expires_at: 0,
            nonce: String::new(),
        }
    }
}

/// Signs `claims`, valid until `expires_at`.
pub fn issue(key: &ConfirmationKey, mut claims: Claims, expires_at: DateTime<Utc>) -> String {
    claims.expires_at = expires_at.timestamp();
    claims.nonce = random_id();
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
    let mut mac = key.mac();
    mac.update(payload.as_bytes());
    format!("{PREFIX}.{payload}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

fn invalid() -> DomainError {
    DomainError::invalid(
        "confirmation_token_invalid",
        "the confirmation token is not one this server issued (altered or truncated); preview again",
    )
}

/// Checks the signature and expiry of `token` and compares it with `expected` (the same claims
/// recomputed from the confirmation request). Each failure has its own code.
pub fn verify(key: &ConfirmationKey, token: &str, expected: &Claims, now: DateTime<Utc>) -> Result<(), DomainError> {
    let mut parts = token.trim().split('.');
    let (Some(PREFIX), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| invalid())?;
    let mut mac = key.mac();
    mac.update(payload.as_bytes());
    mac.verify_slice(&signature).map_err(|_| invalid())?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
    let claims: Claims = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if claims.expires_at < now.timestamp() {
        return Err(DomainError::invalid(
            "confirmation_token_expired",
            "the confirmation token has expired (tokens last 10 minutes); preview again",
        ));
    }
    let mismatch = |what: &str| {
        DomainError::invalid(
            "confirmation_token_mismatch",
            format!("the confirmation token was issued for a different {what}; preview what you mean to run"),
        )
    };
    if claims.actor != expected.actor {
        return Err(mismatch("caller"));
    }
    if claims.tenant_id != expected.tenant_id {
        return Err(mismatch("tenant"));
    }
    if claims.action != expected.action {
        return Err(mismatch("action"));
    }
    if claims.params_sha256 != expected.params_sha256 {
        return Err(mismatch("set of parameters"));
    }
    if claims.target_sha256 != expected.target_sha256 {
        return Err(mismatch("target"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims::new("user:1".into(), Some(2), "product.price_change", r#"{"percent":-10}"#, r#"{"ids":[1,2]}"#)
    }

    fn code(result: Result<(), DomainError>) -> &'static str {
        match result {
            Ok(()) => "ok",
            Err(DomainError::Invalid { code, .. }) => code,
            Err(_) => "other",
        }
    }

    #[test]
    fn a_token_verifies_for_exactly_what_it_was_issued_for() {
        let key = ConfirmationKey::new([7; 32]);
        let now = Utc::now();
        let token = issue(&key, claims(), now + TOKEN_TTL);
        assert_eq!(code(verify(&key, &token, &claims(), now)), "ok");

        let other = Claims { actor: "user:9".into(), ..claims() };
        assert_eq!(code(verify(&key, &token, &other, now)), "confirmation_token_mismatch");
        let other_params =
            Claims::new("user:1".into(), Some(2), "product.price_change", r#"{"percent":-20}"#, r#"{"ids":[1,2]}"#);
        assert_eq!(code(verify(&key, &token, &other_params, now)), "confirmation_token_mismatch");
        assert_eq!(
            code(verify(&key, &token, &claims(), now + TOKEN_TTL + chrono::Duration::seconds(2))),
            "confirmation_token_expired"
        );
        assert_eq!(code(verify(&ConfirmationKey::new([8; 32]), &token, &claims(), now)), "confirmation_token_invalid");
    }

    #[test]
    fn two_tokens_for_one_request_differ() {
        let key = ConfirmationKey::new([7; 32]);
        let expires_at = Utc::now() + TOKEN_TTL;
        assert_ne!(issue(&key, claims(), expires_at), issue(&key, claims(), expires_at));
    }

    #[test]
    fn an_altered_token_is_invalid() {
        let key = ConfirmationKey::new([7; 32]);
        let now = Utc::now();
        let token = issue(&key, claims(), now + TOKEN_TTL);
        // A forged payload (a later expiry) under the old signature.
        let parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&Claims { expires_at: i64::MAX, ..claims() }).unwrap_or_default());
        let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);
        assert_eq!(code(verify(&key, &tampered, &claims(), now)), "confirmation_token_invalid");
        for garbage in ["", "bct1", "bct1..", "x.y.z", &format!("{token}.extra")] {
            assert_eq!(code(verify(&key, garbage, &claims(), now)), "confirmation_token_invalid", "{garbage}");
        }
    }
}
