//! Request extractors that hold every input to the published contract.
//!
//! [`Json`] and [`Query`] replace actix's own: besides deserializing, they check the input
//! against the operation's schemas in the OpenAPI document ([`crate::contract`]), so every limit
//! the document states is also enforced, from one source.
//!
//! Both run after the caller is authorized (they come after `Authorized<P>` in a handler's
//! arguments), so a refused caller never learns what its input got wrong.

use std::{
    future::Future,
    ops::{Deref, DerefMut},
    pin::Pin,
};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::StatusCode, web};
use serde::de::DeserializeOwned;

use crate::{
    body_limit::read_limited,
    contract::{self, Contract},
    problem::ApiError,
    state::AppState,
};

fn contract(req: &HttpRequest) -> Option<&Contract> {
    req.app_data::<web::Data<Contract>>().map(|data| data.get_ref())
}

/// A JSON request body, checked against the operation's documented schema.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => {
            mime.type_() == "application" && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
        }
        _ => false,
    }
}

/// Parses and checks a body; everything but the final conversion into `T`.
fn check_body(req: &HttpRequest, bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    match (contract(req), crate::route::pattern(req)) {
        (Some(contract), Some(pattern)) => contract.check_body(req.method(), &pattern, bytes),
        _ => contract::parse_object(bytes),
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload).into_inner();
        Box::pin(async move {
            let payload = payload
                .map_err(|error| ApiError::http(StatusCode::BAD_REQUEST, "unreadable_body", error.to_string()))?;
            if !is_json(&req) {
                return Err(ApiError::http(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "the body must be JSON, sent with `Content-Type: application/json`",
                ));
            }
            let limit = req.app_data::<web::Data<AppState>>().map_or(1 << 20, |s| s.http.max_body_bytes);
            let bytes = read_limited(payload, limit).await?;
            let value = check_body(&req, &bytes)?;
            serde_json::from_value(value)
                .map(Json)
                .map_err(|error| ApiError::http(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", error.to_string()))
        })
    }
}

/// Query parameters, checked against the operation's documented parameters. A handler may take
/// several (`Query<PageQuery>`, `Query<TenantQuery>`, ...): the check runs once per request.
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

struct QueryChecked;

/// Checks the request's query string (once per request).
fn check_query(req: &HttpRequest) -> Result<(), ApiError> {
    if req.extensions().get::<QueryChecked>().is_some() {
        return Ok(());
    }
    if let (Some(contract), Some(pattern)) = (contract(req), crate::route::pattern(req)) {
        let errors = contract.check_query_string(req.method(), &pattern, req.query_string());
        if !errors.is_empty() {
            return Err(contract::invalid(errors));
        }
    }
    req.extensions_mut().insert(QueryChecked);
    Ok(())
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(check_query(req).and_then(|()| {
            web::Query::<T>::from_query(req.query_string()).map(|q| Query(q.into_inner())).map_err(|error| {
                ApiError::http(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_query",
                    format!("the query string does not fit this operation: {error}"),
                )
            })
        }))
    }
}
