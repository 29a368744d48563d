//! Running a bulk job in the worker, chunk by chunk.
//!
//! A job's frozen items are numbered 0..total without gaps (both ways of freezing a target
//! number them with `ROW_NUMBER()`), so the next chunk is simply the positions after the
//! checkpoint, up to `chunk_size` of them: nothing has to be read to know its bounds.
//!
//! Each chunk is one write transaction that (1) finds, in one LEFT JOIN of the chunk's items to
//! their rows, the items whose row is gone or outside the job's tenant and those the action's
//! SQL form does not cover, (2) changes the covered rows with one set-based UPDATE (actions with
//! a SQL form), (3) reads the other rows, applies the action's Rust rule and writes their
//! changed columns, (4) marks the items that failed, with their reason, and (5) advances
//! checkpoint, counts and heartbeat, fenced by the claim token and the checkpoint the chunk
//! started from. When the fence finds another run owns the job, the transaction is dropped
//! (rolled back) and nothing of the chunk remains; otherwise all of it commits. So a crash or a
//! stale run resumes exactly after the last committed chunk and no row is changed twice. The
//! fence comes last, not first, to keep a chunk at four statements: a stale run wastes one
//! chunk's work at most.
//!
//! The set-based UPDATE changes rows it has not read, so what the LEFT JOIN saw must still
//! hold when it writes. SQLite's write transaction excludes every other writer. On PostgreSQL
//! the chunk runs in one snapshot (REPEATABLE READ, [`Db::begin_snapshot_write`]): a row that
//! someone changed or deleted after the look fails the chunk instead of being skipped unseen,
//! and the chunk simply runs again. This costs one `SET TRANSACTION` when nobody interferes,
//! where locking the chunk's rows up front (`SELECT .. FOR UPDATE`) writes every row once more
//! on every chunk.
//!
//! Succeeded items are not marked: an item at or before the checkpoint without a `failed`
//! outcome succeeded. Writing an outcome per item cost as much as the change itself, and so
//! did moving the rows through the driver: with a SQL form, a chunk's rows never leave the
//! database unless they fail or need the Rust rule.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    Condition, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, JoinType, Order, Statement,
    sea_query::{Expr, ExprTrait, Query, SelectStatement},
};

use crate::{
    Db, DomainError,
    access::{Scope, TenantId},
    audit::{self, AuditActor, AuditEvent, RequestMeta, chain::storable_time},
    bulk::{
        actions::{self, Change},
        service::counts,
        target::{TargetKind, TargetRow},
    },
    config::WorkerSettings,
    entities::{
        bulk_jobs,
        enums::{BulkItemOutcome, BulkJobStatus, JobKind},
    },
    jobs::{self, Claim, Outcome, RunError},
};

/// The reason recorded for an item whose row is gone.
const NOT_FOUND: &str = "not found: the row was deleted after the job was confirmed, or is outside the job's tenant";

enum Step {
    /// A chunk committed; the job's checkpoint is now this position.
    Continue(i64),
    /// A chunk committed, and a cancellation was asked for.
    Cancelled,
    /// The claim is gone: another run owns the job now. Nothing was changed.
    Lost,
}

/// What every chunk of one run shares.
struct Plan<'a> {
    claim: &'a Claim,
    kind: TargetKind,
    scope: Scope,
    change: &'a dyn Change,
    chunk_size: i64,
    /// The last position of the job (`total - 1`).
    last: i64,
}

