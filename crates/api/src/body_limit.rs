//! Refuses a body whose declared length exceeds the limit before reading any of it, and reads
//! bodies of unknown length (chunked) only up to the limit. The webhook endpoint has a limit of
//! its own (`OPSDECK_WEBHOOK_MAX_BODY_BYTES`): providers send small events, and its callers
//! are not signed in. Other bodies without a length are bounded by the extractors' limits.

use actix_web::{
    Error,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{StatusCode, header},
    middleware::Next,
    web,
};

use crate::{problem::ApiError, routes::webhooks::RECEIVE_PATTERN, state::AppState};

fn too_large(limit: usize) -> ApiError {
    ApiError::http(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("the body may be at most {limit} bytes"))
}

fn limit_for(req: &ServiceRequest) -> usize {
    let Some(state) = req.app_data::<web::Data<AppState>>() else { return usize::MAX };
    if crate::route::pattern(req.request()).as_deref() == Some(RECEIVE_PATTERN) {
        state.http.webhook_max_body_bytes
    } else {
        state.http.max_body_bytes
    }
}

pub async fn reject_oversized(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let limit = limit_for(&req);
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Ok(req.error_response(too_large(limit)));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Reads a whole body of at most `limit` bytes: past that, 413, with or without a declared length.
pub async fn read_limited(payload: web::Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(error)) => Err(ApiError::http(StatusCode::BAD_REQUEST, "unreadable_body", error.to_string())),
        Err(_) => Err(too_large(limit)),
    }
}
