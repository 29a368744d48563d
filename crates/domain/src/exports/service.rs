//! Creating, listing, retrying and downloading export jobs, always in the caller's scope.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Value,
    sea_query::{Expr, ExprTrait, Query},
};
use serde::{Deserialize, Serialize};

use crate::{
    Db, DomainError,
    access::{Caller, Permission, Scope},
    audit::{self, AuditEvent, RequestMeta, chain::storable_time},
    entities::{
        enums::{ExportDataset, ExportJobStatus, JobKind, OrderStatus},
        export_jobs, tenants,
    },
    exports::store::{ExportFile, ExportStore},
    pagination::{Page, PageRequest},
};

pub use export_jobs::Model as ExportJob;

/// What to export besides the tenant: a time window over the dataset's own timestamp
/// (orders and products: created, customers: signed up, audit log: occurred), and for
/// orders a status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFilters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
}

pub struct NewExport {
    pub dataset: ExportDataset,
    /// Staff: one tenant, or `None` for all. Partners: their own (another is refused).
    pub tenant_id: Option<i64>,
    pub filters: ExportFilters,
}

#[derive(Clone, Debug, Default)]
pub struct ExportListFilter {
    pub status: Option<ExportJobStatus>,
    pub dataset: Option<ExportDataset>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
}

impl ExportListFilter {
    fn condition(&self) -> Result<Condition, DomainError> {
        if let (Some(from), Some(to)) = (self.created_from, self.created_to)
            && from >= to
        {
            return Err(DomainError::invalid_field("created_to", "must be after created_from"));
        }
        Ok(Condition::all()
            .add_option(self.status.map(|s| export_jobs::Column::Status.eq(s)))
            .add_option(self.dataset.map(|d| export_jobs::Column::Dataset.eq(d)))
            .add_option(self.created_from.map(|at| export_jobs::Column::CreatedAt.gte(at)))
            .add_option(self.created_to.map(|at| export_jobs::Column::CreatedAt.lt(at))))
    }
}

fn scoped(scope: Scope) -> sea_orm::Select<export_jobs::Entity> {
    scope.filter(export_jobs::Entity::find(), export_jobs::Column::TenantId)
}

fn validate(new: &NewExport) -> Result<(), DomainError> {
    if new.filters.status.is_some() && new.dataset != ExportDataset::Orders {
        return Err(DomainError::invalid_field("filters.status", "only orders have a status to filter on"));
    }
    if let (Some(from), Some(to)) = (new.filters.from, new.filters.to)
        && from >= to
    {
        return Err(DomainError::invalid_field("filters.to", "must be after filters.from"));
    }
    Ok(())
}

/// Queues a new export (PENDING; the worker picks it up). An audit-log export also needs
/// `audit:export`.
pub async fn create(
    db: &Db,
    caller: &Caller,
    scope: Scope,
    new: NewExport,
    max_attempts: u32,
    request: &RequestMeta,
) -> Result<ExportJob, DomainError> {
    if new.dataset == ExportDataset::AuditLog {
        caller.authorize(Permission::AuditExport)?;
    }
    let scope = scope.narrow(new.tenant_id)?;
    validate(&new)?;
    let now = storable_time(Utc::now());
    let (user_id, token_id) = caller.requested_by();
    let filters = serde_json::to_string(&new.filters).map_err(|e| DomainError::Internal(e.to_string()))?;
    let txn = db.begin_write().await?;
    // Staff may name any tenant id: one that does not exist is a 404, not a foreign-key failure.
    if let Some(tenant_id) = scope.tenant_id()
        && tenants::Entity::find_by_id(tenant_id).one(&txn).await?.is_none()
    {
        return Err(DomainError::NotFound("tenant"));
    }
    let job = export_jobs::ActiveModel {
        status: Set(ExportJobStatus::Pending),
        attempts: Set(0),
        max_attempts: Set(i32::try_from(max_attempts).unwrap_or(5)),
        run_after: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        tenant_id: Set(scope.tenant_id()),
        requested_by_user_id: Set(user_id),
        requested_by_token_id: Set(token_id),
        dataset: Set(new.dataset),
        format: Set("csv".to_owned()),
        filters: Set(filters),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::succeeded("export_job.create")
            .target("export_job", job.id)
            .tenant(job.tenant_id)
            .metadata(serde_json::json!({"dataset": new.dataset, "filters": new.filters})),
    )
    .await?;
    txn.commit().await?;
    db.job_queued(JobKind::Export, job.id);
    Ok(job)
}

pub async fn list(
    db: &Db,
    scope: Scope,
    filter: &ExportListFilter,
    page: PageRequest,
) -> Result<Page<ExportJob>, DomainError> {
    let mut query =
        scoped(scope).filter(filter.condition()?).order_by_desc(export_jobs::Column::Id).limit(page.limit + 1);
    if let Some(before) = page.before_id {
        query = query.filter(export_jobs::Column::Id.lt(before));
    }
    Ok(Page::from_rows(query.all(db.conn()).await?, page, |job| job.id))
}

pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<ExportJob, DomainError> {
    scoped(scope)
        .filter(export_jobs::Column::Id.eq(id))
        .one(db.conn())
        .await?
        .ok_or(DomainError::NotFound("export job"))
}

