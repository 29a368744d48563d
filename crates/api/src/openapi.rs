//! The OpenAPI document: generated from the routes, never written by hand.

use actix_web::App;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_actix_web::AppExt;

use crate::{problem::Problem, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "opsdeck",
        description = "Operations console of a multi-tenant platform. Every operation names the permission it \
                       needs in `x-permission`; errors are `application/problem+json` (RFC 9457).",
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem)),
    tags(
        (name = "auth", description = "Sign-in, sessions, the caller, two-factor authentication"),
        (name = "tokens", description = "Integrator tokens"),
        (name = "admin", description = "Tenants, users and roles (superadmins)"),
        (name = "catalog", description = "The tenants' shops, products, orders, customers, articles and comments"),
        (name = "audit", description = "The audit log: search and CSV export"),
        (name = "dashboard", description = "The ops dashboard in one call"),
        (name = "kpis", description = "Daily KPIs per tenant and platform-wide"),
        (name = "exports", description = "CSV export jobs: create, follow, retry, download"),
        (name = "bulk", description = "Bulk jobs: preview, confirm, follow, cancel, report and retry failed rows"),
        (name = "events", description = "Live job progress over Server-Sent Events"),
        (name = "webhooks", description = "Inbound provider events (Standard Webhooks): receive, follow, reprocess"),
        (name = "ops", description = "Health, readiness and metrics"),
    ),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        api.components.get_or_insert_with(Default::default).add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An access JWT from /api/v1/auth/login, or an integrator token (odk_...)"))
                    .build(),
            ),
        );
    }
}

/// The base document (info, security schemes) that routes are added to.
pub fn base() -> utoipa::openapi::OpenApi {
    let mut api = ApiDoc::openapi();
    api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    api
}

/// The complete document, built without starting a server (for `opsdeck openapi`).
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) =
        App::new().into_utoipa_app().openapi(base()).configure(routes::ops).configure(routes::api_v1).split_for_parts();
    api
}
