//! Receiving a delivery: verify its signature, parse it, and store it raw as a PENDING event,
//! committed before the sender gets its 2xx. The unique `(provider, event_id)` constraint does
//! the de-duplication, so any number of simultaneous copies leave exactly one row.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{OnConflict, Query},
};
use secrecy::ExposeSecret;

use crate::{
    Db, DomainError,
    audit::chain::storable_time,
    config::Settings,
    entities::{
        enums::{JobKind, WebhookEventStatus},
        webhook_events,
    },
    webhooks::{
        envelope::Envelope,
        signature::{self, Headers, Secret},
    },
};

/// One inbound request, as the HTTP layer hands it over.
#[derive(Clone, Copy, Debug)]
pub struct Delivery<'a> {
    pub provider: &'a str,
    pub headers: Headers<'a>,
    pub body: &'a [u8],
}

/// The stored event's id; `duplicate` when it had arrived before (and nothing changed now).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub id: i64,
    pub duplicate: bool,
}

/// Unknown provider: NotFound. Missing or bad signature, or a timestamp outside the window:
/// Unauthenticated (`invalid_signature`). A verified body that is not an event: Invalid
/// (`invalid_payload`); the sender's bug, so it is refused rather than stored as a failure.
pub async fn receive(db: &Db, settings: &Settings, delivery: Delivery<'_>) -> Result<Receipt, DomainError> {
    let configured =
        settings.webhooks.secrets.get(delivery.provider).ok_or(DomainError::NotFound("webhook provider"))?;
    // Configuration refuses secrets that do not parse, so none is dropped here in practice.
    let secrets: Vec<Secret> = configured.iter().filter_map(|s| Secret::parse(s.expose_secret()).ok()).collect();
    let verified = signature::verify(
        &secrets,
        delivery.headers,
        delivery.body,
        Utc::now().timestamp(),
        settings.webhooks.tolerance,
    )
    .map_err(|rejection| DomainError::unauthenticated("invalid_signature", rejection.to_string()))?;
    let envelope = Envelope::parse(delivery.body).map_err(|reason| DomainError::invalid("invalid_payload", reason))?;
    let payload = String::from_utf8_lossy(delivery.body).into_owned();
    let tenant = envelope.tenant(db.conn()).await?;
    let now = storable_time(Utc::now());
    let max_attempts = i32::try_from(settings.worker.max_attempts).unwrap_or(5);

    use webhook_events::Column as C;
    let insert = Query::insert()
        .into_table(webhook_events::Entity)
        .columns([
            C::Status,
            C::Attempts,
            C::MaxAttempts,
            C::RunAfter,
            C::CreatedAt,
            C::UpdatedAt,
            C::TenantId,
            C::Provider,
            C::EventId,
            C::EventType,
            C::Payload,
            C::ReceivedAt,
        ])
        .values([
            WebhookEventStatus::Pending.as_str().into(),
            0.into(),
            max_attempts.into(),
            now.into(),
            now.into(),
            now.into(),
            tenant.into(),
            delivery.provider.into(),
            verified.id.into(),
            envelope.event_type.as_str().into(),
            payload.into(),
            now.into(),
        ])
        .map_err(|e| DomainError::Internal(e.to_string()))?
        .on_conflict(OnConflict::columns([C::Provider, C::EventId]).do_nothing().to_owned())
        .returning_col(C::Id)
        .to_owned();
    // One statement, committed on its own: no row comes back when the event was already there.
    if let Some(row) = db.conn().query_one(&insert).await? {
        let id = row.try_get("", "id")?;
        db.job_queued(JobKind::Webhook, id);
        return Ok(Receipt { id, duplicate: false });
    }
    let existing: Option<i64> = webhook_events::Entity::find()
        .select_only()
        .column(C::Id)
        .filter(C::Provider.eq(delivery.provider))
        .filter(C::EventId.eq(verified.id))
        .into_tuple()
        .one(db.conn())
        .await?;
    let id = existing.ok_or_else(|| DomainError::Internal("a conflicting webhook event is gone".to_owned()))?;
    Ok(Receipt { id, duplicate: true })
}
