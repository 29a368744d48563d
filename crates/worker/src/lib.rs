//! opsdeck's background worker: runs export jobs (and, as they land, webhook processing,
//! bulk jobs and KPI rebuilds) from the apalis queue that shares the application's database.
//!
//! The queue is only a doorbell carrying `(kind, id)`. The job's state row is the truth: a run
//! claims it with a conditional update, heartbeats, and fences every change with its claim
//! token (see `opsdeck_domain::jobs`), so duplicate deliveries, stale runs and several worker
//! processes never run a job twice. A sweeper enqueues due rows and takes back rows whose
//! worker died, so a crash between a state change and a push loses nothing.

mod queue;
mod runner;
mod sweeper;

use std::{sync::Arc, time::Duration};

use apalis::prelude::Monitor;
use opsdeck_domain::{Db, config::Settings, exports};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::{queue::Queue, runner::Runner};

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("cannot set up the job queue: {0}")]
    Setup(String),
}

/// A running worker: the apalis monitor plus the sweeper. Stop it with [`Worker::shutdown`].
pub struct Worker {
    cancel: CancellationToken,
    monitor: JoinHandle<()>,
    sweeper: JoinHandle<()>,
}

/// How long in-flight jobs get to finish at shutdown before they are handed back.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

impl Worker {
    pub async fn start(db: Db, settings: Arc<Settings>) -> Result<Self, WorkerError> {
        let queue = Queue::connect(&db).await?;
        let name = worker_name();
        tracing::info!(worker = %name, concurrency = settings.worker.concurrency, "worker starting");
        let cancel = CancellationToken::new();
        let runner = Arc::new(Runner {
            db: db.clone(),
            settings: settings.clone(),
            store: exports::open_store(&settings.storage).map_err(|e| WorkerError::Setup(e.to_string()))?,
            name: name.clone(),
            stopping: cancel.clone(),
        });
        let monitor = queue.register_workers(Monitor::new(), runner.clone(), &name, &settings.worker);
        let monitor_cancel = cancel.clone();
        let monitor = tokio::spawn(async move {
            let signal = async move {
                monitor_cancel.cancelled().await;
                Ok(())
            };
            if let Err(error) = monitor.shutdown_timeout(SHUTDOWN_GRACE).run_with_signal(signal).await {
                tracing::error!(%error, "the job monitor stopped with an error");
            }
        });
        let sweeper = tokio::spawn(sweeper::run(runner, queue, cancel.clone()));
        Ok(Self { cancel, monitor, sweeper })
    }

    /// Stops taking work, lets in-flight jobs finish (up to 30 s), then returns.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        let _ = self.sweeper.await;
        let _ = self.monitor.await;
        tracing::info!("worker stopped");
    }
}

/// Unique per process start: apalis refuses to re-register a recently seen name, and a name
/// reused across processes could let a stale run complete a newer one's work.
fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".to_owned());
    format!("opsdeck-{host}-{}-{:08x}", std::process::id(), rand::random::<u32>())
}
