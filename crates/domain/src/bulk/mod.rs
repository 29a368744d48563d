//! Bulk jobs: one action over thousands or millions of rows, previewed, confirmed with a
//! token, frozen, and run by the worker in chunks with exactly-once effects.
//!
//! - [`actions`]: the registry of actions (one module each).
//! - `target`: which rows (explicit ids or a filter), read through the job's scope.
//! - [`token`]: the stateless confirmation token a preview hands out.
//! - `service`: preview, start, list, get, cancel, retry of failed rows, failure report.
//! - `run`: the worker side, one transaction per chunk.

pub mod actions;
mod progress;
mod run;
mod service;
mod target;
pub mod token;

pub use progress::{Progress, progress};
pub use run::execute;
pub use service::{
    BulkFailure, BulkJob, BulkListFilter, BulkRequest, Confirmation, Preview, SAMPLE_SIZE, SampleRow, cancel, failures,
    get, list, preview, retry_failed, start,
};
pub use target::{MAX_TARGET_IDS, Target};
pub use token::ConfirmationKey;
