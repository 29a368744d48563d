//! What a doorbell does: claim the row, run the job kind's handler, record the outcome.

use std::sync::Arc;

use opsdeck_domain::{Db, DomainError, bulk, config::Settings, enums::JobKind, exports, jobs, kpis, webhooks};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

/// The queue payload: which row to look at. Everything else is read from the row.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Doorbell {
    pub kind: JobKind,
    pub id: i64,
}

pub struct Runner {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub store: Arc<dyn exports::ExportStore>,
    pub name: String,
    /// Cancelled when the worker shuts down: long jobs (bulk) hand their row back between
    /// chunks instead of holding shutdown up.
    pub stopping: CancellationToken,
}

impl Runner {
    /// Runs the job behind a doorbell if it is still due. Errors are the infrastructure's (the
    /// job's own failures are recorded on its row); the sweeper recovers the row either way.
    pub async fn ring(&self, bell: &Doorbell) -> Result<(), DomainError> {
        let Some(claim) = jobs::claim(&self.db, bell.kind, bell.id, &self.name).await? else {
            tracing::debug!(kind = bell.kind.as_str(), id = bell.id, "nothing to do (claimed elsewhere or not due)");
            return Ok(());
        };
        tracing::info!(kind = bell.kind.as_str(), id = bell.id, attempt = claim.attempt, "job started");
        let recorded = match bell.kind {
            JobKind::Export => exports::execute(&self.db, self.store.as_ref(), &self.settings.worker, &claim).await?,
            JobKind::Webhook => webhooks::process(&self.db, &self.settings.worker, &claim).await?,
            JobKind::KpiRebuild => {
                kpis::execute_rebuild(&self.db, &self.settings.kpi, &self.settings.worker, &claim).await?
            }
            JobKind::Bulk => {
                let stopping = || self.stopping.is_cancelled();
                bulk::execute(&self.db, &self.settings.worker, &claim, &stopping).await?
            }
        };
        if recorded {
            tracing::info!(kind = bell.kind.as_str(), id = bell.id, "job finished");
        } else {
            tracing::warn!(kind = bell.kind.as_str(), id = bell.id, "stale run: the job was taken back meanwhile");
        }
        Ok(())
    }
}
