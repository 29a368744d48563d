//! Inbound webhook events: Standard Webhooks signed deliveries, stored raw and de-duplicated
//! on `(provider, event id)` before they are answered, processed in the worker by idempotent
//! handlers per event type, and reprocessed safely on request.

mod envelope;
mod handlers;
mod ingest;
mod process;
mod reprocess;
mod service;
pub mod signature;

pub use ingest::{Delivery, Receipt, receive};
pub use process::process;
pub use reprocess::{MAX_REPROCESS, ReprocessReport, Selection, Skipped, reprocess, reprocess_many};
pub use service::{JobAttempt, WebhookEventDetail, WebhookEventFilter, WebhookEventSummary, get, list};
