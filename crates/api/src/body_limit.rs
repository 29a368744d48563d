//! Refuses a body whose declared length exceeds the limit before reading any of it.
//! (Bodies without a length are bounded by the extractors' own limits.)

use actix_web::{
    Error,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{StatusCode, header},
    middleware::Next,
    web,
};

use crate::{problem::ApiError, state::AppState};

pub async fn reject_oversized(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let limit = req.app_data::<web::Data<AppState>>().map(|s| s.settings.http.max_body_bytes).unwrap_or(usize::MAX);
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        let error = ApiError::http(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body may be at most {limit} bytes"),
        );
        return Ok(req.error_response(error));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
