//! Export jobs: CSV exports of a tenant's data (or the audit log), run in the background,
//! downloadable while they last, retryable when they fail.

pub mod csv;
pub(crate) mod rows;
mod run;
mod service;
mod store;

pub use run::{cleanup_expired, execute};
pub use service::{
    Download, ExportFilters, ExportJob, ExportListFilter, NewExport, RetryReport, SkippedRetry, create, download, get,
    list, retry, retry_many,
};
pub use store::{ExportFile, ExportStore, LocalStore, ObjectStorage, open_store};
