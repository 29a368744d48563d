//! How far a bulk job has got, and how fast: what `GET /bulk-jobs/{id}` and the event stream
//! report.

use chrono::{DateTime, Utc};

use crate::entities::{bulk_jobs, enums::BulkJobStatus};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    pub processed: i64,
    pub total: i64,
    pub succeeded: i64,
    pub failed: i64,
    /// `processed / total`, 0-100.
    pub percent: f64,
    /// Rows per second since the current run started (until the end, for a finished job).
    pub rate_per_second: Option<f64>,
    /// Seconds to go at that rate; only while RUNNING.
    pub eta_seconds: Option<f64>,
}

pub fn progress(job: &bulk_jobs::Model, now: DateTime<Utc>) -> Progress {
    let percent = if job.total > 0 { (job.processed as f64 * 100.0 / job.total as f64).min(100.0) } else { 100.0 };
    let end = job.finished_at.unwrap_or(now);
    let rate_per_second = job.started_at.and_then(|started| {
        let seconds = (end - started).num_milliseconds() as f64 / 1000.0;
        (seconds > 0.0 && job.processed > 0).then(|| job.processed as f64 / seconds)
    });
    let eta_seconds = match (job.status, rate_per_second) {
        (BulkJobStatus::Running, Some(rate)) if rate > 0.0 => Some((job.total - job.processed).max(0) as f64 / rate),
        _ => None,
    };
    Progress {
        processed: job.processed,
        total: job.total,
        succeeded: job.succeeded,
        failed: job.failed,
        percent,
        rate_per_second,
        eta_seconds,
    }
}
