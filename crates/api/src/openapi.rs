//! The OpenAPI document: generated from the routes, never written by hand.

use actix_web::App;
use utoipa::{
    Modify, OpenApi,
    openapi::{
        Content, ObjectBuilder, Ref, RefOr, Required, Response, ResponseBuilder, Type,
        path::{Operation, ParameterBuilder, ParameterIn},
        security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme},
    },
};
use utoipa_actix_web::AppExt;

use opsdeck_domain::{access::Permission, idempotency};

use crate::{contract::MAX_JSON_DEPTH, idempotency::IDEMPOTENCY_KEY, problem::Problem, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "opsdeck",
        description = "Operations console of a multi-tenant platform. Every operation names the permission it \
                       needs in `x-permission`; errors are `application/problem+json` (RFC 9457).\n\n\
                       Every input is checked against this document (lengths, sizes, ranges, patterns, formats, \
                       unknown fields) and refused with `422 validation_failed`, field by field. Besides: a body \
                       is at most `OPSDECK_MAX_BODY_BYTES` (1 MiB by default; webhooks: \
                       `OPSDECK_WEBHOOK_MAX_BODY_BYTES`, 256 KiB), a JSON body is an object nested at most 32 \
                       levels deep, no string may contain a NUL character, and a page holds at most 500 items.",
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
    let (_, mut api) =
        App::new().into_utoipa_app().openapi(base()).configure(routes::ops).configure(routes::api_v1).split_for_parts();
    document_input_refusals(&mut api);
    document_access_refusals(&mut api);
    document_idempotency(&mut api);
    api
}

/// Operations that read their body as raw bytes (verified before parsing), not through
/// [`crate::extract::Json`].
const RAW_BODY_OPERATIONS: &[&str] = &["receive_webhook"];

fn problem(description: String) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", Content::new(Some(Ref::from_schema_name("Problem"))))
        .build()
        .into()
}

fn operations_mut(api: &mut utoipa::openapi::OpenApi) -> impl Iterator<Item = &mut Operation> {
    api.paths.paths.values_mut().flat_map(|item| {
        [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
    })
}

/// The refusals every operation shares because its caller goes through the same checks
/// ([`crate::auth`]): 401 wherever a bearer token is required, 403 there too (a partner of a
/// suspended tenant) and, wherever `x-permission` names a permission, for a missing one. An
/// operation that documents its own 401 or 403 keeps it.
fn document_access_refusals(api: &mut utoipa::openapi::OpenApi) {
    let bearer = SecurityRequirement::new("bearer", Vec::<String>::new());
    for operation in operations_mut(api) {
        let signed_in = operation.security.iter().flatten().any(|requirement| *requirement == bearer);
        let permission = operation
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("x-permission"))
            .and_then(|permission| permission.as_str())
            .is_some_and(|permission| Permission::from_name(permission).is_some());
        let responses = &mut operation.responses.responses;
        if signed_in {
            responses.entry("401".to_owned()).or_insert_with(|| problem("Not signed in".to_owned()));
        }
        if permission {
            responses.entry("403".to_owned()).or_insert_with(|| {
                problem(
                    "Missing permission (`forbidden`), a required MFA enrolment not done \
                     (`mfa_enrollment_required`), or the caller's tenant is suspended (`tenant_suspended`)"
                        .to_owned(),
                )
            });
        } else if signed_in {
            responses
                .entry("403".to_owned())
                .or_insert_with(|| problem("The caller's tenant is suspended (`tenant_suspended`)".to_owned()));
        }
    }
}

/// Every signed-in POST takes an optional `Idempotency-Key` ([`crate::idempotency`]), with the
/// refusals it adds.
fn document_idempotency(api: &mut utoipa::openapi::OpenApi) {
    let bearer = SecurityRequirement::new("bearer", Vec::<String>::new());
    let key = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(idempotency::MAX_KEY_LENGTH))
        .pattern(Some("^[!-~]+$"));
    let parameter = ParameterBuilder::new()
        .name(IDEMPOTENCY_KEY.as_str())
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes the request safe to repeat: its first outcome is kept for 24 hours per caller and key and \
             answered again to a repeat with the same body (with `Idempotent-Replayed: true`)",
        ))
        .schema(Some(key))
        .build();
    for item in api.paths.paths.values_mut() {
        let Some(operation) = item.post.as_mut() else { continue };
        if !operation.security.iter().flatten().any(|requirement| *requirement == bearer) {
            continue;
        }
        operation.parameters.get_or_insert_with(Vec::new).push(RefOr::T(parameter.clone()));
        let responses = &mut operation.responses.responses;
        let running = "a request with this Idempotency-Key is still running (`idempotency_key_in_use`)";
        match responses.entry("409".to_owned()).or_insert_with(|| problem(format!("Refused: {running}"))) {
            RefOr::T(response) if !response.description.contains("idempotency_key_in_use") => {
                response.description = format!("{}; or {running}", response.description);
            }
            _ => {}
        }
        let reuse = "this Idempotency-Key was used for a different request (`idempotency_key_reused`) or is not \
                     a valid key (`invalid_idempotency_key`)";
        match responses.entry("422".to_owned()).or_insert_with(|| problem(format!("Refused: {reuse}"))) {
            RefOr::T(response) if !response.description.contains("idempotency_key_reused") => {
                response.description = format!("{}; or {reuse}", response.description);
            }
            _ => {}
        }
    }
}

/// The refusals every operation shares because its input goes through the same extractors
/// ([`crate::extract`], [`crate::contract`], the body limit): documented here once, from the same constants.
fn document_input_refusals(api: &mut utoipa::openapi::OpenApi) {
    for operation in operations_mut(api) {
        let raw_body = operation.operation_id.as_deref().is_some_and(|id| RAW_BODY_OPERATIONS.contains(&id));
        let json_body = !raw_body
            && matches!(&operation.request_body, Some(RefOr::T(body)) if body.content.contains_key("application/json"));
        let query =
            operation.parameters.iter().flatten().any(
                |parameter| matches!(parameter, RefOr::T(parameter) if parameter.parameter_in == ParameterIn::Query),
            );
        let responses = &mut operation.responses.responses;
        if json_body {
            responses.entry("400".to_owned()).or_insert_with(|| {
                problem(format!(
                    "The body is not well-formed JSON (`malformed_json`), or nests arrays and objects deeper \
                     than {MAX_JSON_DEPTH} levels (`json_too_deep`)"
                ))
            });
            responses.entry("413".to_owned()).or_insert_with(|| {
                problem("The body is larger than `OPSDECK_MAX_BODY_BYTES` (1 MiB by default)".to_owned())
            });
            responses
                .entry("415".to_owned())
                .or_insert_with(|| problem("The body is not sent as `Content-Type: application/json`".to_owned()));
            responses.entry("422".to_owned()).or_insert_with(|| {
                problem("The body does not match the schema (`validation_failed`, per field)".to_owned())
            });
        }
        if query {
            responses.entry("422".to_owned()).or_insert_with(|| {
                problem("A query parameter does not match its schema (`validation_failed`, per field)".to_owned())
            });
        }
    }
}
