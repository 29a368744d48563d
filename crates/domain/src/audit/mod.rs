//! The audit log: append-only and hash-chained; searched, exported, verified and pruned here.

pub mod chain;
pub mod query;
mod record;
pub mod redact;
pub mod retention;
pub mod verify;

pub use crate::entities::enums::AuditOutcome;
pub use record::{AuditActor, AuditEvent, RequestMeta, append, record};
