//! Export filter definitions as stored and read back: any JSON is a filter set that
//! round-trips, or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsdeck_domain::exports::ExportFilters;

fuzz_target!(|data: &[u8]| {
    if let Ok(filters) = serde_json::from_slice::<ExportFilters>(data) {
        let stored = serde_json::to_string(&filters).unwrap_or_default();
        assert_eq!(serde_json::from_str::<ExportFilters>(&stored).ok(), Some(filters));
    }
});
