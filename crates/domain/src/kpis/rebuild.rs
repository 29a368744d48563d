//! Rebuilding ranges of days in the background: on request (`POST /kpis/rebuild`), and
//! nightly for the trailing window, with missed nights caught up once at the next start.
//!
//! The nightly schedule is a cron expression evaluated by the worker's sweeper; each slot is
//! claimed once in `schedule_runs`, so every process may check but only one runs it, and a
//! process that was down covers every day it missed in one job rather than a burst of them.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
    sea_query::{Expr, ExprTrait, Query},
};

use crate::{
    Db, DomainError,
    access::Caller,
    audit::{self, AuditEvent, RequestMeta, chain::storable_time},
    config::{KpiSettings, WorkerSettings},
    entities::{
        enums::{JobKind, KpiRebuildStatus},
        kpi_rebuild_jobs, schedule_runs,
    },
    jobs::{self, Claim, Outcome, RunError},
    kpis::build_day,
    schedule,
};

pub use kpi_rebuild_jobs::Model as RebuildJob;

/// The widest range one rebuild covers.
pub const MAX_REBUILD_DAYS: i64 = 3660;
const NIGHTLY: &str = "kpi.nightly";

/// Queues a rebuild of `[from, to]`; `caller` is `None` for the nightly schedule.
pub async fn create_rebuild(
    db: &Db,
    caller: Option<&Caller>,
    from: NaiveDate,
    to: NaiveDate,
    max_attempts: u32,
    request: &RequestMeta,
) -> Result<RebuildJob, DomainError> {
    if to < from {
        return Err(DomainError::invalid_field("to", "must not be before from"));
    }
    if (to - from).num_days() >= MAX_REBUILD_DAYS {
        return Err(DomainError::invalid_field("to", format!("a rebuild spans at most {MAX_REBUILD_DAYS} days")));
    }
    let now = storable_time(Utc::now());
    let (user_id, token_id) = caller.map_or((None, None), Caller::requested_by);
    let txn = db.begin_write().await?;
    let job = kpi_rebuild_jobs::ActiveModel {
        status: Set(KpiRebuildStatus::Pending),
        attempts: Set(0),
        max_attempts: Set(i32::try_from(max_attempts).unwrap_or(5)),
        run_after: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        requested_by_user_id: Set(user_id),
        requested_by_token_id: Set(token_id),
        from_day: Set(from),
        to_day: Set(to),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let actor = caller.map_or_else(|| audit::AuditActor::system("kpi schedule"), audit::AuditActor::from);
    audit::append(
        &txn,
        &actor,
        request,
        AuditEvent::succeeded("kpi.rebuild")
            .target("kpi_rebuild_job", job.id)
            .metadata(serde_json::json!({"from": from, "to": to})),
    )
    .await?;
    txn.commit().await?;
    db.job_queued(JobKind::KpiRebuild, job.id);
    Ok(job)
}

/// One rebuild job, as its caller (allowed `kpis:rebuild`) follows it.
pub async fn get_rebuild(db: &Db, id: i64) -> Result<RebuildJob, DomainError> {
    kpi_rebuild_jobs::Entity::find_by_id(id).one(db.conn()).await?.ok_or(DomainError::NotFound("KPI rebuild"))
}

/// Builds the days of a claimed rebuild, resuming after the last day it committed.
pub async fn execute_rebuild(
    db: &Db,
    kpi: &KpiSettings,
    worker: &WorkerSettings,
    claim: &Claim,
) -> Result<bool, DomainError> {
    let job =
        kpi_rebuild_jobs::Entity::find_by_id(claim.id).one(db.conn()).await?.ok_or(DomainError::NotFound("rebuild"))?;
    let mut day = job.next_day.unwrap_or(job.from_day);
    while day <= job.to_day {
        if let Err(error) = build_day(db, day, kpi.timezone).await {
            return finish(
                db,
                claim,
                Outcome::Retryable(RunError::internal(format!("building {day}: {error}"))),
                worker,
            )
            .await;
        }
        day += Duration::days(1);
        // The checkpoint, fenced like every change: a taken-back run stops here. It is
        // progress the change feed shows (`updated_at`).
        let now = storable_time(Utc::now());
        let advance = Query::update()
            .table("kpi_rebuild_jobs")
            .value("next_day", day)
            .value("heartbeat_at", now)
            .value("updated_at", now)
            .and_where(Expr::col("id").eq(claim.id))
            .and_where(Expr::col("claim_token").eq(claim.token.as_str()))
            .to_owned();
        if db.conn().execute(&advance).await?.rows_affected() != 1 {
            return Ok(false);
        }
        db.job_changed(JobKind::KpiRebuild, claim.id);
    }
    finish(db, claim, Outcome::Succeeded("DONE"), worker).await
}

async fn finish(db: &Db, claim: &Claim, outcome: Outcome, worker: &WorkerSettings) -> Result<bool, DomainError> {
    let txn = db.conn().begin().await?;
    let recorded = jobs::finish(&txn, claim, &outcome, worker.backoff, Vec::new()).await?;
    if recorded {
        txn.commit().await?;
        jobs::finished(db, claim, &outcome);
    } else {
        txn.rollback().await?;
    }
    Ok(recorded)
}

/// The latest scheduled instant at or before `now`, looking back at most `horizon`.
fn latest_slot(kpi: &KpiSettings, now: DateTime<Utc>, horizon: Duration) -> Option<DateTime<Utc>> {
    let start = (now - horizon).with_timezone(&kpi.timezone);
    kpi.schedule
        .after(&start)
        .take_while(|slot| slot.with_timezone(&Utc) <= now)
        .last()
        .map(|slot| slot.with_timezone(&Utc))
}

/// Called by the sweeper: if a nightly slot has passed that no process has run yet, claims it
/// and queues one rebuild covering the trailing window and every day since the last run.
pub async fn schedule_nightly(
    db: &Db,
    kpi: &KpiSettings,
    worker: &WorkerSettings,
    now: DateTime<Utc>,
) -> Result<Option<RebuildJob>, DomainError> {
    let Some(slot) = latest_slot(kpi, now, Duration::days(8)) else { return Ok(None) };
    let previous = schedule_runs::Entity::find()
        .filter(schedule_runs::Column::Schedule.eq(NIGHTLY))
        .order_by_desc(schedule_runs::Column::SlotAt)
        .one(db.conn())
        .await?;
    if previous.as_ref().is_some_and(|run| run.slot_at >= slot) {
        return Ok(None);
    }
    if !schedule::claim_slot(db, NIGHTLY, slot).await? {
        return Ok(None);
    }
    let today = now.with_timezone(&kpi.timezone).date_naive();
    let window_start = today - Duration::days(i64::from(kpi.window_days) - 1);
    // Days missed while no process ran: from the previous run's own window start onward.
    let catch_up_start = previous.map(|run| {
        run.slot_at.with_timezone(&kpi.timezone).date_naive() - Duration::days(i64::from(kpi.window_days) - 1)
    });
    let earliest = catch_up_start.map_or(window_start, |start| Ord::min(start, window_start));
    let from = Ord::max(earliest, today - Duration::days(366));
    let job = create_rebuild(db, None, from, today, worker.max_attempts, &RequestMeta::default()).await?;
    Ok(Some(job))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    #[test]
    fn the_latest_slot_is_the_last_one_not_after_now() -> Result<(), Box<dyn std::error::Error>> {
        let settings = Settings::from_vars([("OPSDECK_KPI_TIMEZONE".to_owned(), "Europe/Berlin".to_owned())])?;
        let now = DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z")?.with_timezone(&Utc);
        let slot = latest_slot(&settings.kpi, now, Duration::days(8)).ok_or("no slot")?;
        // 02:30 in Berlin (UTC+1 in November) is 01:30 UTC.
        assert_eq!(slot.to_rfc3339(), "2026-11-21T01:30:00+00:00");
        let early = DateTime::parse_from_rfc3339("2026-11-21T01:00:00Z")?.with_timezone(&Utc);
        let previous = latest_slot(&settings.kpi, early, Duration::days(8)).ok_or("no slot")?;
        assert_eq!(previous.to_rfc3339(), "2026-11-20T01:30:00+00:00");
        Ok(())
    }
}
