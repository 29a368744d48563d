//! The job change feed behind the live event stream (`GET /api/v1/events`): one per process,
//! fanned out to every stream of the process, each of which keeps what its caller may see
//! ([`JobChange::visible_to`]).
//!
//! The feed reads a changed row once when told of its change ([`Db::job_signals`]: a
//! PostgreSQL notification from the committing transaction, whichever process made it, or
//! this process's own word on SQLite), and hands it to every stream. A slow safety poll reads
//! the rows changed since the newest it has seen (overlapping by 2 s, for transactions that
//! committed out of order), for signals lost on the way; what was handed out already is not
//! handed out again. Without a stream it reads nothing.

use std::{collections::HashMap, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::broadcast::{self, error::RecvError};

use crate::{
    Db, DomainError,
    access::Scope,
    audit::chain::storable_time,
    bulk::BulkJob,
    db::JobSignal,
    entities::{bulk_jobs, enums::JobKind, export_jobs, kpi_rebuild_jobs},
    exports::ExportJob,
    kpis::RebuildJob,
};

/// Changes buffered per stream; a stream further behind is ended (its client reconnects and
/// reads the lists again).
const CAPACITY: usize = 1024;
/// How far back the safety poll looks before the newest change seen.
const OVERLAP: chrono::TimeDelta = chrono::TimeDelta::seconds(2);
/// Rows read per kind per safety poll, and ids per read when told.
const READ_LIMIT: u64 = 500;

/// Which kinds of jobs a subscriber may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Feeds {
    pub bulk: bool,
    pub exports: bool,
    /// KPI rebuilds (platform-wide: seen in an unnarrowed staff scope only).
    pub kpi_rebuilds: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JobChange {
    Bulk(BulkJob),
    Export(ExportJob),
    KpiRebuild(RebuildJob),
}

impl JobChange {
    pub fn updated_at(&self) -> DateTime<Utc> {
        match self {
            JobChange::Bulk(job) => job.updated_at,
            JobChange::Export(job) => job.updated_at,
            JobChange::KpiRebuild(job) => job.updated_at,
        }
    }

    /// Whether a subscriber with this scope and these feeds may see the change.
    pub fn visible_to(&self, scope: Scope, feeds: Feeds) -> bool {
        match self {
            JobChange::Bulk(job) => feeds.bulk && scope.contains(job.tenant_id),
            JobChange::Export(job) => feeds.exports && scope.contains(job.tenant_id),
            JobChange::KpiRebuild(_) => feeds.kpi_rebuilds && scope.contains(None),
        }
    }

    /// Which row, and which version of it.
    fn key(&self) -> ((JobKind, i64), (DateTime<Utc>, String)) {
        match self {
            JobChange::Bulk(job) => ((JobKind::Bulk, job.id), (job.updated_at, job.status.as_str().to_owned())),
            JobChange::Export(job) => ((JobKind::Export, job.id), (job.updated_at, job.status.as_str().to_owned())),
            JobChange::KpiRebuild(job) => {
                ((JobKind::KpiRebuild, job.id), (job.updated_at, job.status.as_str().to_owned()))
            }
        }
    }
}

/// The process's feed; clones share it.
#[derive(Clone)]
pub struct ChangeFeed {
    sender: broadcast::Sender<Arc<JobChange>>,
}

impl ChangeFeed {
    /// Starts the feed on the current runtime; it stops when the last clone is dropped.
    pub fn start(db: Db, safety_poll: Duration) -> Self {
        let sender = broadcast::channel(CAPACITY).0;
        let signals = db.job_signals();
        tokio::spawn(run(db, signals, sender.downgrade(), safety_poll));
        Self { sender }
    }

    /// Every change from now on (the subscriber filters with [`JobChange::visible_to`]).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<JobChange>> {
        self.sender.subscribe()
    }
}

/// What the feed reads next.
enum Wanted {
    /// The rows it was told of.
    Rows { bulk: Vec<i64>, exports: Vec<i64>, kpi_rebuilds: Vec<i64> },
    /// Every row changed since the newest seen (the safety poll, or signals were lost).
    Since,
}

impl Wanted {
    fn add(&mut self, signal: JobSignal) {
        if let Wanted::Rows { bulk, exports, kpi_rebuilds } = self {
            match signal.kind {
                JobKind::Bulk => bulk.push(signal.id),
                JobKind::Export => exports.push(signal.id),
                JobKind::KpiRebuild => kpi_rebuilds.push(signal.id),
                JobKind::Webhook => {}
            }
        }
    }
}

