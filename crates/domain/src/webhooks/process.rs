//! Processing a claimed event in the worker. The handler's effect and the event's new state
//! commit in one transaction, fenced by the claim: a stale run (its lease expired and the
//! event was taken back) rolls back, so no effect is ever applied twice by a crash or a race.

use chrono::Utc;
use sea_orm::{
    ConnectionTrait, EntityTrait,
    sea_query::{Expr, ExprTrait, Query},
};

use crate::{
    Db, DomainError,
    audit::chain::storable_time,
    config::WorkerSettings,
    entities::{enums::WebhookEventStatus, webhook_events},
    jobs::{self, Claim, Outcome, RunError},
    webhooks::{
        envelope::Envelope,
        handlers::{self, Failure, Handled},
    },
};

/// Runs a claimed event to its end. `false` when the claim turned out stale (nothing changed).
pub async fn process(db: &Db, settings: &WorkerSettings, claim: &Claim) -> Result<bool, DomainError> {
    let event = webhook_events::Entity::find_by_id(claim.id)
        .one(db.conn())
        .await?
        .ok_or(DomainError::NotFound("webhook event"))?;
    let txn = db.begin_write().await?;
    let mut extra = Vec::new();
    let handled = match Envelope::parse(event.payload.as_bytes()) {
        // Ingest only stores bodies that parse; this guards rows written some other way.
        Err(reason) => {
            Err(Failure::Permanent(RunError::internal(format!("the stored payload is not an event: {reason}"))))
        }
        Ok(envelope) => {
            // An event that arrived before its tenant existed is routed now.
            let tenant = match event.tenant_id {
                Some(id) => Some(id),
                None => envelope.tenant(&txn).await?,
            };
            if event.tenant_id.is_none() && tenant.is_some() {
                extra.push(("tenant_id", Expr::val(tenant)));
            }
            handlers::apply(&txn, tenant, &envelope).await
        }
    };
    let (txn, outcome, note) = match handled {
        Ok(Handled::Applied) => (txn, Outcome::Succeeded(WebhookEventStatus::Processed.as_str()), None),
        Ok(Handled::Ignored(reason)) => (txn, Outcome::Succeeded(WebhookEventStatus::Ignored.as_str()), Some(reason)),
        Err(failure) => {
            // Whatever the handler did before failing goes; only the failure is recorded.
            txn.rollback().await?;
            let outcome = match failure {
                Failure::Retryable(error) => Outcome::Retryable(error),
                Failure::Permanent(error) => Outcome::Permanent(error),
            };
            (db.begin_write().await?, outcome, None)
        }
    };
    if matches!(outcome, Outcome::Succeeded(_)) {
        extra.push(("processed_at", Expr::val(storable_time(Utc::now()))));
    }
    if !jobs::finish(&txn, claim, &outcome, settings.backoff, extra).await? {
        txn.rollback().await?;
        return Ok(false);
    }
    if let Some(reason) = note {
        // Why an ignored event changed nothing, for the people reading it (`finish` clears the
        // error column on success; this row is already ours within the transaction).
        let update = Query::update()
            .table(webhook_events::Entity)
            .value(webhook_events::Column::LastError, reason.as_str())
            .value(webhook_events::Column::PublicError, reason)
            .and_where(Expr::col(webhook_events::Column::Id).eq(claim.id))
            .to_owned();
        txn.execute(&update).await?;
    }
    txn.commit().await?;
    jobs::finished(db, claim, &outcome);
    Ok(true)
}
