//! Filter query strings of the list endpoints through the contract checks: field errors or
//! none, never a panic.
#![no_main]

use std::sync::LazyLock;

use actix_web::http::Method;
use libfuzzer_sys::fuzz_target;
use opsdeck_api::contract::Contract;

// A document that does not compile stops the server too: here it stops the run at once.
static CONTRACT: LazyLock<Contract> =
    LazyLock::new(|| Contract::new(&opsdeck_api::openapi::document()).expect("the OpenAPI document compiles"));

const LISTS: &[&str] = &[
    "/api/v1/orders",
    "/api/v1/products",
    "/api/v1/customers",
    "/api/v1/comments",
    "/api/v1/audit-logs",
    "/api/v1/audit-logs/export",
    "/api/v1/export-jobs",
    "/api/v1/bulk-jobs",
    "/api/v1/webhook-events",
    "/api/v1/kpis/daily",
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, query)) = data.split_first() else { return };
    let Ok(query) = std::str::from_utf8(query) else { return };
    let pattern = LISTS[usize::from(*selector) % LISTS.len()];
    for error in CONTRACT.check_query_string(&Method::GET, pattern, query) {
        assert!(!error.field.is_empty());
    }
});
