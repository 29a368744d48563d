//! opsdeck's HTTP API: actix-web app, handlers, OpenAPI document and Swagger UI.

mod audit_trail;
mod auth;
mod body_limit;
pub mod config;
pub mod contract;
mod csv_body;
pub mod extract;
mod idempotency;
pub mod metrics;
pub mod open_streams;
pub mod openapi;
pub mod probes;
pub mod problem;
mod refusal_digest;
mod request_id;
mod route;
mod routes;
mod security_headers;
mod spa;
pub mod startup;
pub mod state;

pub use probes::ProbeServer;
pub use startup::{Application, StartError};
