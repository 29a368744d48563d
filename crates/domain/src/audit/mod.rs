//! The audit log: append-only and hash-chained.

pub mod chain;
mod record;
pub mod redact;

pub use record::{AuditActor, AuditEvent, RequestMeta, append};
