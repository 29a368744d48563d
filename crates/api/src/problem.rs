//! problem+json (RFC 9457): the one mapping from errors to HTTP responses.

use actix_web::{HttpResponse, ResponseError, http::StatusCode, http::header};
use opsdeck_domain::{DomainError, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::request_id;

/// An error answer. `code` is stable and meant for programs; `detail` is for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:opsdeck:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable reason, e.g. `not_found`, `validation_failed`.
    pub code: String,
    /// Per-field reasons for rejected input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request id (also in the `x-request-id` header), to quote when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The API layer's error: a domain error, or one that only HTTP knows about.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("{detail}")]
    Http { status: StatusCode, code: &'static str, detail: String },
}

impl ApiError {
    pub fn http(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self::Http { status, code, detail: detail.into() }
    }

    pub fn not_found() -> Self {
        Self::http(StatusCode::NOT_FOUND, "not_found", "no resource at this address")
    }

    /// The problem's stable `code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Http { code, .. } => code,
            Self::Domain(error) => match error {
                DomainError::NotFound(_) => "not_found",
                DomainError::Invalid { code, .. }
                | DomainError::Conflict { code, .. }
                | DomainError::Unauthenticated { code, .. } => code,
                DomainError::Forbidden(_) => "forbidden",
                DomainError::UserOnly => "user_only",
                DomainError::MfaEnrollmentRequired => "mfa_enrollment_required",
                DomainError::TenantSuspended => "tenant_suspended",
                DomainError::TooManyRequests { .. } => "too_many_requests",
                DomainError::Transient(_) | DomainError::Internal(_) => "internal_error",
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Http { status, .. } => *status,
            Self::Domain(error) => domain_status(error),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let request_id = request_id::current();
        let code = self.code();
        let (detail, errors) = match self {
            Self::Http { detail, .. } => (detail.clone(), Vec::new()),
            Self::Domain(error) => match error {
                DomainError::Invalid { detail, errors, .. } => (detail.clone(), errors.clone()),
                DomainError::Conflict { detail, .. } | DomainError::Unauthenticated { detail, .. } => {
                    (detail.clone(), Vec::new())
                }
                DomainError::Transient(cause) | DomainError::Internal(cause) => {
                    tracing::error!(request_id = request_id.as_deref(), %cause, "internal error");
                    ("something went wrong on our side; quote the request id".to_owned(), Vec::new())
                }
                _ => (error.to_string(), Vec::new()),
            },
        };
        let problem = Problem {
            problem_type: format!("urn:opsdeck:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            errors,
            request_id,
        };
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        if let Self::Domain(DomainError::TooManyRequests { retry_after }) = self {
            response.insert_header((header::RETRY_AFTER, retry_after.as_secs().max(1).to_string()));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(problem)
    }
}

fn domain_status(error: &DomainError) -> StatusCode {
    match error {
        DomainError::NotFound(_) => StatusCode::NOT_FOUND,
        DomainError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        DomainError::Conflict { .. } => StatusCode::CONFLICT,
        DomainError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
        DomainError::Forbidden(_)
        | DomainError::UserOnly
        | DomainError::MfaEnrollmentRequired
        | DomainError::TenantSuspended => StatusCode::FORBIDDEN,
        DomainError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        DomainError::Transient(_) | DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The status a request that `error` ends is answered with, as the audit log records it.
pub fn status_of(error: &DomainError) -> u16 {
    domain_status(error).as_u16()
}

pub type ApiResult<T> = Result<T, ApiError>;
