//! The webhook endpoint providers call: no bearer token, the Standard Webhooks signature is the
//! authentication. Refusals are audited by the audit-trail middleware under their own names.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, post, web};
use opsdeck_domain::{
    DomainError,
    webhooks::{self, Delivery, signature::Headers},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    audit_trail,
    body_limit::read_limited,
    problem::{ApiResult, Problem},
    state::AppState,
};

/// The route, as the middlewares see it (the body limit differs here).
pub const RECEIVE_PATTERN: &str = "/api/v1/webhooks/{provider}";

/// What a provider sends (the Standard Webhooks payload). For the document: the handler takes
/// the raw bytes, which are verified as signed before the domain parses them.
#[derive(Serialize, ToSchema)]
pub struct WebhookPayload {
    /// The event type, e.g. `order.paid`, `order.refunded`, `customer.created`, `customer.churned`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event happened (RFC 3339).
    pub timestamp: chrono::DateTime<chrono::Utc>,
    /// The event's data; `tenant` (a tenant slug) or `tenant_id` routes it to a tenant.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookReceipt {
    /// The stored event (`GET /api/v1/webhook-events/{id}`).
    pub id: i64,
    /// True when this `webhook-id` had been received before; nothing changed then.
    pub duplicate: bool,
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|value| value.to_str().ok())
}

/// Receive a provider's event (Standard Webhooks). The event is stored before the answer and
/// processed in the background; a redelivery of the same `webhook-id` changes nothing.
#[utoipa::path(
    operation_id = "receive_webhook", tag = "webhooks",
    params(
        ("provider" = String, Path, description = "The provider, configured by `OPSDECK_WEBHOOK_SECRET_<PROVIDER>` (lower case here, `-` for `_`)"),
        ("webhook-id" = String, Header, description = "The event's unique id: the de-duplication key"),
        ("webhook-timestamp" = i64, Header, description = "Unix seconds; at most 5 minutes (`OPSDECK_WEBHOOK_TOLERANCE_SECS`) from the server's clock"),
        ("webhook-signature" = String, Header, description = "Space-separated `v1,<base64 HMAC-SHA256 of \"{id}.{timestamp}.{body}\">` signatures, keyed by the base64 part of a `whsec_` secret; one match suffices"),
    ),
    request_body(content = WebhookPayload, content_type = "application/json"),
    responses(
        (status = 202, description = "Stored; processing follows in the background", body = WebhookReceipt),
        (status = 200, description = "Already received (same provider and `webhook-id`); nothing changed", body = WebhookReceipt),
        (status = 401, description = "Missing or invalid signature, or a timestamp outside the window; audited, nothing stored", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider is configured", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body exceeds `OPSDECK_WEBHOOK_MAX_BODY_BYTES` (256 KiB by default)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Signed, but not an event (`type`, `timestamp`, `data`); audited, nothing stored", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!(crate::auth::PUBLIC))),
)]
#[post("/webhooks/{provider}")]
pub async fn receive_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    provider: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = read_limited(payload, state.http.webhook_max_body_bytes).await?;
    let headers = Headers {
        id: header(&req, "webhook-id"),
        timestamp: header(&req, "webhook-timestamp"),
        signature: header(&req, "webhook-signature"),
    };
    let delivery = Delivery { provider: &provider, headers, body: &body };
    match webhooks::receive(&state.db, &state.settings, delivery).await {
        Ok(receipt) => {
            let status = if receipt.duplicate { StatusCode::OK } else { StatusCode::ACCEPTED };
            Ok(HttpResponse::build(status).json(WebhookReceipt { id: receipt.id, duplicate: receipt.duplicate }))
        }
        Err(error) => {
            let action = match &error {
                DomainError::Unauthenticated { .. } => Some("webhook.signature_rejected"),
                DomainError::Invalid { .. } => Some("webhook.payload_rejected"),
                _ => None,
            };
            if let Some(action) = action {
                let mut metadata = serde_json::Map::new();
                metadata.insert("provider".to_owned(), provider.as_str().into());
                let id = headers.id.map(|id| id.chars().take(255).collect::<String>());
                metadata.insert("webhook_id".to_owned(), id.into());
                metadata.insert("reason".to_owned(), error.to_string().into());
                audit_trail::name_refusal(&req, action, metadata);
            }
            Err(error.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RECEIVE_PATTERN;

    #[test]
    fn the_pattern_the_middlewares_match_is_the_route() {
        assert!(crate::openapi::document().paths.paths.contains_key(RECEIVE_PATTERN));
    }
}
