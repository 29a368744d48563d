//! Why a run failed, in two versions: operators read the cause, which may name internals (a
//! database failure, a file path); the tenant whose job it is reads a text meant for them. An
//! internal cause is also logged with the job's kind and id, so the generic text can be traced.

use std::fmt::Display;

use crate::{access::Caller, access::Scope, entities::enums::JobKind};

/// What a tenant reads when opsdeck itself failed (and for runs failed before errors had two
/// versions).
pub const INTERNAL_FAILURE: &str = "an internal error stopped this run; the operators can see why";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunError {
    /// For operators: the cause as it happened.
    pub detail: String,
    /// For the tenant.
    pub public: String,
}

impl RunError {
    /// A failure in the job's own data, which the tenant can act on ("order ord_1 not
    /// found"): both read the same text.
    pub fn shared(text: impl Into<String>) -> Self {
        let text = text.into();
        Self { public: text.clone(), detail: text }
    }

    /// A failure of opsdeck itself (database, storage, a bug): the tenant reads only that one
    /// happened.
    pub fn internal(cause: impl Display) -> Self {
        Self { detail: cause.to_string(), public: INTERNAL_FAILURE.to_owned() }
    }

    /// Logs an internal cause under the job it stopped.
    pub(crate) fn log(&self, kind: JobKind, id: i64) {
        if self.public != self.detail {
            tracing::warn!(job_kind = kind.as_str(), job_id = id, error = %self.detail, "a job run failed");
        }
    }
}

/// Who reads a job's error: staff read the cause, a caller confined to a tenant its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorAudience {
    Operators,
    Tenant,
}

impl ErrorAudience {
    pub fn of(caller: &Caller) -> Self {
        match caller.scope() {
            Scope::All => Self::Operators,
            Scope::Tenant(_) => Self::Tenant,
        }
    }

    /// The text this audience reads of a row's `last_error` and `public_error`.
    pub fn read(self, detail: Option<String>, public: Option<String>) -> Option<String> {
        match self {
            Self::Operators => detail,
            Self::Tenant => detail.map(|_| public.unwrap_or_else(|| INTERNAL_FAILURE.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_reads_its_own_data_errors_but_never_an_internal_cause() {
        let data = RunError::shared("order ord_1 not found");
        let internal = RunError::internal("error returned from database: relation \"orders\" is locked");
        let tenant = ErrorAudience::Tenant;
        assert_eq!(
            tenant.read(Some(data.detail.clone()), Some(data.public.clone())).as_deref(),
            Some("order ord_1 not found")
        );
        assert_eq!(
            tenant.read(Some(internal.detail.clone()), Some(internal.public.clone())).as_deref(),
            Some(INTERNAL_FAILURE)
        );
        assert_eq!(tenant.read(Some("io error: /var/lib/opsdeck".to_owned()), None).as_deref(), Some(INTERNAL_FAILURE));
        assert_eq!(tenant.read(None, None), None);
        assert_eq!(
            ErrorAudience::Operators.read(Some(internal.detail.clone()), Some(internal.public)),
            Some(internal.detail)
        );
    }
}
