//! Previewing, starting, following, cancelling and retrying bulk jobs, always in the caller's
//! scope. Every change writes its audit row in the same transaction.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr,
    sea_query::{Expr, ExprTrait, Func, Query},
};
use serde_json::Value;

use crate::{
    Db, DomainError,
    access::{Actor, Caller, Scope},
    audit::{self, AuditEvent, RequestMeta, chain::storable_time},
    auth::secrets::sha256_hex,
    bulk::{
        actions::{self, Action, Change},
        target::{Target, TargetKind, TargetRow, TargetSet},
        token::{self, Claims, ConfirmationKey, TOKEN_TTL},
    },
    config::WorkerSettings,
    entities::{
        bulk_job_items, bulk_jobs,
        enums::{BulkItemOutcome, BulkJobStatus, JobKind},
    },
    pagination::{Page, PageRequest},
};

pub use bulk_jobs::Model as BulkJob;

/// Rows shown before -> after in a preview.
pub const SAMPLE_SIZE: u64 = 10;

/// What the caller wants done: the same shape for the preview and the confirmation.
#[derive(Clone, Debug)]
pub struct BulkRequest {
    pub action: String,
    pub params: Value,
    pub target: Target,
    /// Staff: one tenant, or `None` for all. Partners: their own (another is refused).
    pub tenant_id: Option<i64>,
}

/// A preview confirmed: the request again, with the preview's token.
#[derive(Clone, Debug)]
pub struct Confirmation {
    pub request: BulkRequest,
    pub token: String,
}

/// One row of a preview.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleRow {
    pub id: i64,
    pub tenant_id: i64,
    pub before: Value,
    /// `None` when this row cannot take the change (see `error`); equal to `before` when the
    /// row is already as the action would leave it.
    pub after: Option<Value>,
    pub error: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Preview {
    pub action: String,
    /// The parameters in canonical form.
    pub params: Value,
    /// Rows in scope that the job would act on.
    pub total: i64,
    pub sample: Vec<SampleRow>,
    /// Explicit ids not in the caller's scope (another tenant's, or none at all): never touched.
    pub foreign_ids: Vec<i64>,
    pub confirmation_token: String,
    pub expires_at: DateTime<Utc>,
}

/// A request checked against the registry and the caller's scope.
struct Checked {
    action: &'static dyn Action,
    change: Box<dyn Change>,
    target: TargetSet,
    scope: Scope,
    params_json: String,
    target_json: String,
}

impl Checked {
    fn new(scope: Scope, request: &BulkRequest) -> Result<Self, DomainError> {
        let scope = scope.narrow(request.tenant_id)?;
        let action = actions::find(&request.action)?;
        let change = action.prepare(&request.params)?;
        let target = TargetSet::parse(action.target(), &request.target)?;
        let params_json = change.params().to_string();
        let target_json = target.canonical();
        Ok(Self { action, change, target, scope, params_json, target_json })
    }

    fn kind(&self) -> TargetKind {
        self.action.target()
    }

    fn claims(&self, caller: &Caller) -> Claims {
        let actor = match caller.actor() {
            Actor::User { id, .. } => format!("user:{id}"),
            Actor::Token { id, .. } => format!("token:{id}"),
        };
        Claims::new(actor, self.scope.tenant_id(), self.action.name(), &self.params_json, &self.target_json)
    }
}

fn now() -> DateTime<Utc> {
    storable_time(Utc::now())
}

fn sample_row(change: &dyn Change, row: &TargetRow, now: DateTime<Utc>) -> SampleRow {
    let before = row.view();
    let (after, error) = match change.apply(row, now) {
        Ok(Some(after)) => (Some(after.view()), None),
        Ok(None) => (Some(before.clone()), None),
        Err(reason) => (None, Some(reason)),
    };
    SampleRow { id: row.id(), tenant_id: row.tenant_id(), before, after, error }
}

