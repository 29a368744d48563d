//! Reprocessing: an event that reached an end (PROCESSED, IGNORED or FAILED) goes back to
//! PENDING with its attempts reset, and the sweeper hands it to a worker. Safe whenever ops
//! like, because every handler is idempotent. Each reprocess is audited in the transaction
//! that performs it.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, QueryFilter, QueryOrder, QuerySelect, Value,
    sea_query::{Expr, ExprTrait, Query},
};

use crate::{
    Db, DomainError,
    access::{Caller, Scope},
    audit::{self, AuditEvent, RequestMeta, chain::storable_time},
    entities::{
        enums::{JobKind, WebhookEventStatus},
        webhook_events,
    },
    webhooks::service::{WebhookEventFilter, WebhookEventSummary, scoped},
};

/// Events per call; a larger selection is cut here and reported as `truncated`.
pub const MAX_REPROCESS: usize = 1000;

const FINISHED: [WebhookEventStatus; 3] =
    [WebhookEventStatus::Processed, WebhookEventStatus::Ignored, WebhookEventStatus::Failed];

/// Which events to reprocess.
#[derive(Clone, Debug)]
pub enum Selection {
    /// 1 to 1000 ids.
    Ids(Vec<i64>),
    /// Finished events matching the filter (only a finished `status` may be given), oldest
    /// first, at most 1000.
    Filter(WebhookEventFilter),
}

/// An event that was left alone, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub id: i64,
    /// `not_found` (not in the caller's scope) or `not_finished` (PENDING or RUNNING).
    pub code: &'static str,
    pub detail: String,
}

#[derive(Clone, Debug, Default)]
pub struct ReprocessReport {
    pub enqueued: Vec<i64>,
    pub skipped: Vec<Skipped>,
    /// More events matched the filter than one call takes.
    pub truncated: bool,
}

fn not_finished(event: &WebhookEventSummary) -> Skipped {
    Skipped {
        id: event.id,
        code: "not_finished",
        detail: format!(
            "only PROCESSED, IGNORED or FAILED events are reprocessed; this one is {}",
            event.status.as_str()
        ),
    }
}

/// Moves one finished event back to PENDING. The update is conditional on the status just
/// read, so of two simultaneous reprocesses one wins, and the audit entry names the state
/// that was really left.
async fn requeue(
    txn: &DatabaseTransaction,
    caller: &Caller,
    request: &RequestMeta,
    event: &WebhookEventSummary,
) -> Result<Result<(), Skipped>, DomainError> {
    if !FINISHED.contains(&event.status) {
        return Ok(Err(not_finished(event)));
    }
    let now = storable_time(Utc::now());
    use webhook_events::Column as C;
    let update = Query::update()
        .table(webhook_events::Entity)
        .value(C::Status, WebhookEventStatus::Pending.as_str())
        .value(C::Attempts, 0)
        .value(C::RunAfter, now)
        .value(C::EnqueuedAt, Value::ChronoDateTimeUtc(None))
        .value(C::FinishedAt, Value::ChronoDateTimeUtc(None))
        .value(C::ProcessedAt, Value::ChronoDateTimeUtc(None))
        .value(C::UpdatedAt, now)
        .and_where(Expr::col(C::Id).eq(event.id))
        .and_where(Expr::col(C::Status).eq(event.status.as_str()))
        .to_owned();
    if txn.execute(&update).await?.rows_affected() != 1 {
        let detail = "the event changed meanwhile; look at it again".to_owned();
        return Ok(Err(Skipped { id: event.id, code: "not_finished", detail }));
    }
    audit::append(
        txn,
        &caller.into(),
        request,
        AuditEvent::succeeded("webhook_event.reprocess")
            .target("webhook_event", event.id)
            .tenant(event.tenant_id)
            .metadata(serde_json::json!({
                "provider": event.provider,
                "event_id": event.event_id,
                "event_type": event.event_type,
                "previous_status": event.status,
                "previous_error": event.public_error,
            })),
    )
    .await?;
    Ok(Ok(()))
}

/// Reprocesses one event: 404 outside the scope, 409 unless it is finished.
pub async fn reprocess(
    db: &Db,
    caller: &Caller,
    scope: Scope,
    id: i64,
    request: &RequestMeta,
) -> Result<WebhookEventSummary, DomainError> {
    let txn = db.begin_write().await?;
    let find = || scoped(scope).filter(webhook_events::Column::Id.eq(id)).into_partial_model::<WebhookEventSummary>();
    let event = find().one(&txn).await?.ok_or(DomainError::NotFound("webhook event"))?;
    if let Err(skipped) = requeue(&txn, caller, request, &event).await? {
        return Err(DomainError::conflict(skipped.code, skipped.detail));
    }
    let event = find().one(&txn).await?.ok_or(DomainError::NotFound("webhook event"))?;
    txn.commit().await?;
    db.job_queued(JobKind::Webhook, id);
    Ok(event)
}

/// Reprocesses a selection in one transaction and reports every event it left alone.
pub async fn reprocess_many(
    db: &Db,
    caller: &Caller,
    scope: Scope,
    selection: &Selection,
    request: &RequestMeta,
) -> Result<ReprocessReport, DomainError> {
    let txn = db.begin_write().await?;
    let mut report = ReprocessReport::default();
    let (events, missing) = match selection {
        Selection::Ids(ids) => {
            if ids.is_empty() || ids.len() > MAX_REPROCESS {
                return Err(DomainError::invalid_field("ids", format!("give 1 to {MAX_REPROCESS} ids")));
            }
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            let events = scoped(scope)
                .filter(webhook_events::Column::Id.is_in(ids.iter().copied()))
                .order_by_asc(webhook_events::Column::Id)
                .into_partial_model::<WebhookEventSummary>()
                .all(&txn)
                .await?;
            let missing: Vec<i64> = ids.into_iter().filter(|id| !events.iter().any(|e| e.id == *id)).collect();
            (events, missing)
        }
        Selection::Filter(filter) => {
            if filter.status.is_some_and(|status| !FINISHED.contains(&status)) {
                return Err(DomainError::invalid_field(
                    "filter.status",
                    "only PROCESSED, IGNORED or FAILED events can be reprocessed",
                ));
            }
            let mut events = scoped(scope)
                .filter(filter.condition("filter.")?)
                .filter(webhook_events::Column::Status.is_in(FINISHED))
                .order_by_asc(webhook_events::Column::Id)
                .limit(MAX_REPROCESS as u64 + 1)
                .into_partial_model::<WebhookEventSummary>()
                .all(&txn)
                .await?;
            report.truncated = events.len() > MAX_REPROCESS;
            events.truncate(MAX_REPROCESS);
            (events, Vec::new())
        }
    };
    for event in &events {
        match requeue(&txn, caller, request, event).await? {
            Ok(()) => report.enqueued.push(event.id),
            Err(skipped) => report.skipped.push(skipped),
        }
    }
    report.skipped.extend(missing.into_iter().map(|id| Skipped {
        id,
        code: "not_found",
        detail: "no such webhook event".to_owned(),
    }));
    txn.commit().await?;
    for id in &report.enqueued {
        db.job_queued(JobKind::Webhook, *id);
    }
    Ok(report)
}
