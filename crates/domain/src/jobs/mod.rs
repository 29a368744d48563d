//! Background work, the same way for every job kind (exports, webhook events, bulk jobs, KPI
//! rebuilds).
//!
//! The state row is the truth; the queue only carries `(kind, id)` as a doorbell. A worker
//! claims a row with a conditional update that writes a fresh claim token, keeps a heartbeat
//! while it runs, and fences every later change with that token, so a stale run (its lease
//! expired, the row was re-queued) can never overwrite a newer one. Rows that are due are
//! (re-)enqueued by the sweeper, so nothing is lost when a process dies between a state change
//! and a push.

mod errors;
mod lease;
mod stats;

pub use errors::{ErrorAudience, INTERNAL_FAILURE, RunError};

pub use lease::{
    Claim, Outcome, backoff, claim, due, finish, finished, heartbeat, mark_enqueued, recover_stale, release,
};
pub use stats::{KindStats, stats};

use crate::entities::enums::JobKind;

impl JobKind {
    pub const ALL: [JobKind; 4] = [JobKind::Export, JobKind::Webhook, JobKind::Bulk, JobKind::KpiRebuild];

    /// The table holding this kind's state rows.
    pub fn table(self) -> &'static str {
        match self {
            JobKind::Export => "export_jobs",
            JobKind::Webhook => "webhook_events",
            JobKind::Bulk => "bulk_jobs",
            JobKind::KpiRebuild => "kpi_rebuild_jobs",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Export => "export",
            JobKind::Webhook => "webhook",
            JobKind::Bulk => "bulk",
            JobKind::KpiRebuild => "kpi_rebuild",
        }
    }
}

/// Why a job named in a bulk retry or reprocess was left alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// Not in the caller's scope (another tenant's, or none at all).
    NotFound,
    /// Only FAILED jobs are retried.
    NotFailed,
    /// Only finished jobs are reprocessed.
    NotFinished,
}

impl SkipReason {
    /// The code clients read.
    pub fn code(self) -> &'static str {
        match self {
            SkipReason::NotFound => "not_found",
            SkipReason::NotFailed => "not_failed",
            SkipReason::NotFinished => "not_finished",
        }
    }
}
