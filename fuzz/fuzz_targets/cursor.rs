//! Pagination cursors and page requests: arbitrary text is a cursor that round-trips, or a
//! refusal; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsdeck_domain::pagination::{PageRequest, decode_cursor, encode_cursor};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(id) = decode_cursor(text) {
        assert!(id > 0);
        assert_eq!(encode_cursor(id), text);
    }
    let limit = data.first().map(|b| u64::from(*b) * 3);
    if let Ok(request) = PageRequest::new(limit, Some(text)) {
        assert!((1..=500).contains(&request.limit));
    }
});