/// Why a job in a bulk retry was not retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedRetry {
    pub id: i64,
    /// `not_found` or `not_failed`.
    pub code: &'static str,
    pub detail: String,
}

#[derive(Clone, Debug, Default)]
pub struct RetryReport {
    pub retried: Vec<ExportJob>,
    pub skipped: Vec<SkippedRetry>,
}

/// Puts one FAILED job back in the queue, inside `txn`. The conditional update is the guard:
/// of two simultaneous retries exactly one matches, so the job runs once.
async fn requeue(
    txn: &DatabaseTransaction,
    caller: &Caller,
    scope: Scope,
    id: i64,
    request: &RequestMeta,
) -> Result<Result<ExportJob, SkippedRetry>, DomainError> {
    let now = storable_time(Utc::now());
    let mut update = Query::update();
    update
        .table("export_jobs")
        .value("status", "PENDING")
        .value("attempts", 0)
        .value("run_after", now)
        .value("enqueued_at", Value::ChronoDateTimeUtc(None))
        .value("finished_at", Value::ChronoDateTimeUtc(None))
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq("FAILED"));
    if let Some(tenant) = scope.tenant_id() {
        update.and_where(Expr::col("tenant_id").eq(tenant));
    }
    if txn.execute(&update).await?.rows_affected() == 1 {
        let job = export_jobs::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::NotFound("export job"))?;
        audit::append(
            txn,
            &caller.into(),
            request,
            AuditEvent::succeeded("export_job.retry")
                .target("export_job", id)
                .tenant(job.tenant_id)
                .metadata(serde_json::json!({"previous_error": job.public_error})),
        )
        .await?;
        return Ok(Ok(job));
    }
    Ok(Err(match scoped(scope).filter(export_jobs::Column::Id.eq(id)).one(txn).await? {
        None => SkippedRetry { id, code: "not_found", detail: "no such export job".to_owned() },
        Some(job) => SkippedRetry {
            id,
            code: "not_failed",
            detail: format!("only FAILED jobs are retried; this one is {}", job.status.as_str()),
        },
    }))
}

/// Retries one FAILED job: 409 in any other state, 404 outside the scope.
pub async fn retry(
    db: &Db,
    caller: &Caller,
    scope: Scope,
    id: i64,
    request: &RequestMeta,
) -> Result<ExportJob, DomainError> {
    let txn = db.begin_write().await?;
    match requeue(&txn, caller, scope, id, request).await? {
        Ok(job) => {
            txn.commit().await?;
            db.job_queued(JobKind::Export, job.id);
            Ok(job)
        }
        Err(skipped) if skipped.code == "not_found" => Err(DomainError::NotFound("export job")),
        Err(skipped) => Err(DomainError::conflict("not_failed", skipped.detail)),
    }
}

pub const MAX_RETRY_IDS: usize = 500;

/// Retries the FAILED jobs among `ids` and reports, for each other one, why not.
pub async fn retry_many(
    db: &Db,
    caller: &Caller,
    scope: Scope,
    ids: &[i64],
    request: &RequestMeta,
) -> Result<RetryReport, DomainError> {
    if ids.is_empty() || ids.len() > MAX_RETRY_IDS {
        return Err(DomainError::invalid_field("ids", format!("give 1 to {MAX_RETRY_IDS} ids")));
    }
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let txn = db.begin_write().await?;
    let mut report = RetryReport::default();
    for id in unique {
        match requeue(&txn, caller, scope, id, request).await? {
            Ok(job) => report.retried.push(job),
            Err(skipped) => report.skipped.push(skipped),
        }
    }
    txn.commit().await?;
    for job in &report.retried {
        db.job_queued(JobKind::Export, job.id);
    }
    Ok(report)
}

/// A file ready to hand out.
pub struct Download {
    pub file: ExportFile,
    pub filename: String,
}

/// Authorizes and records a download. Only DONE jobs whose file has not expired have one.
pub async fn download(
    db: &Db,
    store: &dyn ExportStore,
    caller: &Caller,
    scope: Scope,
    id: i64,
    request: &RequestMeta,
) -> Result<Download, DomainError> {
    let job = get(db, scope, id).await?;
    let now = Utc::now();
    let key = match (&job.status, &job.storage_key, job.file_deleted_at, job.expires_at) {
        (ExportJobStatus::Done, Some(key), None, Some(expires)) if expires > now => key.clone(),
        (ExportJobStatus::Done, ..) => {
            return Err(DomainError::conflict("export_expired", "this export's file has expired; create a new export"));
        }
        (status, ..) => {
            return Err(DomainError::conflict(
                "export_not_ready",
                format!("the export is {}; only DONE exports can be downloaded", status.as_str()),
            ));
        }
    };
    let file =
        store.open(&key).await.map_err(|e| DomainError::Internal(format!("opening export {id} ({key}): {e}")))?;
    let txn = db.begin_write().await?;
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::succeeded("export_job.download")
            .target("export_job", id)
            .tenant(job.tenant_id)
            .metadata(serde_json::json!({"rows": job.row_count, "bytes": job.byte_size})),
    )
    .await?;
    txn.commit().await?;
    let dataset = sea_orm::ActiveEnum::to_value(&job.dataset);
    Ok(Download { file, filename: format!("{dataset}-export-{id}.csv") })
}
