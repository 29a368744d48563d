//! `Idempotency-Key` on POST (`opsdeck_domain::idempotency` keeps the outcomes). A signed-in
//! caller's POST carrying the header runs once per key: a repeat with the same request answers
//! the first outcome again, marked `Idempotent-Replayed: true`; with another body it is 422
//! `idempotency_key_reused`; while the first still runs, 409 `idempotency_key_in_use`. A first
//! request that fails on the server's side (5xx) frees its key, so a retry runs it again.

use std::pin::Pin;

use actix_web::{
    Error, HttpMessage, HttpResponse, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PayloadError,
    http::{
        Method, StatusCode,
        header::{self, HeaderName, HeaderValue},
    },
    middleware::Next,
    web::{self, Bytes, BytesMut},
};
use futures_util::{Stream, StreamExt};
use opsdeck_domain::{
    access::Caller,
    auth::secrets::sha256_hex,
    idempotency::{self, Outcome, Start},
};

use crate::{auth::Authentication, problem::ApiError, state::AppState};

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

pub async fn replay_or_record(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let key = req.headers().get(&IDEMPOTENCY_KEY).map(|value| value.to_str().map(str::to_owned));
    let caller = match req.extensions().get::<Authentication>() {
        Some(Authentication::Caller(caller)) => Some(caller.as_ref().clone()),
        _ => None,
    };
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let (Some(key), Some(caller), Some(state), true) = (key, caller, state, req.method() == Method::POST) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let Ok(key) = key else {
        return Ok(refuse(req, idempotency::invalid_key().into()));
    };
    let body = match read_body(&mut req, state.http.max_body_bytes).await {
        Ok(body) => body,
        Err(error) => return Ok(refuse(req, error)),
    };
    let target = req.uri().path_and_query().map_or(req.path(), |target| target.as_str()).to_owned();
    let digest = request_digest(req.method(), &target, &body);
    match idempotency::start(&state.db, &caller, &key, &digest).await {
        Err(error) => Ok(refuse(req, error.into())),
        Ok(Start::Replay(outcome)) => Ok(replay(req, outcome)),
        Ok(Start::Running) => Ok(refuse(
            req,
            ApiError::http(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "a request with this Idempotency-Key is still running; repeat it once it has finished",
            ),
        )),
        Ok(Start::Reused) => Ok(refuse(
            req,
            ApiError::http(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request; use a new key for a new request",
            ),
        )),
        Ok(Start::First) => {
            req.set_payload(payload_of(body));
            let response = next.call(req).await?;
            record(&state, &caller, &key, response).await
        }
    }
}

/// What makes a repeat the same request: method, path with query, body.
fn request_digest(method: &Method, target: &str, body: &Bytes) -> String {
    let mut text = format!("{method} {target}\n").into_bytes();
    text.extend_from_slice(body);
    sha256_hex(&String::from_utf8_lossy(&text))
}

async fn read_body(req: &mut ServiceRequest, limit: usize) -> Result<Bytes, ApiError> {
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|error| ApiError::http(StatusCode::BAD_REQUEST, "malformed_body", error.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::http(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the body exceeds {limit} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn payload_of(body: Bytes) -> Payload {
    let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(futures_util::stream::once(async move { Ok(body) }));
    Payload::from(stream)
}

/// Keeps the first outcome (unless the server failed: then the key is freed) and sends it.
async fn record(
    state: &AppState,
    caller: &Caller,
    key: &str,
    response: ServiceResponse<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let status = response.status();
    if status.is_server_error() {
        if let Err(error) = idempotency::forget(&state.db, caller, key).await {
            tracing::error!(%error, "could not free an idempotency key after a failed request");
        }
        return Ok(response.map_into_boxed_body());
    }
    let (req, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.map_err(Into::into)?;
    let content_type = head.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let stored = match String::from_utf8(bytes.to_vec()) {
        Ok(body) => {
            idempotency::finish(&state.db, caller, key, &Outcome { status: status.as_u16(), content_type, body }).await
        }
        // Only text outcomes are kept; a binary one frees the key rather than being answered wrong.
        Err(_) => idempotency::forget(&state.db, caller, key).await,
    };
    if let Err(error) = stored {
        tracing::error!(%error, "could not record an idempotent request's outcome");
    }
    Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(bytes))))
}

fn replay(req: ServiceRequest, outcome: Outcome) -> ServiceResponse<BoxBody> {
    let status = StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    if let Some(content_type) = outcome.content_type {
        response.insert_header((header::CONTENT_TYPE, content_type));
    }
    response.insert_header((REPLAYED, HeaderValue::from_static("true")));
    req.into_response(response.body(outcome.body))
}

fn refuse(req: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    req.into_response(error.error_response())
}