/// Counts and samples what a request would change, and hands out the token that confirms it.
/// Changes nothing.
pub async fn preview(
    db: &Db,
    key: &ConfirmationKey,
    caller: &Caller,
    scope: Scope,
    request: &BulkRequest,
) -> Result<Preview, DomainError> {
    let checked = Checked::new(scope, request)?;
    let conn = db.conn();
    let (total, foreign_ids) = match &checked.target {
        TargetSet::Ids(ids) => {
            let found = checked.target.found_ids(conn, checked.kind(), checked.scope).await?;
            let foreign: Vec<i64> = ids.iter().copied().filter(|id| found.binary_search(id).is_err()).collect();
            (i64::try_from(found.len()).unwrap_or(i64::MAX), foreign)
        }
        TargetSet::Filter(_) => (checked.target.count(conn, checked.kind(), checked.scope).await?, Vec::new()),
    };
    let now = now();
    let sample = checked
        .target
        .sample(conn, checked.kind(), checked.scope, SAMPLE_SIZE)
        .await?
        .iter()
        .map(|row| sample_row(checked.change.as_ref(), row, now))
        .collect();
    let expires_at = now + TOKEN_TTL;
    Ok(Preview {
        action: checked.action.name().to_owned(),
        params: checked.change.params(),
        total,
        sample,
        foreign_ids,
        confirmation_token: token::issue(key, checked.claims(caller), expires_at),
        expires_at,
    })
}

fn is_unique_violation(error: &sea_orm::DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

struct NewJob<'a> {
    caller: &'a Caller,
    tenant_id: Option<i64>,
    action: &'a str,
    params: String,
    target: String,
    confirmation_hash: String,
    retry_of_id: Option<i64>,
}