/// Runs a claimed bulk job until it is done, cancelled, or `stopping()` says the worker is
/// shutting down (then the job is handed back, to resume after its checkpoint). Returns `false`
/// when the claim turned out stale.
pub async fn execute(
    db: &Db,
    settings: &WorkerSettings,
    claim: &Claim,
    stopping: &(dyn Fn() -> bool + Send + Sync),
) -> Result<bool, DomainError> {
    let job = bulk_jobs::Entity::find_by_id(claim.id).one(db.conn()).await?.ok_or(DomainError::NotFound("bulk job"))?;
    let prepared = serde_json::from_str(&job.params)
        .map_err(|e| DomainError::invalid_field("params", e.to_string()))
        .and_then(|params| actions::find(&job.action).and_then(|a| Ok((a.target(), a.prepare(&params)?))));
    let (kind, change) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            let outcome = Outcome::Permanent(RunError::internal(format!("the job cannot run: {error}")));
            return finish(db, settings, claim, &outcome).await;
        }
    };
    let plan = Plan {
        claim,
        kind,
        scope: job.tenant_id.map_or(Scope::All, |id| Scope::Tenant(TenantId(id))),
        change: change.as_ref(),
        chunk_size: i64::from(Ord::max(job.chunk_size, 1)),
        last: job.total - 1,
    };
    if job.cancel_requested_at.is_some() {
        return finish(db, settings, claim, &Outcome::Succeeded(BulkJobStatus::Cancelled.as_str())).await;
    }
    let (mut checkpoint, mut contended) = (job.checkpoint, 0);
    loop {
        if checkpoint >= plan.last {
            return finish(db, settings, claim, &Outcome::Succeeded(BulkJobStatus::Done.as_str())).await;
        }
        if stopping() {
            return jobs::release(db, claim, "the worker shut down; the next one resumes after the checkpoint").await;
        }
        match chunk(db, &plan, checkpoint).await {
            Ok(Step::Continue(next)) => (checkpoint, contended) = (next, 0),
            Ok(Step::Cancelled) => {
                return finish(db, settings, claim, &Outcome::Succeeded(BulkJobStatus::Cancelled.as_str())).await;
            }
            Ok(Step::Lost) => return Ok(false),
            // Someone changed one of the chunk's rows while it ran: nothing of it was kept, so
            // it runs again at once, on the rows as they are now.
            Err(DomainError::Transient(_)) if contended < CHUNK_ATTEMPTS => contended += 1,
            Err(error) => return finish(db, settings, claim, &Outcome::Retryable(RunError::internal(error))).await,
        }
    }
}

/// How many times in a row a chunk is run again after a concurrent change got in its way,
/// before the job is handed to the usual retry with backoff.
const CHUNK_ATTEMPTS: u32 = 5;

