//! The one error type of the domain layer. The API maps each variant to a problem+json
//! response exactly once; `Internal` causes are logged there and never sent to the caller.

use std::time::Duration;

/// A field of the input that was rejected, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The object does not exist, or lies outside the caller's scope (no existence leak).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Bad input: nothing was changed.
    #[error("{detail}")]
    Invalid { code: &'static str, detail: String, errors: Vec<FieldError> },
    /// The action does not fit the object's current state (e.g. retrying a job that has not failed).
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// No valid credentials.
    #[error("{detail}")]
    Unauthenticated { code: &'static str, detail: String },
    /// Valid credentials without the permission the action needs.
    #[error("this action needs the permission `{0}`")]
    Forbidden(&'static str),
    /// The action belongs to a person signed in (their own password, for one): an integrator
    /// token is refused whatever its roles.
    #[error("only a signed-in user can do this, not an integrator token")]
    UserOnly,
    /// The caller's role requires TOTP, and they have not enrolled yet: only enrolment is open.
    #[error("your role requires two-factor authentication: enrol a TOTP authenticator first")]
    MfaEnrollmentRequired,
    /// The caller is a partner of a suspended tenant: no login, session or token of theirs works
    /// until the tenant is reactivated.
    #[error("your organisation's account is suspended; contact the platform operator")]
    TenantSuspended,
    /// Throttled; try again after the given time.
    #[error("too many attempts; retry in {} seconds", retry_after.as_secs())]
    TooManyRequests { retry_after: Duration },
    /// A concurrent transaction got in the way (PostgreSQL's serialization failure or deadlock):
    /// the transaction was undone, and doing the same again can succeed.
    #[error("a concurrent change got in the way: {0}")]
    Transient(String),
    /// Anything unexpected: a database failure, a broken invariant.
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Invalid { code, detail: detail.into(), errors: Vec::new() }
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Invalid {
            code: "validation_failed",
            detail: format!("{field}: {message}"),
            errors: vec![FieldError::new(field, message)],
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict { code, detail: detail.into() }
    }

    pub fn unauthenticated(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Unauthenticated { code, detail: detail.into() }
    }
}

impl From<sea_orm::DbErr> for DomainError {
    fn from(error: sea_orm::DbErr) -> Self {
        if is_transient(&error) { Self::Transient(error.to_string()) } else { Self::Internal(error.to_string()) }
    }
}

/// SQLSTATE 40001 (serialization failure) or 40P01 (deadlock detected).
fn is_transient(error: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match error {
        DbErr::Exec(RuntimeErr::SqlxError(cause)) | DbErr::Query(RuntimeErr::SqlxError(cause)) => {
            matches!(cause.as_database_error().and_then(|e| e.code()).as_deref(), Some("40001" | "40P01"))
        }
        _ => false,
    }
}

impl From<sea_orm::TransactionError<DomainError>> for DomainError {
    fn from(error: sea_orm::TransactionError<DomainError>) -> Self {
        match error {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
