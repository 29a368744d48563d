//! The apalis queue on whichever engine holds the data: SQLite (embedded) or PostgreSQL.

use std::{
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use apalis::prelude::*;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use opsdeck_domain::{Db, DomainError, config::WorkerSettings};
use sea_orm::{
    ConnectionTrait, DbBackend,
    sea_query::{Alias, Expr, ExprTrait, Query, TableRef},
};

use crate::{
    WorkerError,
    runner::{Doorbell, Runner},
};

/// The queue's name in apalis's tables (independent of Rust type names, which may move).
const QUEUE: &str = "opsdeck.jobs";
/// apalis's own worker heartbeat; a stopping worker also waits for its next beat.
const HEARTBEAT: Duration = Duration::from_secs(2);

pub struct Queue {
    storage: Storage,
    wake: Wake,
}

enum Storage {
    Sqlite(SqliteStorage<Doorbell>),
    Postgres(PostgresStorage<Doorbell>),
}

/// Wakes this process's apalis workers when a doorbell was pushed, so they fetch it at once
/// instead of at their next poll.
#[derive(Clone, Default)]
struct Wake {
    workers: Arc<Mutex<Vec<tokio::sync::mpsc::UnboundedSender<()>>>>,
}

impl Wake {
    fn ring(&self) {
        if let Ok(mut workers) = self.workers.lock() {
            workers.retain(|worker| worker.send(()).is_ok());
        }
    }

    /// The wake-ups of one (re)started worker.
    fn listen(&self) -> Wakeups {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        if let Ok(mut workers) = self.workers.lock() {
            workers.push(sender);
        }
        Wakeups(receiver)
    }
}

struct Wakeups(tokio::sync::mpsc::UnboundedReceiver<()>);

impl futures_util::Stream for Wakeups {
    type Item = ();

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.get_mut().0.poll_recv(cx)
    }
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
                let storage = Storage::Sqlite(SqliteStorage::new(&pool).with_config(config));
                Ok(Queue { storage, wake: Wake::default() })
            }
            DbBackend::Postgres => {
                let pool = db.conn().get_postgres_connection_pool().clone();
                PostgresStorage::setup(&pool).await.map_err(|e| setup(&e))?;
                let config = apalis_postgres::Config::default().queue(QUEUE).heartbeat_interval(HEARTBEAT);
                let storage = Storage::Postgres(PostgresStorage::new(&pool).with_config(config));
                Ok(Queue { storage, wake: Wake::default() })
            }
            other => Err(WorkerError::Setup(format!("unsupported database {other:?}"))),
        }
    }

    pub async fn push(&mut self, bell: Doorbell) -> Result<(), DomainError> {
        let failed = |e: &dyn std::fmt::Display| DomainError::Internal(format!("enqueue failed: {e}"));
        match &mut self.storage {
            Storage::Sqlite(storage) => storage.push(bell).await.map_err(|e| failed(&e))?,
            Storage::Postgres(storage) => storage.push(bell).await.map_err(|e| failed(&e))?,
        }
        self.wake.ring();
        Ok(())
    }

    /// Deletes the doorbells that rang: apalis keeps every task it ran, so its table would grow
    /// with every job ever run, while the job rows and their attempts are the record. (A dead
    /// worker's `Running` doorbells are put back by apalis itself, at a live worker's heartbeat,
    /// and rung again: the claim finds nothing to do, and they end here too.)
    pub async fn prune(&self, db: &Db) -> Result<u64, DomainError> {
        let table: TableRef = match self.storage {
            Storage::Sqlite(_) => Alias::new("Jobs").into(),
            Storage::Postgres(_) => (Alias::new("apalis"), Alias::new("jobs")).into(),
        };
        let delete = Query::delete()
            .from_table(table)
            .and_where(Expr::col("job_type").eq(QUEUE))
            .and_where(Expr::col("status").is_in(["Done", "Failed", "Killed"]))
            .to_owned();
        Ok(db.conn().execute(&delete).await?.rows_affected())
    }

    pub fn register_workers(
        &self,
        monitor: Monitor,
        runner: Arc<Runner>,
        name: &str,
        settings: &WorkerSettings,
    ) -> Monitor {
        let (name, concurrency, poll) = (name.to_owned(), settings.concurrency as usize, settings.poll_interval);
        let wake = self.wake.clone();
        // Fetch when woken, and every poll interval (a push from another process).
        let strategy = move || Strategy::new().stream(wake.listen()).interval(poll);
        match &self.storage {
            Storage::Sqlite(storage) => {
                let storage = storage.clone();
                monitor.register(move |restarts| {
                    WorkerBuilder::new(format!("{name}-{restarts}"))
                        .backend(storage.clone().poll_with_strategy(strategy()))
                        .data(runner.clone())
                        .concurrency(concurrency)
                        .catch_panic()
                        .build(ring)
                })
            }
            Storage::Postgres(storage) => {
                let storage = storage.clone();
                monitor.register(move |restarts| {
                    WorkerBuilder::new(format!("{name}-{restarts}"))
                        .backend(storage.clone().poll_with_strategy(strategy()))
                        .data(runner.clone())
                        .concurrency(concurrency)
                        .catch_panic()
                        .build(ring)
                })
            }
        }
    }
}
