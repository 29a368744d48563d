//! Running an export in the worker: rows are read in keyset chunks (each its own short query,
//! so no snapshot stays open for the whole export), streamed through the csv crate into a new
//! file (`rows.rs`), and the job's row count, size and checksum are recorded with the claim's
//! fence.

use std::{
    io::Write,
    time::{Duration, Instant},
};

use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
    TransactionTrait,
    sea_query::{Expr, SimpleExpr},
};
use sha2::{Digest, Sha256};

use crate::{
    Db, DomainError,
    access::{Scope, TenantId},
    audit::chain::storable_time,
    config::WorkerSettings,
    entities::{
        audit_log, customers,
        enums::{ExportDataset, ExportJobStatus},
        export_jobs, orders, products,
    },
    exports::{
        ExportFilters, ExportStore,
        rows::{self, Layout, Reader, RowsError},
    },
    jobs::{self, Claim, Outcome, RunError},
    tenant_owned::scoped,
};

/// Rows per query. Rows are streamed, so this bounds how long one query's snapshot lives
/// (tens of milliseconds), not memory.
const CHUNK: u64 = 5000;

/// The csv writer's buffer, in front of the store's own (256 KiB) and the checksum.
const CSV_BUFFER: usize = 64 << 10;

/// Counts and hashes what passes through, so size and checksum need no second read.
struct Measured<W> {
    inner: W,
    bytes: u64,
    hasher: Sha256,
}

impl<W: Write> Write for Measured<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.bytes += written as u64;
        self.hasher.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// How often a running export renews its lease: a quarter of it, so that a heartbeat can be late
/// three times over before the job is taken back. Renewing it after every chunk (every few
/// milliseconds) was one write transaction per 5000 rows for nothing.
fn heartbeat_interval(lease: Duration) -> Duration {
    lease / 4
}

/// Tells when the next heartbeat is due.
struct Pacer {
    every: Duration,
    last: Instant,
}

impl Pacer {
    fn new(every: Duration, now: Instant) -> Self {
        Self { every, last: now }
    }

    fn due(&mut self, now: Instant) -> bool {
        let due = now.saturating_duration_since(self.last) >= self.every;
        if due {
            self.last = now;
        }
        due
    }
}

/// The statement of one chunk: the exported columns of the next rows after `after_id`, in id
/// order, within the job's scope and filters.
fn chunk_statement(
    backend: DbBackend,
    dataset: ExportDataset,
    scope: Scope,
    filters: &ExportFilters,
    after_id: i64,
) -> Statement {
    macro_rules! select {
        ($select:expr, $id:expr, $time:expr, $extra:expr) => {{
            let condition = Condition::all()
                .add($id.gt(after_id))
                .add_option(filters.from.map(|at| $time.gte(at)))
                .add_option(filters.to.map(|at| $time.lt(at)))
                .add_option($extra);
            layout(dataset).select($select).filter(condition).order_by_asc($id).limit(CHUNK).build(backend)
        }};
    }
    match dataset {
        ExportDataset::Orders => select!(
            scoped::<orders::Entity>(scope),
            orders::Column::Id,
            orders::Column::CreatedAt,
            filters.status.map(|s| orders::Column::Status.eq(s))
        ),
        ExportDataset::Products => {
            select!(
                scoped::<products::Entity>(scope),
                products::Column::Id,
                products::Column::CreatedAt,
                None::<SimpleExpr>
            )
        }
        ExportDataset::Customers => select!(
            scoped::<customers::Entity>(scope),
            customers::Column::Id,
            customers::Column::SignedUpAt,
            None::<SimpleExpr>
        ),
        ExportDataset::AuditLog => select!(
            scoped::<audit_log::Entity>(scope),
            audit_log::Column::Id,
            audit_log::Column::OccurredAt,
            None::<SimpleExpr>
        ),
    }
}

fn layout(dataset: ExportDataset) -> &'static Layout {
    match dataset {
        ExportDataset::Orders => &rows::ORDERS,
        ExportDataset::Products => &rows::PRODUCTS,
        ExportDataset::Customers => &rows::CUSTOMERS,
        ExportDataset::AuditLog => &rows::AUDIT_LOG,
    }
}

/// Writes the CSV of `dataset` (header, then every row in id order) into `out`, one keyset chunk
/// per query, all on one connection. Between chunks, when the pacer says so, the claim's heartbeat renews the lease;
/// a claim taken back stops the export. Returns the number of rows.
async fn write_csv<W: Write>(
    db: &Db,
    dataset: ExportDataset,
    scope: Scope,
    filters: &ExportFilters,
    out: &mut csv::Writer<W>,
    mut lease: Option<(&Claim, &mut Pacer)>,
) -> Result<u64, Failure> {
    let layout = layout(dataset);
    out.write_record(layout.header).map_err(|e| io(e.into()))?;
    let mut reader = Reader::acquire(db).await?;
    let mut rows = 0u64;
    let mut after_id = 0;
    loop {
        let statement = chunk_statement(db.backend(), dataset, scope, filters, after_id);
        let chunk = rows::write_chunk(&mut reader, statement, layout.cells, out).await?;
        rows += chunk.rows;
        match chunk.last_id {
            Some(id) if chunk.rows == CHUNK => after_id = id,
            _ => return Ok(rows),
        }
        if let Some((claim, pacer)) = lease.as_mut()
            && pacer.due(Instant::now())
            && !jobs::heartbeat(db, claim).await?
        {
            return Err(Failure::Lost);
        }
    }
}

