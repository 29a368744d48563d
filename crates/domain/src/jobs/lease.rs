//! Claiming, heartbeating, finishing and recovering job rows.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ConnectionTrait, DatabaseTransaction, Set, Value,
    sea_query::{Expr, ExprTrait, Query, SimpleExpr},
};

use super::RunError;
use crate::{
    Db, DomainError,
    audit::chain::storable_time,
    auth::secrets::random_id,
    entities::{
        enums::{AttemptOutcome, JobKind},
        job_attempts,
    },
};

/// A worker's hold on one job row; every change it makes is fenced by `token`.
#[derive(Clone, Debug)]
pub struct Claim {
    pub kind: JobKind,
    pub id: i64,
    pub token: String,
    /// 1 for the first run.
    pub attempt: i32,
    pub max_attempts: i32,
}

/// How a run ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Done; the row takes this final status (e.g. `DONE`, `PROCESSED`).
    Succeeded(&'static str),
    /// A transient failure: retried with backoff while attempts remain, then FAILED.
    Retryable(RunError),
    /// A failure no retry can fix: FAILED at once.
    Permanent(RunError),
}

// The states every job table shares, as stored; each table's own status enum adds its final ones.
pub(super) const PENDING: &str = "PENDING";
const RUNNING: &str = "RUNNING";
const FAILED: &str = "FAILED";
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// Error texts are for people; a stack of them must not bloat the row.
const MAX_ERROR_LENGTH: usize = 2000;

fn now() -> DateTime<Utc> {
    storable_time(Utc::now())
}

/// `base * 2^(attempt-1)`, capped at an hour.
pub fn backoff(base: Duration, attempt: i32) -> Duration {
    let exponent = Ord::min(u32::try_from(attempt.saturating_sub(1)).unwrap_or(0), 20);
    base.saturating_mul(2u32.saturating_pow(exponent)).min(MAX_BACKOFF)
}

fn truncated(error: &str) -> String {
    error.chars().take(MAX_ERROR_LENGTH).collect()
}

/// Claims a due PENDING row. `None` when someone else has it, it is not due, or it is gone:
/// a duplicate delivery is simply dropped.
pub async fn claim(db: &Db, kind: JobKind, id: i64, worker: &str) -> Result<Option<Claim>, DomainError> {
    let now = now();
    let token = random_id();
    let txn = db.begin_write().await?;
    let update = Query::update()
        .table(kind.table())
        .value("status", RUNNING)
        .value("claim_token", token.as_str())
        .value("heartbeat_at", now)
        .value("attempts", Expr::col("attempts").add(1))
        .value("started_at", now)
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(PENDING))
        .and_where(Expr::col("run_after").lte(now))
        .to_owned();
    if txn.execute(&update).await?.rows_affected() != 1 {
        return Ok(None);
    }
    let select = Query::select()
        .columns(["attempts", "max_attempts"])
        .from(kind.table())
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let row = txn.query_one(&select).await?.ok_or(DomainError::NotFound("job"))?;
    let attempt: i32 = row.try_get("", "attempts")?;
    let max_attempts: i32 = row.try_get("", "max_attempts")?;
    job_attempts::ActiveModel {
        job_kind: Set(kind),
        job_id: Set(id),
        attempt: Set(attempt),
        claim_token: Set(token.clone()),
        worker: Set(worker.chars().take(128).collect()),
        started_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    db.job_changed(kind, id);
    Ok(Some(Claim { kind, id, token, attempt, max_attempts }))
}

/// Keeps the lease alive. `false` means the claim was lost (the row was taken back): stop.
pub async fn heartbeat(db: &Db, claim: &Claim) -> Result<bool, DomainError> {
    let update = Query::update()
        .table(claim.kind.table())
        .value("heartbeat_at", now())
        .and_where(Expr::col("id").eq(claim.id))
        .and_where(Expr::col("claim_token").eq(claim.token.as_str()))
        .and_where(Expr::col("status").eq(RUNNING))
        .to_owned();
    Ok(db.conn().execute(&update).await?.rows_affected() == 1)
}

