//! Reading webhook events in the caller's scope: keyset pages of summaries (never the
//! payloads, which may be large), and one event with its payload and attempt history.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, DerivePartialModel, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    Db, DomainError,
    access::Scope,
    db,
    entities::{
        enums::{JobKind, WebhookEventStatus},
        job_attempts, webhook_events,
    },
    pagination::{Page, PageRequest},
    tenant_owned,
};

pub use job_attempts::Model as JobAttempt;

/// An event without its payload.
#[derive(Clone, Debug, PartialEq, Eq, DerivePartialModel)]
#[sea_orm(entity = "webhook_events::Entity")]
pub struct WebhookEventSummary {
    pub id: i64,
    pub status: WebhookEventStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub public_error: Option<String>,
    pub run_after: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub tenant_id: Option<i64>,
    pub provider: String,
    pub event_id: String,
    pub event_type: String,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default)]
pub struct WebhookEventFilter {
    pub provider: Option<String>,
    pub status: Option<WebhookEventStatus>,
    pub event_type: Option<String>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_to: Option<DateTime<Utc>>,
}

impl WebhookEventFilter {
    /// `field` prefixes the names in errors (`filter.` inside a request body).
    pub(super) fn condition(&self, field: &str) -> Result<Condition, DomainError> {
        if let (Some(from), Some(to)) = (self.received_from, self.received_to)
            && from >= to
        {
            return Err(DomainError::invalid_field(&format!("{field}received_to"), "must be after received_from"));
        }
        use webhook_events::Column as C;
        Ok(Condition::all()
            .add_option(self.provider.as_deref().map(|p| C::Provider.eq(p)))
            .add_option(self.status.map(|s| C::Status.eq(s)))
            .add_option(self.event_type.as_deref().map(|t| C::EventType.eq(t)))
            .add_option(self.received_from.map(|at| C::ReceivedAt.gte(at)))
            .add_option(self.received_to.map(|at| C::ReceivedAt.lt(at))))
    }
}

/// Newest first.
pub async fn list(
    db: &Db,
    scope: Scope,
    filter: &WebhookEventFilter,
    page: PageRequest,
) -> Result<Page<WebhookEventSummary>, DomainError> {
    let query = tenant_owned::page_query::<webhook_events::Entity>(scope, filter.condition("")?, page);
    let rows = query.into_partial_model::<WebhookEventSummary>().all(db.conn()).await?;
    Ok(Page::from_rows(rows, page, |event| event.id))
}

/// An event with its payload (as received) and attempts (the latest ones, oldest first).
pub struct WebhookEventDetail {
    pub event: WebhookEventSummary,
    pub payload: String,
    pub attempts: Vec<JobAttempt>,
}

impl From<webhook_events::Model> for WebhookEventDetail {
    fn from(e: webhook_events::Model) -> Self {
        let event = WebhookEventSummary {
            id: e.id,
            status: e.status,
            attempts: e.attempts,
            max_attempts: e.max_attempts,
            last_error: e.last_error,
            public_error: e.public_error,
            run_after: e.run_after,
            started_at: e.started_at,
            finished_at: e.finished_at,
            tenant_id: e.tenant_id,
            provider: e.provider,
            event_id: e.event_id,
            event_type: e.event_type,
            received_at: e.received_at,
            processed_at: e.processed_at,
        };
        Self { event, payload: e.payload, attempts: Vec::new() }
    }
}

impl WebhookEventDetail {
    /// The payload as JSON.
    pub fn payload_value(&self) -> Result<serde_json::Value, DomainError> {
        db::json_column("webhook_events", "payload", self.event.id, &self.payload)
    }
}

/// However often an event is reprocessed, its detail stays one bounded read.
const ATTEMPTS_SHOWN: u64 = 100;

pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<WebhookEventDetail, DomainError> {
    let event = tenant_owned::get::<webhook_events::Entity>(db.conn(), scope, id).await?;
    let mut detail = WebhookEventDetail::from(event);
    detail.attempts = job_attempts::Entity::find()
        .filter(job_attempts::Column::JobKind.eq(JobKind::Webhook))
        .filter(job_attempts::Column::JobId.eq(id))
        .order_by_desc(job_attempts::Column::Id)
        .limit(ATTEMPTS_SHOWN)
        .all(db.conn())
        .await?;
    detail.attempts.reverse();
    Ok(detail)
}