struct Written {
    rows: u64,
    bytes: u64,
    checksum: String,
}

enum Failure {
    /// The claim was taken back while we ran: stop without touching the row.
    Lost,
    Retryable(RunError),
    Permanent(RunError),
}

/// Every export failure is opsdeck's own (its filters were validated when it was created).
impl From<DomainError> for Failure {
    fn from(error: DomainError) -> Self {
        Failure::Retryable(RunError::internal(error))
    }
}

impl From<RowsError> for Failure {
    fn from(error: RowsError) -> Self {
        match error {
            RowsError::Read(error) => error.into(),
            RowsError::Write(error) => io(error),
        }
    }
}

fn io(error: std::io::Error) -> Failure {
    Failure::Retryable(RunError::internal(format!("writing the export file failed: {error}")))
}

async fn write_file(
    db: &Db,
    store: &dyn ExportStore,
    job: &export_jobs::Model,
    claim: &Claim,
    key: &str,
    heartbeat_every: Duration,
) -> Result<Written, Failure> {
    let filters = job.filter_set().map_err(|e| Failure::Permanent(RunError::internal(e.to_string())))?;
    let scope = job.tenant_id.map_or(Scope::All, |id| Scope::Tenant(TenantId(id)));
    let file = store.create(key).map_err(io)?;
    let mut writer = csv::WriterBuilder::new().buffer_capacity(CSV_BUFFER).from_writer(Measured {
        inner: file,
        bytes: 0,
        hasher: Sha256::new(),
    });
    let mut pacer = Pacer::new(heartbeat_every, Instant::now());
    let rows = write_csv(db, job.dataset, scope, &filters, &mut writer, Some((claim, &mut pacer))).await?;
    let mut measured = writer.into_inner().map_err(|e| io(e.into_error()))?;
    measured.flush().map_err(io)?;
    let Measured { bytes, hasher, .. } = measured;
    store.commit(key).await.map_err(io)?;
    Ok(Written { rows, bytes, checksum: hex::encode(hasher.finalize()) })
}

/// Runs a claimed export to its end. Returns `false` when the claim turned out stale (another
/// run owns the job now); nothing was changed then.
pub async fn execute(
    db: &Db,
    store: &dyn ExportStore,
    settings: &WorkerSettings,
    claim: &Claim,
) -> Result<bool, DomainError> {
    let job =
        export_jobs::Entity::find_by_id(claim.id).one(db.conn()).await?.ok_or(DomainError::NotFound("export job"))?;
    let key = format!("{}-{}.csv", job.id, claim.token);
    let heartbeat_every = heartbeat_interval(settings.lease);
    let (outcome, extra) = match write_file(db, store, &job, claim, &key, heartbeat_every).await {
        Ok(written) => {
            let expires_at = storable_time(Utc::now()) + settings.export_ttl;
            let extra = vec![
                ("row_count", Expr::val(i64::try_from(written.rows).unwrap_or(i64::MAX))),
                ("byte_size", Expr::val(i64::try_from(written.bytes).unwrap_or(i64::MAX))),
                ("checksum_sha256", Expr::val(written.checksum)),
                ("storage_key", Expr::val(key.clone())),
                ("expires_at", Expr::val(expires_at)),
            ];
            (Outcome::Succeeded(ExportJobStatus::Done.as_str()), extra)
        }
        Err(Failure::Lost) => {
            let _ = store.remove(&key).await;
            return Ok(false);
        }
        Err(Failure::Retryable(error)) => (Outcome::Retryable(error), Vec::new()),
        Err(Failure::Permanent(error)) => (Outcome::Permanent(error), Vec::new()),
    };
    if !matches!(outcome, Outcome::Succeeded(_)) {
        let _ = store.remove(&key).await;
    }
    let txn = db.conn().begin().await?;
    let recorded = jobs::finish(&txn, claim, &outcome, settings.backoff, extra).await?;
    if recorded {
        txn.commit().await?;
        jobs::finished(db, claim, &outcome);
    } else {
        txn.rollback().await?;
        let _ = store.remove(&key).await;
    }
    Ok(recorded)
}

/// Deletes the files of exports past their expiry; the job rows stay, marked as such.
pub async fn cleanup_expired(db: &Db, store: &dyn ExportStore) -> Result<usize, DomainError> {
    let now = storable_time(Utc::now());
    let expired = export_jobs::Entity::find()
        .filter(export_jobs::Column::ExpiresAt.lt(now))
        .filter(export_jobs::Column::FileDeletedAt.is_null())
        .filter(export_jobs::Column::StorageKey.is_not_null())
        .limit(100)
        .all(db.conn())
        .await?;
    for job in &expired {
        if let Some(key) = &job.storage_key {
            store.remove(key).await.map_err(|e| DomainError::Internal(format!("removing export {}: {e}", job.id)))?;
        }
        export_jobs::Entity::update_many()
            .col_expr(export_jobs::Column::FileDeletedAt, Expr::val(now))
            .filter(export_jobs::Column::Id.eq(job.id))
            .exec(db.conn())
            .await?;
    }
    Ok(expired.len())
}

#[cfg(test)]
mod tests;