async fn run(
    db: Db,
    mut signals: broadcast::Receiver<JobSignal>,
    sender: broadcast::WeakSender<Arc<JobChange>>,
    safety_poll: Duration,
) {
    let mut poll = tokio::time::interval_at(tokio::time::Instant::now() + safety_poll, safety_poll);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut watermark = Utc::now();
    // Per row, the version handed out last and when it changed (entries older than the
    // overlap go).
    let mut sent: HashMap<(JobKind, i64), (DateTime<Utc>, String)> = HashMap::new();
    loop {
        let mut wanted = tokio::select! {
            signal = signals.recv() => match signal {
                Ok(signal) => {
                    let mut wanted = Wanted::Rows { bulk: Vec::new(), exports: Vec::new(), kpi_rebuilds: Vec::new() };
                    wanted.add(signal);
                    wanted
                }
                Err(RecvError::Lagged(_)) => Wanted::Since,
                Err(RecvError::Closed) => return,
            },
            _ = poll.tick() => Wanted::Since,
        };
        // Everything told meanwhile is read at once.
        loop {
            match signals.try_recv() {
                Ok(signal) => wanted.add(signal),
                Err(broadcast::error::TryRecvError::Lagged(_)) => wanted = Wanted::Since,
                Err(_) => break,
            }
        }
        let Some(sender) = sender.upgrade() else { return };
        if sender.receiver_count() == 0 {
            watermark = Utc::now();
            sent.clear();
            continue;
        }
        let changes = match wanted {
            Wanted::Rows { bulk, exports, kpi_rebuilds } => changed_rows(&db, &bulk, &exports, &kpi_rebuilds).await,
            Wanted::Since => changed_since(&db, watermark - OVERLAP).await,
        };
        let changes = match changes {
            Ok(changes) => changes,
            Err(error) => {
                tracing::warn!(%error, "the job change feed could not read; the safety poll tries again");
                continue;
            }
        };
        for change in changes {
            watermark = watermark.max(change.updated_at());
            let (key, version) = change.key();
            if sent.get(&key) != Some(&version) {
                sent.insert(key, version);
                let _ = sender.send(Arc::new(change));
            }
        }
        let horizon = watermark - OVERLAP;
        sent.retain(|_, (at, _)| *at >= horizon);
    }
}

/// The rows of these ids, oldest change first.
async fn changed_rows(
    db: &Db,
    bulk: &[i64],
    exports: &[i64],
    kpi_rebuilds: &[i64],
) -> Result<Vec<JobChange>, DomainError> {
    let mut changes = Vec::new();
    for ids in bulk.chunks(READ_LIMIT as usize) {
        let jobs = bulk_jobs::Entity::find().filter(bulk_jobs::Column::Id.is_in(ids.iter().copied())).all(db.conn());
        changes.extend(jobs.await?.into_iter().map(JobChange::Bulk));
    }
    for ids in exports.chunks(READ_LIMIT as usize) {
        let jobs =
            export_jobs::Entity::find().filter(export_jobs::Column::Id.is_in(ids.iter().copied())).all(db.conn());
        changes.extend(jobs.await?.into_iter().map(JobChange::Export));
    }
    for ids in kpi_rebuilds.chunks(READ_LIMIT as usize) {
        let jobs = kpi_rebuild_jobs::Entity::find()
            .filter(kpi_rebuild_jobs::Column::Id.is_in(ids.iter().copied()))
            .all(db.conn());
        changes.extend(jobs.await?.into_iter().map(JobChange::KpiRebuild));
    }
    changes.sort_by_key(JobChange::updated_at);
    Ok(changes)
}

/// Jobs whose row changed at or after `since`, oldest change first; at most the most recent
/// [`READ_LIMIT`] per kind, so one poll stays bounded.
async fn changed_since(db: &Db, since: DateTime<Utc>) -> Result<Vec<JobChange>, DomainError> {
    // Stored timestamps have microsecond precision; compare like with like.
    let since = storable_time(since);
    let mut changes = Vec::new();
    let jobs = bulk_jobs::Entity::find()
        .filter(bulk_jobs::Column::UpdatedAt.gte(since))
        .order_by_desc(bulk_jobs::Column::UpdatedAt)
        .limit(READ_LIMIT)
        .all(db.conn())
        .await?;
    changes.extend(jobs.into_iter().map(JobChange::Bulk));
    let jobs = export_jobs::Entity::find()
        .filter(export_jobs::Column::UpdatedAt.gte(since))
        .order_by_desc(export_jobs::Column::UpdatedAt)
        .limit(READ_LIMIT)
        .all(db.conn())
        .await?;
    changes.extend(jobs.into_iter().map(JobChange::Export));
    let jobs = kpi_rebuild_jobs::Entity::find()
        .filter(kpi_rebuild_jobs::Column::UpdatedAt.gte(since))
        .order_by_desc(kpi_rebuild_jobs::Column::UpdatedAt)
        .limit(READ_LIMIT)
        .all(db.conn())
        .await?;
    changes.extend(jobs.into_iter().map(JobChange::KpiRebuild));
    changes.sort_by_key(JobChange::updated_at);
    Ok(changes)
}
