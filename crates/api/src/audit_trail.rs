//! The HTTP side of the audit log. Successful actions are audited by the domain, inside their
//! own transaction; this middleware records the requests that were refused or failed
//! (a mutation, a download or an export that did not go through), so that attempts leave a
//! trace too. Login failures are left to the login service, which records them with reasons.
//! A handler that knows better than the status what its refusal means names it with
//! [`name_refusal`] (a forged webhook is a `webhook.signature_rejected`, not just a 401); the
//! entry is still written here, once. Repeats of a refusal within a minute are counted into one
//! entry ([`RefusalDigest`](crate::refusal_digest::RefusalDigest)).

use actix_web::{
    Error, HttpMessage, HttpRequest,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::Method,
    middleware::Next,
    web,
};
use std::time::Instant;

use opsdeck_domain::audit::{AuditActor, AuditEvent, AuditOutcome, RequestMeta};

use crate::{
    auth::{self, Authentication},
    problem::ApiError,
    refusal_digest::{self, Refusal},
    routes::auth::REFRESH_COOKIE,
    state::AppState,
};

/// Requests whose refusal is worth a trace: every mutation, and reads that hand out data in bulk.
/// A refresh without a refresh cookie is the SPA asking "am I signed in?" on every page load:
/// no credential was tried, so there is nothing to record.
fn watched(req: &ServiceRequest) -> bool {
    let (method, path) = (req.method(), req.path());
    let mutating = [Method::POST, Method::PUT, Method::PATCH, Method::DELETE].contains(method);
    let bulk_read = path.ends_with("/download") || path.ends_with("/audit-logs/export");
    let cookieless_refresh = path == "/api/v1/auth/refresh" && req.cookie(REFRESH_COOKIE).is_none();
    (mutating || bulk_read) && path.starts_with("/api/v1/") && path != "/api/v1/auth/login" && !cookieless_refresh
}

fn action_for(status: u16) -> &'static str {
    match status {
        401 => "request.unauthenticated",
        403 => "request.forbidden",
        500..=599 => "request.failed",
        _ => "request.rejected",
    }
}

/// A handler's own name for its refusal, and details to record with it.
#[derive(Clone)]
struct NamedRefusal {
    action: &'static str,
    metadata: serde_json::Map<String, serde_json::Value>,
}

/// Records this request's refusal, should it end in one, as `action` with `metadata`
/// (instead of the generic `request.*` action derived from the status).
pub fn name_refusal(req: &HttpRequest, action: &'static str, metadata: serde_json::Map<String, serde_json::Value>) {
    req.extensions_mut().insert(NamedRefusal { action, metadata });
}

pub async fn record_refusals(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // Unrouted paths are noise (scanners), not attempts at an action.
    let routed = crate::route::pattern(req.request()).is_some();
    if !routed || !watched(&req) {
        return next.call(req).await;
    }
    let meta = auth::request_meta(req.request());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let response = next.call(req).await?;
    let status = response.status();
    if let (false, Some(state)) = (status.is_success() || status.is_redirection(), state) {
        // Refusals are counted per caller, or per address when nobody signed in.
        let (actor, source, tenant) = match response.request().extensions().get::<Authentication>() {
            Some(Authentication::Caller(caller)) => {
                (AuditActor::from(caller.as_ref()), caller.key(), caller.scope().tenant_id())
            }
            _ => (AuditActor::anonymous("anonymous"), meta.ip.clone().unwrap_or_default(), None),
        };
        let named = response.request().extensions().get::<NamedRefusal>().cloned();
        let (action, mut metadata) = match named {
            Some(named) => (named.action, named.metadata),
            None => (action_for(status.as_u16()), serde_json::Map::new()),
        };
        metadata.insert("status".to_owned(), status.as_u16().into());
        let outcome = if status.is_server_error() { AuditOutcome::Failed } else { AuditOutcome::Refused };
        let mut event = AuditEvent::new(action, outcome).tenant(tenant).metadata(metadata.into());
        if let Some(problem) = response.response().error().and_then(|error| error.as_error::<ApiError>()) {
            event = event.reason(problem.code());
        }
        let meta = RequestMeta { status: Some(status.as_u16()), ..meta };
        if let Some(first) = state.refusals.admit(source, Refusal { actor, meta, event }, Instant::now()) {
            refusal_digest::record(&state.db, vec![first]).await;
        }
    }
    Ok(response)
}
