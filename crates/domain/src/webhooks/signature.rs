//! Standard Webhooks signatures (<https://www.standardwebhooks.com>), as pure functions.
//!
//! A delivery carries `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`:
//! space-separated `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` entries, one per
//! secret the sender currently signs with, so secrets rotate without a gap. The key is the
//! base64 part of a `whsec_<base64>` secret; any configured secret may match any entry.
//! Nothing here touches a database or a clock, so it can be tested (and fuzzed) in isolation.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const SECRET_PREFIX: &str = "whsec_";
/// `webhook_events.event_id` holds this many characters.
const MAX_ID_LENGTH: usize = 255;
/// Bytes of an HMAC-SHA256 tag.
const TAG_LENGTH: usize = 32;
/// More entries than any rotation needs; bounds the work a forged header can cause.
const MAX_SIGNATURES: usize = 16;

/// A signing key, kept as the keyed HMAC state it always starts from. Never reaches a log.
#[derive(Clone)]
pub struct Secret(Hmac<Sha256>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// Parses `whsec_<base64>`.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let encoded = text.strip_prefix(SECRET_PREFIX).ok_or("a secret starts with `whsec_`")?;
        let invalid = "the part after `whsec_` must be standard base64 of at least one byte";
        let key = STANDARD.decode(encoded).ok().filter(|key| !key.is_empty()).ok_or(invalid)?;
        <Hmac<Sha256> as KeyInit>::new_from_slice(&key).map(Self).map_err(|_| invalid)
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.0.clone();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

/// The three headers as received (`None` when absent or not ASCII text).
#[derive(Clone, Copy, Debug)]
pub struct Headers<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

/// A delivery whose signature verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verified<'a> {
    pub id: &'a str,
    pub timestamp: i64,
}

/// Why a delivery is refused. The texts are safe to show the sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the `{0}` header is missing")]
    MissingHeader(&'static str),
    #[error("`webhook-id` must be 1-255 visible ASCII characters")]
    MalformedId,
    #[error("`webhook-timestamp` must be unix seconds")]
    MalformedTimestamp,
    #[error("`webhook-timestamp` is too old (outside the tolerance window)")]
    StaleTimestamp,
    #[error("`webhook-timestamp` is in the future (outside the tolerance window)")]
    FutureTimestamp,
    #[error("`webhook-signature` holds no `v1,<base64>` entry (at most 16 entries)")]
    MalformedSignature,
    #[error("no signature matches a secret configured for this provider")]
    NoMatch,
}

fn visible_ascii(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_graphic())
}

