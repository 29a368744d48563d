//! Property tests of the parsers that face the outside: the Standard Webhooks signature
//! headers, pagination cursors, access tokens (JWT) and export filter definitions. Bounded
//! (a fixed number of cases, a fixed seed) so they run in every `cargo nextest` run; the
//! cargo-fuzz targets in `fuzz/` run the same parsers for as long as one likes.

use std::{path::Path, time::Duration};

use base64::{Engine, engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD};
use opsdeck_domain::{
    auth::jwt::KeyRing,
    config::Settings,
    exports::ExportFilters,
    pagination::{self, PageRequest},
    webhooks::signature::{self, Headers, Rejection, Secret},
};
use proptest::{
    prelude::*,
    test_runner::{Config, RngSeed},
};

fn config() -> Config {
    Config { cases: 256, failure_persistence: None, rng_seed: RngSeed::Fixed(0x00b5_dec4), ..Config::default() }
}

const NOW: i64 = 1_700_000_000;
const TOLERANCE: Duration = Duration::from_secs(300);

fn secret() -> Secret {
    Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_or_else(|e| panic!("{e}"))
}

/// What a sender holding the secret writes (computed independently of the verifier).
fn sign(id: &str, timestamp: &str, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let key = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_or_default();
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key).unwrap_or_else(|_| unreachable!());
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

fn ring() -> KeyRing {
    let vars = [("OPSDECK_JWT_SIGNING_KEY", "property-test-key-0123456789abcdef0123"), ("OPSDECK_JWT_KEY_ID", "k1")];
    let settings = Settings::from_vars(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
        .unwrap_or_else(|e| panic!("{e}"));
    KeyRing::load(&settings.auth, Path::new("/nonexistent")).unwrap_or_else(|e| panic!("{e}"))
}

proptest! {
    #![proptest_config(config())]

    /// Any three header values and body: an answer, never a panic; and only a delivery signed
    /// with the secret, inside the window, verifies.
    #[test]
    fn signature_headers_never_panic_and_only_signed_deliveries_verify(
        id in proptest::option::of(".{0,300}"),
        timestamp in proptest::option::of(prop_oneof![Just(NOW.to_string()), "[0-9+ .e-]{0,25}", ".{0,30}"]),
        signature in proptest::option::of(prop_oneof![".{0,200}", "(v1,[A-Za-z0-9+/=]{0,60} ?){0,20}"]),
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let headers = Headers { id: id.as_deref(), timestamp: timestamp.as_deref(), signature: signature.as_deref() };
        if let Ok(verified) = signature::verify(&[secret()], headers, &body, NOW, TOLERANCE) {
            // Only possible if the sender had the secret: the entry must be the real tag.
            let (id, timestamp) = (id.as_deref().unwrap_or_default(), timestamp.as_deref().unwrap_or_default());
            let expected = sign(id, timestamp, &body);
            prop_assert!(signature.as_deref().unwrap_or_default().split_ascii_whitespace().any(|entry| entry == expected));
            prop_assert!((verified.timestamp - NOW).abs() <= 300);
        }
    }

    /// A correctly signed delivery verifies; changing any byte of the body breaks it.
    #[test]
    fn a_signed_delivery_verifies_and_any_tampering_is_caught(
        id in "[!-~]{1,255}",
        skew in -300i64..=300,
        body in proptest::collection::vec(any::<u8>(), 1..512),
        flip in any::<prop::sample::Index>(),
        noise in "(v1a?,[A-Za-z0-9+/]{0,8} ){0,5}",
    ) {
        let timestamp = (NOW + skew).to_string();
        let header = format!("{noise}{}", sign(&id, &timestamp, &body));
        let headers = Headers { id: Some(&id), timestamp: Some(&timestamp), signature: Some(&header) };
        prop_assert!(signature::verify(&[secret()], headers, &body, NOW, TOLERANCE).is_ok());
        let mut tampered = body.clone();
        let at = flip.index(tampered.len());
        tampered[at] ^= 0x01;
        prop_assert_eq!(signature::verify(&[secret()], headers, &tampered, NOW, TOLERANCE), Err(Rejection::NoMatch));
    }

    /// Cursors round-trip for every id; anything else is a 422-kind refusal, never a panic.
    #[test]
    fn cursors_round_trip_and_garbage_is_refused(id in 1i64.., garbage in ".{0,100}", bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        prop_assert_eq!(pagination::decode_cursor(&pagination::encode_cursor(id)).ok(), Some(id));
        if let Ok(decoded) = pagination::decode_cursor(&garbage) {
            prop_assert_eq!(pagination::encode_cursor(decoded), garbage.clone());
        }
        let encoded = URL_SAFE_NO_PAD.encode(&bytes);
        if let Ok(decoded) = pagination::decode_cursor(&encoded) {
            prop_assert!(decoded > 0);
            prop_assert_eq!(bytes, format!("v1:{decoded}").into_bytes());
        }
        let request = PageRequest::new(Some(id.unsigned_abs()), Some(&garbage));
        if let Ok(request) = request {
            prop_assert!((1..=pagination::MAX_LIMIT).contains(&request.limit));
        }
    }

    /// Arbitrary bearer strings never verify and never panic; a token with any claim changed
    /// (a forged payload under the real header and signature) is refused.
    #[test]
    fn only_issued_access_tokens_verify(garbage in ".{0,400}", user in 1i64..1_000_000, other in 1i64..1_000_000) {
        let ring = ring();
        prop_assert!(ring.verify(&garbage).is_err());
        let token = ring.issue(user, "session").unwrap_or_default();
        prop_assert_eq!(ring.verify(&token).ok().map(|verified| verified.user_id), Some(user));
        let parts: Vec<&str> = token.split('.').collect();
        prop_assume!(parts.len() == 3 && user != other);
        let payload = URL_SAFE_NO_PAD.decode(parts[1]).unwrap_or_default();
        let forged = String::from_utf8_lossy(&payload).replace(&format!("\"{user}\""), &format!("\"{other}\""));
        let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(forged), parts[2]);
        prop_assert!(ring.verify(&forged).is_err());
    }

    /// Export filter definitions (stored as JSON, read back by the worker and the API) round-trip,
    /// and arbitrary JSON text is either a filter set or an error, never a panic.
    #[test]
    fn export_filters_round_trip(from in proptest::option::of(0i64..4_000_000_000), len in proptest::option::of(1i64..100_000_000), text in ".{0,200}") {
        let from_at = from.and_then(|s| chrono::DateTime::from_timestamp(s, 0));
        let to_at = from.zip(len).and_then(|(s, l)| chrono::DateTime::from_timestamp(s + l, 0));
        let filters = ExportFilters { status: None, from: from_at, to: to_at };
        let stored = serde_json::to_string(&filters).unwrap_or_default();
        prop_assert_eq!(serde_json::from_str::<ExportFilters>(&stored).ok(), Some(filters));
        let _ = serde_json::from_str::<ExportFilters>(&text);
    }
}