/// Runs the chunk after `checkpoint` (which must be before the job's last position).
async fn chunk(db: &Db, plan: &Plan<'_>, checkpoint: i64) -> Result<Step, DomainError> {
    let now = storable_time(Utc::now());
    let (kind, scope, claim) = (plan.kind, plan.scope, plan.claim);
    let last = Ord::min(checkpoint.saturating_add(plan.chunk_size), plan.last);
    let items = Chunk { job: claim.id, after: checkpoint, last };
    let table = kind.table();
    let sql = plan.change.sql();
    let txn = db.begin_snapshot_write().await?;

    // The items whose row is gone or outside the job's tenant, and those the action's SQL does
    // not cover (every item, for an action without SQL): one LEFT JOIN of the frozen items to
    // the rows.
    let mut on = Condition::all().add(Expr::col((table, "id")).equals((ITEMS, "target_id")));
    if let Some(tenant_id) = scope.tenant_id() {
        on = on.add(Expr::col((table, "tenant_id")).eq(tenant_id));
    }
    let mut exceptions = Query::select();
    exceptions
        .column((ITEMS, "position"))
        .column((ITEMS, "target_id"))
        .column((table, "id"))
        .from(ITEMS)
        .join(JoinType::LeftJoin, table, on)
        .cond_where(items.condition())
        .order_by((ITEMS, "position"), Order::Asc);
    if let Some(sql) = &sql {
        exceptions.cond_where(Condition::any().add(Expr::col((table, "id")).is_null()).add(sql.exact.clone().not()));
    }
    let mut failures = Vec::new();
    let mut to_read = Vec::new();
    for row in txn.query_all(&exceptions).await? {
        let (position, target_id): (i64, i64) = (row.try_get_by_index(0)?, row.try_get_by_index(1)?);
        match row.try_get_by_index::<Option<i64>>(2)? {
            Some(_) => to_read.push((position, target_id)),
            None => failures.push((position, NOT_FOUND.to_owned())),
        }
    }
    if let Some(sql) = sql {
        // Every other row of the chunk, changed by the database in one statement. It runs
        // before the rows below are written, which it must not see.
        let mut update = Query::update();
        update.table(table);
        for (column, value) in sql.set {
            update.value(column, value);
        }
        if kind.has_updated_at() {
            update.value("updated_at", now);
        }
        update
            .and_where(Expr::col((table, "id")).in_subquery(items.target_ids()))
            .and_where(sql.exact)
            .and_where(sql.changes);
        if let Some(tenant_id) = scope.tenant_id() {
            update.and_where(Expr::col((table, "tenant_id")).eq(tenant_id));
        }
        txn.execute(&update).await?;
    }
    if !to_read.is_empty() {
        let ids: Vec<i64> = to_read.iter().map(|(_, id)| *id).collect();
        let rows: HashMap<i64, TargetRow> =
            TargetRow::load(&txn, kind, scope, &ids).await?.into_iter().map(|row| (row.id(), row)).collect();
        let mut updates: Vec<(i64, Changes)> = Vec::new();
        for (position, target_id) in &to_read {
            match rows.get(target_id).map(|row| (row, plan.change.apply(row, now))) {
                None => failures.push((*position, NOT_FOUND.to_owned())),
                Some((_, Ok(None))) => {}
                Some((row, Ok(Some(after)))) => updates.push((*target_id, row.changes(&after))),
                Some((_, Err(reason))) => failures.push((*position, reason)),
            }
        }
        write_rows(&txn, kind, now, &updates).await?;
    }
    for (position, reason) in &failures {
        let mark = Query::update()
            .table(ITEMS)
            .value("outcome", sea_orm::Value::from(BulkItemOutcome::Failed))
            .value("error", reason.as_str())
            .and_where(Expr::col("bulk_job_id").eq(claim.id))
            .and_where(Expr::col("position").eq(*position))
            .to_owned();
        txn.execute(&mark).await?;
    }
    let (done, failed) = (last - checkpoint, failures.len() as i64);
    let advance = Query::update()
        .table("bulk_jobs")
        .value("checkpoint", last)
        .value("processed", Expr::col("processed").add(done))
        .value("succeeded", Expr::col("succeeded").add(done - failed))
        .value("failed", Expr::col("failed").add(failed))
        .value("heartbeat_at", now)
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(claim.id))
        .and_where(Expr::col("claim_token").eq(claim.token.as_str()))
        .and_where(Expr::col("status").eq(BulkJobStatus::Running.as_str()))
        .and_where(Expr::col("checkpoint").eq(checkpoint))
        .returning(Query::returning().column("cancel_requested_at"))
        .to_owned();
    // No row: the claim is stale, and dropping the transaction undoes the whole chunk.
    let Some(job) = txn.query_one(&advance).await? else {
        return Ok(Step::Lost);
    };
    let cancel_requested_at: Option<DateTime<Utc>> = job.try_get("", "cancel_requested_at")?;
    txn.commit().await?;
    db.job_changed(JobKind::Bulk, claim.id);
    Ok(match cancel_requested_at {
        Some(_) if last < plan.last => Step::Cancelled,
        _ => Step::Continue(last),
    })
}

const ITEMS: &str = "bulk_job_items";

/// A chunk's items: positions `after + 1 ..= last` of the job.
struct Chunk {
    job: i64,
    after: i64,
    last: i64,
}

impl Chunk {
    fn condition(&self) -> Condition {
        Condition::all()
            .add(Expr::col((ITEMS, "bulk_job_id")).eq(self.job))
            .add(Expr::col((ITEMS, "position")).gt(self.after))
            .add(Expr::col((ITEMS, "position")).lte(self.last))
    }

    /// `SELECT target_id FROM bulk_job_items WHERE <the chunk> ORDER BY position LIMIT size`. The
    /// order and limit change nothing but the plan: without them PostgreSQL, before it has
    /// statistics of a freshly frozen job, may read the chunk through the (job, outcome,
    /// position) index, i.e. every item of the job for each chunk; with them it takes the
    /// primary key's range.
    fn target_ids(&self) -> SelectStatement {
        Query::select()
            .column((ITEMS, "target_id"))
            .from(ITEMS)
            .cond_where(self.condition())
            .order_by((ITEMS, "position"), Order::Asc)
            .limit(u64::try_from(self.last - self.after).unwrap_or(0))
            .to_owned()
    }
}

