//! Bearer access tokens: arbitrary text never verifies and never panics.
#![no_main]

use std::{path::Path, sync::LazyLock};

use libfuzzer_sys::fuzz_target;
use opsdeck_domain::{auth::jwt::KeyRing, config::Settings};

static RING: LazyLock<Option<KeyRing>> = LazyLock::new(|| {
    let vars = [("OPSDECK_JWT_SIGNING_KEY", "fuzz-signing-key-0123456789abcdef0123456"), ("OPSDECK_JWT_KEY_ID", "k1")];
    let settings = Settings::from_vars(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))).ok()?;
    KeyRing::load(&settings.auth, Path::new("/nonexistent")).ok()
});

fuzz_target!(|data: &[u8]| {
    let (Some(ring), Ok(token)) = (RING.as_ref(), std::str::from_utf8(data)) else { return };
    assert!(ring.verify(token).is_err());
});
