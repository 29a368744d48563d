//! JSON request bodies through the contract checks of every operation that takes one: a value
//! or a 4xx refusal, never a panic or a 5xx.
#![no_main]

use std::sync::LazyLock;

use actix_web::{ResponseError, http::Method};
use libfuzzer_sys::fuzz_target;
use opsdeck_api::contract::Contract;

// A document that does not compile stops the server too: here it stops the run at once.
static CONTRACT: LazyLock<Contract> =
    LazyLock::new(|| Contract::new(&opsdeck_api::openapi::document()).expect("the OpenAPI document compiles"));

const OPERATIONS: &[(&str, &str)] = &[
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/tenants"),
    ("PATCH", "/api/v1/tenants/{id}"),
    ("POST", "/api/v1/users"),
    ("PATCH", "/api/v1/users/{id}"),
    ("POST", "/api/v1/tokens"),
    ("POST", "/api/v1/export-jobs"),
    ("POST", "/api/v1/export-jobs/retry"),
    ("POST", "/api/v1/bulk-jobs/preview"),
    ("POST", "/api/v1/bulk-jobs"),
    ("POST", "/api/v1/webhook-events/reprocess"),
    ("POST", "/api/v1/kpis/rebuild"),
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = data.split_first() else { return };
    let (method, pattern) = OPERATIONS[usize::from(*selector) % OPERATIONS.len()];
    let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::POST);
    if let Err(error) = CONTRACT.check_body(&method, pattern, body) {
        assert!(error.status_code().is_client_error(), "{error}");
    }
});