/// Records how a run ended, together with `extra` columns (e.g. an export's row count), inside
/// the caller's transaction. `false` when the claim is stale: the caller must roll back.
pub async fn finish(
    txn: &DatabaseTransaction,
    claim: &Claim,
    outcome: &Outcome,
    retry_base: Duration,
    extra: Vec<(&'static str, SimpleExpr)>,
) -> Result<bool, DomainError> {
    let now = now();
    let mut update = Query::update();
    update
        .table(claim.kind.table())
        .value("claim_token", Value::String(None))
        .value("heartbeat_at", Value::ChronoDateTimeUtc(None))
        .value("updated_at", now);
    let (attempt_outcome, error) = match outcome {
        Outcome::Succeeded(status) => {
            update
                .value("status", *status)
                .value("finished_at", now)
                .value("last_error", Value::String(None))
                .value("public_error", Value::String(None));
            (AttemptOutcome::Succeeded, None)
        }
        Outcome::Retryable(error) if claim.attempt < claim.max_attempts => {
            let run_after = now + backoff(retry_base, claim.attempt);
            update
                .value("status", PENDING)
                .value("run_after", run_after)
                .value("enqueued_at", Value::ChronoDateTimeUtc(None))
                .value("last_error", truncated(&error.detail))
                .value("public_error", truncated(&error.public));
            (AttemptOutcome::Retry, Some(error))
        }
        Outcome::Retryable(error) | Outcome::Permanent(error) => {
            update
                .value("status", FAILED)
                .value("finished_at", now)
                .value("last_error", truncated(&error.detail))
                .value("public_error", truncated(&error.public));
            (AttemptOutcome::Failed, Some(error))
        }
    };
    for (column, value) in extra {
        update.value(column, value);
    }
    update
        .and_where(Expr::col("id").eq(claim.id))
        .and_where(Expr::col("claim_token").eq(claim.token.as_str()))
        .and_where(Expr::col("status").eq(RUNNING));
    if txn.execute(&update).await?.rows_affected() != 1 {
        return Ok(false);
    }
    if let Some(error) = error {
        error.log(claim.kind, claim.id);
    }
    close_attempt(txn, claim.kind, claim.id, &claim.token, attempt_outcome, error, now).await?;
    Ok(true)
}

/// Tells this process how a run ended, once the transaction of its [`finish`] committed.
pub fn finished(db: &Db, claim: &Claim, outcome: &Outcome) {
    match outcome {
        Outcome::Retryable(_) if claim.attempt < claim.max_attempts => db.job_queued(claim.kind, claim.id),
        _ => db.job_changed(claim.kind, claim.id),
    }
}

/// Hands a claimed job back because the worker is shutting down: PENDING again and due at
/// once, and the run does not count as an attempt (a deployment is not the job's fault). Work
/// the job committed stays committed. `false` when the claim was stale already.
pub async fn release(db: &Db, claim: &Claim, reason: &str) -> Result<bool, DomainError> {
    let now = now();
    let txn = db.begin_write().await?;
    let update = Query::update()
        .table(claim.kind.table())
        .value("status", PENDING)
        .value("attempts", Expr::col("attempts").sub(1))
        .value("claim_token", Value::String(None))
        .value("heartbeat_at", Value::ChronoDateTimeUtc(None))
        .value("run_after", now)
        .value("enqueued_at", Value::ChronoDateTimeUtc(None))
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(claim.id))
        .and_where(Expr::col("claim_token").eq(claim.token.as_str()))
        .and_where(Expr::col("status").eq(RUNNING))
        .to_owned();
    if txn.execute(&update).await?.rows_affected() != 1 {
        return Ok(false);
    }
    let reason = RunError::shared(reason);
    close_attempt(&txn, claim.kind, claim.id, &claim.token, AttemptOutcome::Retry, Some(&reason), now).await?;
    txn.commit().await?;
    db.job_queued(claim.kind, claim.id);
    Ok(true)
}

async fn close_attempt(
    conn: &impl ConnectionTrait,
    kind: JobKind,
    id: i64,
    token: &str,
    outcome: AttemptOutcome,
    error: Option<&RunError>,
    at: DateTime<Utc>,
) -> Result<(), DomainError> {
    let update = Query::update()
        .table("job_attempts")
        .value("finished_at", at)
        .value("outcome", outcome.to_value())
        .value("error", error.map(|error| truncated(&error.detail)))
        .value("public_error", error.map(|error| truncated(&error.public)))
        .and_where(Expr::col("job_kind").eq(kind.as_str()))
        .and_where(Expr::col("job_id").eq(id))
        .and_where(Expr::col("claim_token").eq(token))
        .to_owned();
    conn.execute(&update).await?;
    Ok(())
}

