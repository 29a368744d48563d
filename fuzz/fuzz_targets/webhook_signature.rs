//! Standard Webhooks verification: arbitrary header values and bodies. Never panics, and
//! nothing verifies without the secret (libFuzzer would have to forge an HMAC).
#![no_main]

use std::{sync::LazyLock, time::Duration};

use libfuzzer_sys::fuzz_target;
use opsdeck_domain::webhooks::signature::{Headers, Secret, verify};

static SECRET: LazyLock<Option<Secret>> = LazyLock::new(|| Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").ok());

fuzz_target!(|data: &[u8]| {
    // Three header values and the body, split at the first three newlines.
    let mut parts = data.splitn(4, |b| *b == b'\n');
    fn text(part: Option<&[u8]>) -> Option<&str> {
        part.and_then(|p| std::str::from_utf8(p).ok())
    }
    let (id, timestamp, signature) = (text(parts.next()), text(parts.next()), text(parts.next()));
    let body = parts.next().unwrap_or_default();
    let headers = Headers { id, timestamp, signature };
    let secrets: Vec<Secret> = SECRET.iter().cloned().collect();
    let now = timestamp.and_then(|t| t.parse::<i64>().ok()).unwrap_or(1_700_000_000);
    assert!(verify(&secrets, headers, body, now, Duration::from_secs(300)).is_err());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Secret::parse(text);
    }
});
