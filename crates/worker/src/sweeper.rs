//! The sweeper: it hands a job to the queue as soon as it hears the job is PENDING (see
//! `Db::job_signals`: a notification from PostgreSQL, whichever process queued it, or this
//! process's own word on SQLite), and every poll interval, as a safety net, it takes back jobs
//! whose worker died and hands over the due jobs nobody told it of (a retry's backoff that
//! ran out, a notification lost on the way). Expired export files and the queue's rung
//! doorbells are cleaned up now and then, and once an hour one of the worker processes prunes the audit log past its retention. After each nightly KPI slot (a
//! cron expression), one process queues the rebuild of the trailing days.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use opsdeck_domain::{audit, enums::JobKind, exports, jobs, kpis, schedule};
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use crate::{
    queue::Queue,
    runner::{Doorbell, Runner},
};

/// The kinds with a handler; the others are left alone until theirs lands.
const HANDLED: [JobKind; 4] = [JobKind::Export, JobKind::Webhook, JobKind::KpiRebuild, JobKind::Bulk];
/// Pushes per kind per sweep, so one sweep stays short.
const BATCH: u64 = 200;
/// Sweeps between two clean-ups of expired export files and rung doorbells.
const CLEANUP_EVERY: u32 = 60;

pub async fn run(runner: Arc<Runner>, mut queue: Queue, cancel: CancellationToken) {
    let mut signals = runner.db.job_signals();
    let mut ticker = tokio::time::interval(runner.settings.worker.poll_interval);
    let mut sweeps = 0u32;
    let mut last_hour = None;
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            signal = signals.recv() => match signal {
                Ok(signal) if signal.pending && HANDLED.contains(&signal.kind) => {
                    if let Err(error) = push(&runner, &mut queue, signal.kind, signal.id).await {
                        tracing::warn!(%error, kind = signal.kind.as_str(), id = signal.id, "could not queue a job; the sweep will");
                    }
                    continue;
                }
                Ok(_) => continue,
                // Signals were lost: sweep now.
                Err(RecvError::Lagged(_)) => {}
                // Never while the pool lives: every `Db` holds the sender.
                Err(RecvError::Closed) => return,
            },
            _ = ticker.tick() => {}
        }
        for kind in HANDLED {
            if let Err(error) = sweep(&runner, &mut queue, kind).await {
                tracing::warn!(%error, kind = kind.as_str(), "sweep failed; retrying next tick");
            }
        }
        match kpis::schedule_nightly(&runner.db, &runner.settings.kpi, &runner.settings.worker, Utc::now()).await {
            Ok(Some(job)) => tracing::info!(from = %job.from_day, to = %job.to_day, "nightly KPI rebuild queued"),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "could not schedule the nightly KPI rebuild"),
        }
        let hour = schedule::hour_slot(Utc::now());
        if last_hour != Some(hour) {
            last_hour = Some(hour);
            hourly(&runner, hour).await;
        }
        sweeps = sweeps.wrapping_add(1);
        if sweeps % CLEANUP_EVERY == 1 {
            match exports::cleanup_expired(&runner.db, runner.store.as_ref()).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "expired export files removed"),
                Err(error) => tracing::warn!(%error, "export clean-up failed"),
            }
            match queue.prune(&runner.db).await {
                Ok(0) => {}
                Ok(removed) => tracing::debug!(removed, "rung doorbells removed from the queue table"),
                Err(error) => tracing::warn!(%error, "queue clean-up failed"),
            }
        }
    }
}

/// Once an hour, across all worker processes: prune the audit log past its retention.
async fn hourly(runner: &Runner, hour: DateTime<Utc>) {
    match schedule::claim_slot(&runner.db, "audit.prune", hour).await {
        Ok(true) => {
            let cutoff = Utc::now() - chrono::Duration::days(i64::from(runner.settings.audit.retention_days));
            match audit::retention::prune(&runner.db, cutoff).await {
                Ok(report) if report.deleted > 0 => tracing::info!(deleted = report.deleted, "audit log pruned"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "audit prune failed; next hour tries again"),
            }
        }
        Ok(false) => {}
        Err(error) => tracing::warn!(%error, "could not claim the hourly audit prune"),
    }
}

async fn sweep(runner: &Runner, queue: &mut Queue, kind: JobKind) -> Result<(), opsdeck_domain::DomainError> {
    let recovered = jobs::recover_stale(&runner.db, kind, runner.settings.worker.lease).await?;
    if !recovered.is_empty() {
        tracing::warn!(kind = kind.as_str(), ids = ?recovered, "took back jobs whose worker stopped responding");
    }
    // A pushed job still PENDING one lease later lost its push (e.g. its doorbell was fetched by
    // a worker that was then killed): it is pushed again. A spare push is harmless, since only
    // one claim of a PENDING row can succeed.
    let redeliver_after = runner.settings.worker.lease;
    for id in jobs::due(&runner.db, kind, redeliver_after, BATCH).await? {
        push(runner, queue, kind, id).await?;
    }
    Ok(())
}

/// Pushes a due job's doorbell, unless another sweeper did (or it is not due).
async fn push(runner: &Runner, queue: &mut Queue, kind: JobKind, id: i64) -> Result<(), opsdeck_domain::DomainError> {
    if jobs::mark_enqueued(&runner.db, kind, id, runner.settings.worker.lease).await? {
        queue.push(Doorbell { kind, id }).await?;
    }
    Ok(())
}