/// Inserts a PENDING job (its total is set once its items are frozen). `None` when the
/// confirmation hash is taken: the token (or the retry) was used already.
async fn insert_job(
    txn: &DatabaseTransaction,
    new: NewJob<'_>,
    settings: &WorkerSettings,
) -> Result<Option<BulkJob>, DomainError> {
    let taken = bulk_jobs::Entity::find()
        .filter(bulk_jobs::Column::ConfirmationHash.eq(new.confirmation_hash.as_str()))
        .one(txn)
        .await?;
    if taken.is_some() {
        return Ok(None);
    }
    let now = now();
    let (user_id, token_id) = new.caller.requested_by();
    let inserted = bulk_jobs::ActiveModel {
        status: Set(BulkJobStatus::Pending),
        attempts: Set(0),
        max_attempts: Set(i32::try_from(settings.max_attempts).unwrap_or(5)),
        run_after: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        tenant_id: Set(new.tenant_id),
        requested_by_user_id: Set(user_id),
        requested_by_token_id: Set(token_id),
        action: Set(new.action.to_owned()),
        params: Set(new.params),
        target: Set(new.target),
        confirmation_hash: Set(new.confirmation_hash),
        total: Set(0),
        processed: Set(0),
        succeeded: Set(0),
        failed: Set(0),
        checkpoint: Set(-1),
        chunk_size: Set(i32::try_from(settings.bulk_chunk_size).unwrap_or(500)),
        retry_of_id: Set(new.retry_of_id),
        ..Default::default()
    }
    .insert(txn)
    .await;
    match inserted {
        Ok(job) => Ok(Some(job)),
        // Two confirmations raced past the check above (PostgreSQL): the constraint decides.
        Err(error) if is_unique_violation(&error) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

async fn set_total(txn: &DatabaseTransaction, mut job: BulkJob, total: i64) -> Result<BulkJob, DomainError> {
    let update =
        Query::update().table("bulk_jobs").value("total", total).and_where(Expr::col("id").eq(job.id)).to_owned();
    txn.execute(&update).await?;
    job.total = total;
    Ok(job)
}

/// Confirms a preview: checks the token against the request, freezes the target set (a filter
/// is resolved now) and queues the job, all in one transaction. A token makes one job; any
/// further use is a 409 `token_used`, even when two arrive at once.
pub async fn start(
    db: &Db,
    key: &ConfirmationKey,
    caller: &Caller,
    scope: Scope,
    confirmation: &Confirmation,
    settings: &WorkerSettings,
    meta: &RequestMeta,
) -> Result<BulkJob, DomainError> {
    let checked = Checked::new(scope, &confirmation.request)?;
    token::verify(key, &confirmation.token, &checked.claims(caller), Utc::now())?;
    let token_used = || {
        DomainError::conflict("token_used", "this confirmation token already started a job; preview again for another")
    };
    let txn = db.begin_write().await?;
    let new = NewJob {
        caller,
        tenant_id: checked.scope.tenant_id(),
        action: checked.action.name(),
        params: checked.params_json.clone(),
        target: checked.target_json.clone(),
        confirmation_hash: sha256_hex(confirmation.token.trim()),
        retry_of_id: None,
    };
    let job = insert_job(&txn, new, settings).await?.ok_or_else(token_used)?;
    let total = checked.target.freeze(&txn, checked.kind(), checked.scope, job.id).await?;
    if total == 0 {
        return Err(DomainError::invalid("empty_target", "no row in your scope matches the target; nothing to do"));
    }
    let job = set_total(&txn, job, total).await?;
    let foreign = match &checked.target {
        TargetSet::Ids(ids) => i64::try_from(ids.len()).unwrap_or(i64::MAX) - total,
        TargetSet::Filter(_) => 0,
    };
    audit::append(
        &txn,
        &caller.into(),
        meta,
        AuditEvent::succeeded("bulk_job.start").target("bulk_job", job.id).tenant(job.tenant_id).metadata(
            serde_json::json!({
                "action": job.action,
                "params": checked.change.params(),
                "target": checked.kind().table(),
                "total": total,
                "foreign_ids": foreign,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    db.job_queued(JobKind::Bulk, job.id);
    Ok(job)
}

fn scoped(scope: Scope) -> sea_orm::Select<bulk_jobs::Entity> {
    scope.filter(bulk_jobs::Entity::find(), bulk_jobs::Column::TenantId)
}

#[derive(Clone, Debug, Default)]
pub struct BulkListFilter {
    pub status: Option<BulkJobStatus>,
    pub action: Option<String>,
}

pub async fn list(
    db: &Db,
    scope: Scope,
    filter: &BulkListFilter,
    page: PageRequest,
) -> Result<Page<BulkJob>, DomainError> {
    let condition = Condition::all()
        .add_option(filter.status.map(|s| bulk_jobs::Column::Status.eq(s)))
        .add_option(filter.action.as_ref().map(|a| bulk_jobs::Column::Action.eq(a.as_str())));
    let mut query = scoped(scope).filter(condition).order_by_desc(bulk_jobs::Column::Id).limit(page.limit + 1);
    if let Some(before) = page.before_id {
        query = query.filter(bulk_jobs::Column::Id.lt(before));
    }
    Ok(Page::from_rows(query.all(db.conn()).await?, page, |job| job.id))
}

pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<BulkJob, DomainError> {
    scoped(scope).filter(bulk_jobs::Column::Id.eq(id)).one(db.conn()).await?.ok_or(DomainError::NotFound("bulk job"))
}

async fn get_in(txn: &DatabaseTransaction, scope: Scope, id: i64) -> Result<BulkJob, DomainError> {
    scoped(scope).filter(bulk_jobs::Column::Id.eq(id)).one(txn).await?.ok_or(DomainError::NotFound("bulk job"))
}

fn finished(status: BulkJobStatus) -> bool {
    matches!(status, BulkJobStatus::Done | BulkJobStatus::Failed | BulkJobStatus::Cancelled)
}

/// The counts a finished job's audit entry carries.
pub(crate) fn counts(job: &BulkJob) -> Value {
    serde_json::json!({
        "status": job.status.as_str(),
        "total": job.total,
        "processed": job.processed,
        "succeeded": job.succeeded,
        "failed": job.failed,
    })
}

/// Asks a job to stop. A PENDING job is CANCELLED at once; a RUNNING one stops after its
/// current chunk (CANCELLED, keeping what was done). A finished job: 409.
pub async fn cancel(
    db: &Db,
    caller: &Caller,
    scope: Scope,
    id: i64,
    meta: &RequestMeta,
) -> Result<BulkJob, DomainError> {
    let now = now();
    let txn = db.begin_write().await?;
    let in_scope = |update: &mut sea_orm::sea_query::UpdateStatement| {
        update.table("bulk_jobs").value("updated_at", now).and_where(Expr::col("id").eq(id));
        if let Some(tenant) = scope.tenant_id() {
            update.and_where(Expr::col("tenant_id").eq(tenant));
        }
    };
    // Conditional updates, not a read-then-write: whichever state the job is in when the
    // update runs decides. Nobody holds a PENDING job, so cancelling it is the whole story.
    let mut pending = Query::update();
    in_scope(&mut pending);
    pending
        .value("status", BulkJobStatus::Cancelled.as_str())
        .value("cancel_requested_at", now)
        .value("finished_at", now)
        .and_where(Expr::col("status").eq(BulkJobStatus::Pending.as_str()));
    // A RUNNING job: its worker reads the request before each chunk.
    let mut running = Query::update();
    in_scope(&mut running);
    running
        .value("cancel_requested_at", Func::coalesce([Expr::col("cancel_requested_at"), Expr::val(now)]))
        .and_where(Expr::col("status").eq(BulkJobStatus::Running.as_str()));
    if txn.execute(&pending).await?.rows_affected() == 0 && txn.execute(&running).await?.rows_affected() == 0 {
        let job = get_in(&txn, scope, id).await?;
        return Err(DomainError::conflict(
            "job_finished",
            format!("the job is {}; only PENDING or RUNNING jobs can be cancelled", job.status.as_str()),
        ));
    }
    let job = get_in(&txn, scope, id).await?;
    let actor = caller.into();
    let event =
        |action| AuditEvent::succeeded(action).target("bulk_job", id).tenant(job.tenant_id).metadata(counts(&job));
    audit::append(&txn, &actor, meta, event("bulk_job.cancel")).await?;
    if finished(job.status) {
        audit::append(&txn, &actor, meta, event("bulk_job.finish")).await?;
    }
    txn.commit().await?;
    db.job_changed(JobKind::Bulk, id);
    Ok(job)
}

/// A new job over just the failed rows of a finished one. At most one retry per job: its
/// confirmation hash is derived from the original's id, so a second (or a simultaneous) retry
/// is a 409 and no row is retried twice.
pub async fn retry_failed(
    db: &Db,
    caller: &Caller,
    scope: Scope,
    id: i64,
    settings: &WorkerSettings,
    meta: &RequestMeta,
) -> Result<BulkJob, DomainError> {
    let txn = db.begin_write().await?;
    let original = get_in(&txn, scope, id).await?;
    if !finished(original.status) {
        return Err(DomainError::conflict(
            "job_not_finished",
            format!("the job is {}; retry its failed rows once it has finished", original.status.as_str()),
        ));
    }
    if original.failed == 0 {
        return Err(DomainError::conflict("no_failed_rows", "no row of this job failed; there is nothing to retry"));
    }
    let new = NewJob {
        caller,
        tenant_id: original.tenant_id,
        action: &original.action,
        params: original.params.clone(),
        target: serde_json::json!({ "failed_rows_of": id }).to_string(),
        confirmation_hash: sha256_hex(&format!("retry-failed:{id}")),
        retry_of_id: Some(id),
    };
    let job = insert_job(&txn, new, settings)
        .await?
        .ok_or_else(|| DomainError::conflict("already_retried", "the failed rows of this job were retried already"))?;
    let select = Query::select()
        .expr(Expr::val(job.id))
        .expr(Expr::cust("ROW_NUMBER() OVER (ORDER BY position) - 1"))
        .column("target_id")
        .from("bulk_job_items")
        .and_where(Expr::col("bulk_job_id").eq(id))
        .and_where(Expr::col("outcome").eq(sea_orm::Value::from(BulkItemOutcome::Failed)))
        .to_owned();
    let insert = Query::insert()
        .into_table("bulk_job_items")
        .columns(["bulk_job_id", "position", "target_id"])
        .select_from(select)
        .map_err(|e| DomainError::Internal(format!("copying failed rows: {e}")))?
        .to_owned();
    let total = i64::try_from(txn.execute(&insert).await?.rows_affected()).unwrap_or(i64::MAX);
    let job = set_total(&txn, job, total).await?;
    audit::append(
        &txn,
        &caller.into(),
        meta,
        AuditEvent::succeeded("bulk_job.retry_failed")
            .target("bulk_job", job.id)
            .tenant(job.tenant_id)
            .metadata(serde_json::json!({"action": job.action, "retry_of": id, "total": total})),
    )
    .await?;
    txn.commit().await?;
    db.job_queued(JobKind::Bulk, job.id);
    Ok(job)
}

/// A row that a job could not change, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkFailure {
    pub position: i64,
    pub target_id: i64,
    pub error: Option<String>,
}

/// The failure report of a job: its failed rows, last position first, in keyset pages.
pub async fn failures(db: &Db, scope: Scope, id: i64, page: PageRequest) -> Result<Page<BulkFailure>, DomainError> {
    get(db, scope, id).await?;
    let mut query = bulk_job_items::Entity::find()
        .filter(bulk_job_items::Column::BulkJobId.eq(id))
        .filter(bulk_job_items::Column::Outcome.eq(BulkItemOutcome::Failed))
        .order_by_desc(bulk_job_items::Column::Position)
        .limit(page.limit + 1);
    if let Some(before) = page.before_id {
        query = query.filter(bulk_job_items::Column::Position.lt(before));
    }
    let rows = query.all(db.conn()).await?;
    let page = Page::from_rows(rows, page, |item| item.position);
    Ok(page.map(|item| BulkFailure { position: item.position, target_id: item.target_id, error: item.error }))
}