/// Takes back RUNNING rows whose heartbeat stopped: re-queued while attempts remain, else
/// FAILED. Each change is fenced by the dead claim's token. Returns the ids taken back.
pub async fn recover_stale(db: &Db, kind: JobKind, lease: Duration) -> Result<Vec<i64>, DomainError> {
    let now = now();
    let expired_before = now - lease;
    let select = Query::select()
        .columns(["id", "claim_token", "attempts", "max_attempts"])
        .from(kind.table())
        .and_where(Expr::col("status").eq(RUNNING))
        .and_where(Expr::col("heartbeat_at").lt(expired_before))
        .limit(100)
        .to_owned();
    let mut recovered = Vec::new();
    for row in db.conn().query_all(&select).await? {
        let id: i64 = row.try_get("", "id")?;
        let token: Option<String> = row.try_get("", "claim_token")?;
        let attempts: i32 = row.try_get("", "attempts")?;
        let max_attempts: i32 = row.try_get("", "max_attempts")?;
        let Some(token) = token else { continue };
        let error = RunError::shared("the worker running this job stopped responding (its lease expired)");
        let txn = db.begin_write().await?;
        let mut update = Query::update();
        update
            .table(kind.table())
            .value("claim_token", Value::String(None))
            .value("heartbeat_at", Value::ChronoDateTimeUtc(None))
            .value("last_error", error.detail.as_str())
            .value("public_error", error.public.as_str())
            .value("updated_at", now);
        let requeued = attempts < max_attempts;
        if requeued {
            update
                .value("status", PENDING)
                .value("run_after", now)
                .value("enqueued_at", Value::ChronoDateTimeUtc(None));
        } else {
            update.value("status", FAILED).value("finished_at", now);
        }
        update
            .and_where(Expr::col("id").eq(id))
            .and_where(Expr::col("claim_token").eq(token.as_str()))
            .and_where(Expr::col("status").eq(RUNNING));
        if txn.execute(&update).await?.rows_affected() == 1 {
            close_attempt(&txn, kind, id, &token, AttemptOutcome::Lost, Some(&error), now).await?;
            txn.commit().await?;
            if requeued {
                db.job_queued(kind, id)
            } else {
                db.job_changed(kind, id)
            }
            recovered.push(id);
        }
    }
    Ok(recovered)
}

/// Due PENDING rows that are not in the queue (or whose push is older than `redeliver_after`).
pub async fn due(db: &Db, kind: JobKind, redeliver_after: Duration, limit: u64) -> Result<Vec<i64>, DomainError> {
    let now = now();
    let select = Query::select()
        .column("id")
        .from(kind.table())
        .and_where(Expr::col("status").eq(PENDING))
        .and_where(Expr::col("run_after").lte(now))
        .and_where(Expr::col("enqueued_at").is_null().or(Expr::col("enqueued_at").lt(now - redeliver_after)))
        .order_by("run_after", sea_orm::Order::Asc)
        .limit(limit)
        .to_owned();
    db.conn().query_all(&select).await?.iter().map(|row| Ok(row.try_get("", "id")?)).collect()
}

/// Marks a due row as pushed; `false` when another sweeper did it first, or it is not due (then
/// it does not push).
pub async fn mark_enqueued(db: &Db, kind: JobKind, id: i64, redeliver_after: Duration) -> Result<bool, DomainError> {
    let now = now();
    let update = Query::update()
        .table(kind.table())
        .value("enqueued_at", now)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(PENDING))
        .and_where(Expr::col("run_after").lte(now))
        .and_where(Expr::col("enqueued_at").is_null().or(Expr::col("enqueued_at").lt(now - redeliver_after)))
        .to_owned();
    Ok(db.conn().execute(&update).await?.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(10);
        assert_eq!(backoff(base, 1), Duration::from_secs(10));
        assert_eq!(backoff(base, 2), Duration::from_secs(20));
        assert_eq!(backoff(base, 4), Duration::from_secs(80));
        assert_eq!(backoff(base, 40), MAX_BACKOFF);
        assert_eq!(backoff(Duration::ZERO, 3), Duration::ZERO);
    }

    #[test]
    fn every_job_table_stores_the_shared_states_as_the_lease_writes_them() {
        use crate::entities::enums::{BulkJobStatus, ExportJobStatus, KpiRebuildStatus, WebhookEventStatus};
        let stored = [
            [ExportJobStatus::Pending.as_str(), ExportJobStatus::Running.as_str(), ExportJobStatus::Failed.as_str()],
            [BulkJobStatus::Pending.as_str(), BulkJobStatus::Running.as_str(), BulkJobStatus::Failed.as_str()],
            [KpiRebuildStatus::Pending.as_str(), KpiRebuildStatus::Running.as_str(), KpiRebuildStatus::Failed.as_str()],
            [
                WebhookEventStatus::Pending.as_str(),
                WebhookEventStatus::Running.as_str(),
                WebhookEventStatus::Failed.as_str(),
            ],
        ];
        for states in stored {
            assert_eq!(states, [PENDING, RUNNING, FAILED]);
        }
    }
}
