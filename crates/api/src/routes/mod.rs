//! Every route of the API, one module per resource. Registering a handler here through
//! `.service(...)` also documents it in the OpenAPI document.

use utoipa_actix_web::{scope, service_config::ServiceConfig};

pub mod health;

/// Operational endpoints at the root.
pub fn ops(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz).service(health::readyz).service(health::metrics);
}

/// The versioned JSON API.
pub fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(scope("/api/v1"));
}