/// Checks the headers, the timestamp against `now` (unix seconds) within `tolerance`, and the
/// signatures against every secret, comparing in constant time.
pub fn verify<'a>(
    secrets: &[Secret],
    headers: Headers<'a>,
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> Result<Verified<'a>, Rejection> {
    let id = headers.id.ok_or(Rejection::MissingHeader("webhook-id"))?;
    let raw_timestamp = headers.timestamp.ok_or(Rejection::MissingHeader("webhook-timestamp"))?;
    let signature = headers.signature.ok_or(Rejection::MissingHeader("webhook-signature"))?;
    if id.is_empty() || id.len() > MAX_ID_LENGTH || !visible_ascii(id) {
        return Err(Rejection::MalformedId);
    }
    // Digits only, as senders write it; the signature covers the header's text as sent.
    if raw_timestamp.is_empty() || raw_timestamp.len() > 18 || !raw_timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rejection::MalformedTimestamp);
    }
    let timestamp: i64 = raw_timestamp.parse().map_err(|_| Rejection::MalformedTimestamp)?;
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if timestamp < now.saturating_sub(tolerance) {
        return Err(Rejection::StaleTimestamp);
    }
    if timestamp > now.saturating_add(tolerance) {
        return Err(Rejection::FutureTimestamp);
    }
    let entries: Vec<&str> = signature.split_ascii_whitespace().collect();
    if entries.len() > MAX_SIGNATURES {
        return Err(Rejection::MalformedSignature);
    }
    // Entries of other versions (or garbled ones) are skipped, as the specification asks.
    let tags: Vec<Vec<u8>> = entries
        .iter()
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|encoded| STANDARD.decode(encoded).ok())
        .filter(|tag| tag.len() == TAG_LENGTH)
        .collect();
    if tags.is_empty() {
        return Err(Rejection::MalformedSignature);
    }
    let matches = secrets.iter().any(|secret| {
        let mac = secret.mac(id, raw_timestamp, body);
        tags.iter().any(|tag| mac.clone().verify_slice(tag).is_ok())
    });
    if matches { Ok(Verified { id, timestamp }) } else { Err(Rejection::NoMatch) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;
    const TOLERANCE: Duration = Duration::from_secs(300);
    const BODY: &[u8] = br#"{"type":"order.paid","timestamp":"2023-11-14T22:13:20Z","data":{}}"#;

    fn secret(text: &str) -> Secret {
        Secret::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// The `v1,<base64>` entry a sender holding `secret` writes.
    fn sign(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = secret.mac(id, &timestamp.to_string(), body).finalize().into_bytes();
        format!("v1,{}", STANDARD.encode(tag))
    }

    fn old() -> Secret {
        secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    }

    fn new() -> Secret {
        secret("whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24=")
    }

    fn check(secrets: &[Secret], id: &str, timestamp: &str, signature: &str, body: &[u8]) -> Result<i64, Rejection> {
        let headers = Headers { id: Some(id), timestamp: Some(timestamp), signature: Some(signature) };
        verify(secrets, headers, body, NOW, TOLERANCE).map(|v| v.timestamp)
    }

    #[test]
    fn a_correct_signature_verifies() {
        let signature = sign(&old(), "msg_1", NOW, BODY);
        assert_eq!(check(&[old()], "msg_1", &NOW.to_string(), &signature, BODY), Ok(NOW));
    }

    #[test]
    fn the_reference_vector_of_the_specification_verifies() {
        // From the Standard Webhooks reference libraries' tests.
        let body = br#"{"test": 2432232314}"#;
        let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        let headers = Headers {
            id: Some("msg_p5jXN8AQM9LWM0D4loKWxJek"),
            timestamp: Some("1614265330"),
            signature: Some(signature),
        };
        assert!(verify(&[old()], headers, body, 1_614_265_330, TOLERANCE).is_ok());
    }

    #[test]
    fn during_rotation_either_secret_verifies() {
        let both = [old(), new()];
        for signer in [old(), new()] {
            let signature = sign(&signer, "msg_1", NOW, BODY);
            assert!(check(&both, "msg_1", &NOW.to_string(), &signature, BODY).is_ok());
        }
    }

    #[test]
    fn one_matching_entry_among_several_is_enough() {
        let signature = format!("v1a,AAAA v1,bm9wZQ== garbage {}", sign(&new(), "msg_1", NOW, BODY));
        assert!(check(&[new()], "msg_1", &NOW.to_string(), &signature, BODY).is_ok());
    }

    #[test]
    fn a_tampered_body_id_or_timestamp_fails() {
        let signature = sign(&old(), "msg_1", NOW, BODY);
        let tampered = br#"{"type":"order.paid","timestamp":"2023-11-14T22:13:20Z","data":{"x":1}}"#;
        assert_eq!(check(&[old()], "msg_1", &NOW.to_string(), &signature, tampered), Err(Rejection::NoMatch));
        assert_eq!(check(&[old()], "msg_2", &NOW.to_string(), &signature, BODY), Err(Rejection::NoMatch));
        assert_eq!(check(&[old()], "msg_1", &(NOW + 1).to_string(), &signature, BODY), Err(Rejection::NoMatch));
    }

    #[test]
    fn a_wrong_secret_fails() {
        let signature = sign(&new(), "msg_1", NOW, BODY);
        assert_eq!(check(&[old()], "msg_1", &NOW.to_string(), &signature, BODY), Err(Rejection::NoMatch));
        assert_eq!(check(&[], "msg_1", &NOW.to_string(), &signature, BODY), Err(Rejection::NoMatch));
    }

    #[test]
    fn timestamps_outside_the_window_fail_even_when_signed() {
        for (at, expected) in [(NOW - 301, Rejection::StaleTimestamp), (NOW + 301, Rejection::FutureTimestamp)] {
            let signature = sign(&old(), "msg_1", at, BODY);
            assert_eq!(check(&[old()], "msg_1", &at.to_string(), &signature, BODY), Err(expected));
        }
        for at in [NOW - 300, NOW + 300] {
            let signature = sign(&old(), "msg_1", at, BODY);
            assert!(check(&[old()], "msg_1", &at.to_string(), &signature, BODY).is_ok(), "{at}");
        }
    }

    #[test]
    fn malformed_headers_are_refused() {
        let good = sign(&old(), "msg_1", NOW, BODY);
        let now = NOW.to_string();
        assert_eq!(check(&[old()], "", &now, &good, BODY), Err(Rejection::MalformedId));
        assert_eq!(check(&[old()], "msg 1", &now, &good, BODY), Err(Rejection::MalformedId));
        assert_eq!(check(&[old()], &"x".repeat(256), &now, &good, BODY), Err(Rejection::MalformedId));
        for timestamp in ["", "-5", "+1700000000", "1.7e9", "1700000000 ", "99999999999999999999"] {
            assert_eq!(check(&[old()], "msg_1", timestamp, &good, BODY), Err(Rejection::MalformedTimestamp));
        }
        for signature in ["", "v1,", "v1,***", "v2,abcd", "abcd", &format!("{good} ").repeat(17)] {
            assert_eq!(
                check(&[old()], "msg_1", &now, signature, BODY),
                Err(Rejection::MalformedSignature),
                "{signature:?}"
            );
        }
    }

    #[test]
    fn missing_headers_are_named() {
        let full = Headers { id: Some("msg_1"), timestamp: Some("1"), signature: Some("v1,AAAA") };
        for (headers, name) in [
            (Headers { id: None, ..full }, "webhook-id"),
            (Headers { timestamp: None, ..full }, "webhook-timestamp"),
            (Headers { signature: None, ..full }, "webhook-signature"),
        ] {
            assert_eq!(verify(&[old()], headers, BODY, NOW, TOLERANCE), Err(Rejection::MissingHeader(name)));
        }
    }

    #[test]
    fn secrets_must_be_whsec_base64() {
        assert!(Secret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(Secret::parse("whsec_").is_err());
        assert!(Secret::parse("whsec_not base64!").is_err());
        assert!(Secret::parse("whsec_b2xk").is_ok());
        assert_eq!(format!("{:?}", old()), "Secret(..)");
    }
}