type Changes = Vec<(&'static str, sea_orm::Value)>;

/// Writes the changed columns of a chunk's rows: one UPDATE per set of changed columns (in
/// practice one or two per chunk), never one per row. When every row takes the same values it
/// is a plain `SET .. WHERE id IN (..)`; otherwise the rows' new values are joined in as a
/// `VALUES` list (`UPDATE .. FROM (VALUES ..)`, on both engines), which costs the same per row
/// whatever the chunk size.
async fn write_rows(
    txn: &DatabaseTransaction,
    kind: TargetKind,
    now: DateTime<Utc>,
    updates: &[(i64, Changes)],
) -> Result<(), DomainError> {
    let mut groups: BTreeMap<Vec<&'static str>, Vec<(i64, &Changes)>> = BTreeMap::new();
    for (id, changes) in updates.iter().filter(|(_, changes)| !changes.is_empty()) {
        groups.entry(changes.iter().map(|(column, _)| *column).collect()).or_default().push((*id, changes));
    }
    for (columns, rows) in groups {
        let uniform = rows.windows(2).all(|pair| pair[0].1 == pair[1].1);
        match rows.first() {
            Some((_, changes)) if uniform => {
                let mut statement = Query::update();
                statement.table(kind.table());
                for (column, value) in changes.iter() {
                    statement.value(*column, Expr::val(value.clone()));
                }
                if kind.has_updated_at() {
                    statement.value("updated_at", now);
                }
                statement.and_where(Expr::col("id").is_in(rows.iter().map(|(id, _)| *id)));
                txn.execute(&statement).await?;
            }
            _ => {
                txn.execute_raw(joined_update(txn.get_database_backend(), kind, now, &columns, &rows)).await?;
            }
        }
    }
    Ok(())
}

/// `UPDATE t SET c = v.column2, .. FROM (VALUES (id, value, ..), ..) AS v WHERE t.id = v.column1`.
/// Names are our own constants, values are bound.
fn joined_update(
    backend: DbBackend,
    kind: TargetKind,
    now: DateTime<Utc>,
    columns: &[&'static str],
    rows: &[(i64, &Changes)],
) -> Statement {
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(rows.len() * (columns.len() + 1) + 1);
    let mut placeholder = |value: sea_orm::Value| {
        values.push(value);
        match backend {
            DbBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_owned(),
        }
    };
    let table = kind.table();
    let mut assignments: Vec<String> =
        columns.iter().enumerate().map(|(i, column)| format!("\"{column}\" = v.column{}", i + 2)).collect();
    if kind.has_updated_at() {
        assignments.push(format!("\"updated_at\" = {}", placeholder(now.into())));
    }
    let tuples: Vec<String> = rows
        .iter()
        .map(|(id, changes)| {
            let mut tuple = vec![placeholder((*id).into())];
            tuple.extend(changes.iter().map(|(_, value)| placeholder(value.clone())));
            format!("({})", tuple.join(", "))
        })
        .collect();
    let sql = format!(
        "UPDATE \"{table}\" SET {} FROM (VALUES {}) AS v WHERE \"{table}\".\"id\" = v.column1",
        assignments.join(", "),
        tuples.join(", ")
    );
    Statement::from_sql_and_values(backend, sql, values)
}

/// Records how the run ended, with the claim's fence; a finished job's audit entry (with its
/// counts) commits in the same transaction as its final state.
async fn finish(db: &Db, settings: &WorkerSettings, claim: &Claim, outcome: &Outcome) -> Result<bool, DomainError> {
    let txn = db.begin_write().await?;
    if !jobs::finish(&txn, claim, outcome, settings.backoff, Vec::new()).await? {
        txn.rollback().await?;
        return Ok(false);
    }
    let job = bulk_jobs::Entity::find_by_id(claim.id).one(&txn).await?.ok_or(DomainError::NotFound("bulk job"))?;
    if job.status.is_finished() {
        let mut metadata = counts(&job);
        // The audit log is read by the tenant too: its version of the error.
        if let Some(error) = &job.public_error {
            metadata["error"] = serde_json::Value::String(error.clone());
        }
        let event = match job.status {
            BulkJobStatus::Failed => {
                AuditEvent::failed("bulk_job.finish", job.public_error.as_deref().unwrap_or("failed"))
            }
            _ => AuditEvent::succeeded("bulk_job.finish"),
        };
        audit::append(
            &txn,
            &AuditActor::system("worker"),
            &RequestMeta::default(),
            event.target("bulk_job", job.id).tenant(job.tenant_id).metadata(metadata),
        )
        .await?;
    }
    txn.commit().await?;
    jobs::finished(db, claim, outcome);
    Ok(true)
}
