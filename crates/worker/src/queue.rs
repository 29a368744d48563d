//! The apalis queue on whichever engine holds the data: SQLite (embedded) or PostgreSQL.

use std::{sync::Arc, time::Duration};

use apalis::prelude::*;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use opsdeck_domain::{Db, DomainError, config::WorkerSettings};
use sea_orm::DbBackend;

use crate::{
    WorkerError,
    runner::{Doorbell, Runner},
};

/// The queue's name in apalis's tables (independent of Rust type names, which may move).
const QUEUE: &str = "opsdeck.jobs";
/// apalis's own worker heartbeat; a stopping worker also waits for its next beat.
const HEARTBEAT: Duration = Duration::from_secs(2);

pub enum Queue {
    Sqlite(SqliteStorage<Doorbell>),
    Postgres(PostgresStorage<Doorbell>),
}

async fn ring(bell: Doorbell, runner: Data<Arc<Runner>>) -> Result<(), BoxDynError> {
    // Job failures are recorded on the row; an error here is infrastructure (the database
    // went away). The lease sweeper recovers the row, so the queue never retries on its own.
    if let Err(error) = runner.ring(&bell).await {
        tracing::error!(%error, kind = bell.kind.as_str(), id = bell.id, "job run aborted");
    }
    Ok(())
}

impl Queue {
    /// Prepares apalis's own tables next to ours (its own migration table, no PRAGMA changes).
    pub async fn connect(db: &Db) -> Result<Self, WorkerError> {
        let setup = |e: &dyn std::fmt::Display| WorkerError::Setup(e.to_string());
        match db.backend() {
            DbBackend::Sqlite => {
                let pool = db.conn().get_sqlite_connection_pool().clone();
                SqliteStorage::<()>::migrations().run(&pool).await.map_err(|e| setup(&e))?;
                let config = apalis_sqlite::Config::default().queue(QUEUE).heartbeat_interval(HEARTBEAT);
                Ok(Queue::Sqlite(SqliteStorage::new(&pool).with_config(config)))
            }
            DbBackend::Postgres => {
                let pool = db.conn().get_postgres_connection_pool().clone();
                PostgresStorage::setup(&pool).await.map_err(|e| setup(&e))?;
                let config = apalis_postgres::Config::default().queue(QUEUE).heartbeat_interval(HEARTBEAT);
                Ok(Queue::Postgres(PostgresStorage::new(&pool).with_config(config)))
            }
            other => Err(WorkerError::Setup(format!("unsupported database {other:?}"))),
        }
    }

    pub async fn push(&mut self, bell: Doorbell) -> Result<(), DomainError> {
        let failed = |e: &dyn std::fmt::Display| DomainError::Internal(format!("enqueue failed: {e}"));
        match self {
            Queue::Sqlite(storage) => storage.push(bell).await.map_err(|e| failed(&e)),
            Queue::Postgres(storage) => storage.push(bell).await.map_err(|e| failed(&e)),
        }
    }

    pub fn register_workers(
        &self,
        monitor: Monitor,
        runner: Arc<Runner>,
        name: &str,
        settings: &WorkerSettings,
    ) -> Monitor {
        let (name, concurrency, poll) = (name.to_owned(), settings.concurrency as usize, settings.poll_interval);
        match self {
            Queue::Sqlite(storage) => {
                let storage = storage.clone();
                monitor.register(move |restarts| {
                    WorkerBuilder::new(format!("{name}-{restarts}"))
                        .backend(storage.clone().poll_with_interval(poll))
                        .data(runner.clone())
                        .concurrency(concurrency)
                        .catch_panic()
                        .build(ring)
                })
            }
            Queue::Postgres(storage) => {
                let storage = storage.clone();
                monitor.register(move |restarts| {
                    WorkerBuilder::new(format!("{name}-{restarts}"))
                        .backend(storage.clone().poll_with_interval(poll))
                        .data(runner.clone())
                        .concurrency(concurrency)
                        .catch_panic()
                        .build(ring)
                })
            }
        }
    }
}
