//! Job row changes, told to whoever in this process listens: the live-event feed and the
//! worker's doorbell.
//!
//! On PostgreSQL the database tells: a trigger on every job table (migration
//! `m20261207_000011_job_change_notify`) runs `pg_notify` in the changing transaction, so every
//! process hears every change once it is committed, whichever process made it. On SQLite (one
//! process) the domain code that changes a job row says so after its commit
//! ([`Db::job_changed`], [`Db::job_queued`]). Either way a signal may be lost (a listener
//! reconnecting, a full channel): its hearers keep a slow safety poll.

use std::sync::{Arc, OnceLock};

use sea_orm::DbBackend;
use tokio::sync::broadcast;

use super::Db;
use crate::entities::enums::JobKind;

/// The PostgreSQL channel the trigger notifies; payload `<kind>:<id>:<status>`.
const CHANNEL: &str = "opsdeck_jobs";
/// Signals buffered per hearer; one that falls further behind is told it lagged.
const CAPACITY: usize = 4096;

/// A job row changed (committed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobSignal {
    pub kind: JobKind,
    pub id: i64,
    /// The row is PENDING now: a worker may be able to claim it.
    pub pending: bool,
}

impl JobSignal {
    fn parse(payload: &str) -> Option<Self> {
        let mut parts = payload.splitn(3, ':');
        let kind = parts.next()?;
        let kind = JobKind::ALL.into_iter().find(|k| k.as_str() == kind)?;
        let id = parts.next()?.parse().ok()?;
        Some(Self { kind, id, pending: parts.next()? == "PENDING" })
    }
}

pub(super) struct Signals {
    sender: broadcast::Sender<JobSignal>,
    /// Set once the PostgreSQL listener runs (one per process).
    listening: OnceLock<()>,
}

impl Default for Signals {
    fn default() -> Self {
        Self { sender: broadcast::channel(CAPACITY).0, listening: OnceLock::new() }
    }
}

impl Db {
    /// Hears every committed change of a job row in this process (see the module's notes).
    /// The first hearer on PostgreSQL starts the process's one listener, on the caller's
    /// runtime.
    pub fn job_signals(&self) -> broadcast::Receiver<JobSignal> {
        let receiver = self.signals.sender.subscribe();
        if self.backend() == DbBackend::Postgres {
            self.signals.listening.get_or_init(|| {
                let pool = self.conn.get_postgres_connection_pool().clone();
                tokio::spawn(listen(pool, self.signals.clone()));
            });
        }
        receiver
    }

    /// Tells this process a job row changed (called after the commit). PostgreSQL's trigger
    /// tells every process already.
    pub fn job_changed(&self, kind: JobKind, id: i64) {
        self.tell(JobSignal { kind, id, pending: false });
    }

    /// Tells this process a job row is PENDING now (created, retried, handed back).
    pub fn job_queued(&self, kind: JobKind, id: i64) {
        self.tell(JobSignal { kind, id, pending: true });
    }

    fn tell(&self, signal: JobSignal) {
        if self.backend() != DbBackend::Postgres {
            // No hearer yet is no error.
            let _ = self.signals.sender.send(signal);
        }
    }
}

/// Forwards the trigger's notifications. sqlx reconnects a dropped listener by itself;
/// what was notified meanwhile is lost, which the hearers' safety poll makes up for.
async fn listen(pool: sqlx::PgPool, signals: Arc<Signals>) {
    while !pool.is_closed() {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for job changes; retrying in 5 s");
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                continue;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(%error, "cannot listen for job changes; retrying in 5 s");
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            continue;
        }
        loop {
            match listener.recv().await {
                Ok(notification) => match JobSignal::parse(notification.payload()) {
                    Some(signal) => {
                        let _ = signals.sender.send(signal);
                    }
                    None => tracing::warn!(payload = notification.payload(), "unreadable job change notification"),
                },
                Err(error) => {
                    tracing::warn!(%error, "job change listener failed; listening again");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_payload_reads_back_as_the_signal() {
        assert_eq!(
            JobSignal::parse("kpi_rebuild:42:PENDING"),
            Some(JobSignal { kind: JobKind::KpiRebuild, id: 42, pending: true })
        );
        assert_eq!(JobSignal::parse("export:7:DONE"), Some(JobSignal { kind: JobKind::Export, id: 7, pending: false }));
        assert_eq!(JobSignal::parse("export:x:DONE"), None);
        assert_eq!(JobSignal::parse("nothing:1:DONE"), None);
    }
}
