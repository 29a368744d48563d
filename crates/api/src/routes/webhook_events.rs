//! Webhook events for ops staff: list, read (with payload and attempt history), reprocess one
//! or many. Reprocessing is safe: every handler is idempotent.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use opsdeck_domain::{
    DomainError,
    enums::{AttemptOutcome, WebhookEventStatus},
    jobs::ErrorAudience,
    webhooks::{self, JobAttempt, Selection, WebhookEventDetail, WebhookEventFilter, WebhookEventSummary},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Query};
use crate::{
    auth::{Authorized, Meta, perm},
    problem::{ApiResult, Problem},
    routes::{
        catalog::TenantQuery,
        shared::{Page, PageQuery},
    },
    state::AppState,
};

/// A received event, without its payload.
#[derive(Serialize, ToSchema)]
pub struct WebhookEventView {
    pub id: i64,
    pub provider: String,
    /// The provider's `webhook-id`: unique per provider.
    pub event_id: String,
    /// The payload's `type`, e.g. `order.paid`.
    pub event_type: String,
    /// The tenant named by the payload's `data.tenant` or `data.tenant_id`; `null` when none matched.
    pub tenant_id: Option<i64>,
    pub status: WebhookEventStatus,
    /// Runs since it was received or last reprocessed.
    pub attempts: i32,
    pub max_attempts: i32,
    /// Why the last run failed, or why an IGNORED event changed nothing.
    pub last_error: Option<String>,
    pub received_at: DateTime<Utc>,
    /// A PENDING event does not run before this (the backoff after a failed run).
    pub run_after: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// When it was handled (PROCESSED or IGNORED).
    pub processed_at: Option<DateTime<Utc>>,
}

impl WebhookEventView {
    /// The event as `audience` may read it (a tenant reads its version of the error).
    pub fn new(e: WebhookEventSummary, audience: ErrorAudience) -> Self {
        Self {
            id: e.id,
            provider: e.provider,
            event_id: e.event_id,
            event_type: e.event_type,
            tenant_id: e.tenant_id,
            status: e.status,
            attempts: e.attempts,
            max_attempts: e.max_attempts,
            last_error: audience.read(e.last_error, e.public_error),
            received_at: e.received_at,
            run_after: e.run_after,
            started_at: e.started_at,
            finished_at: e.finished_at,
            processed_at: e.processed_at,
        }
    }
}

/// One run of the event's handler.
#[derive(Serialize, ToSchema)]
pub struct WebhookAttempt {
    /// 1 for the first run after receipt (or after a reprocess).
    pub attempt: i32,
    /// The worker process that ran it.
    pub worker: String,
    pub started_at: DateTime<Utc>,
    /// `null` while it runs.
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: Option<AttemptOutcome>,
    pub error: Option<String>,
}

impl WebhookAttempt {
    fn new(a: JobAttempt, audience: ErrorAudience) -> Self {
        Self {
            attempt: a.attempt,
            worker: a.worker,
            started_at: a.started_at,
            finished_at: a.finished_at,
            outcome: a.outcome,
            error: audience.read(a.error, a.public_error),
        }
    }
}

/// An event with its payload and its latest 100 attempts, oldest first.
#[derive(Serialize, ToSchema)]
pub struct WebhookEventDetailView {
    #[serde(flatten)]
    pub event: WebhookEventView,
    /// The payload as JSON.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The payload exactly as received (and signed).
    pub payload_raw: String,
    pub attempt_history: Vec<WebhookAttempt>,
}

impl WebhookEventDetailView {
    fn new(detail: WebhookEventDetail, audience: ErrorAudience) -> Self {
        // Stored bodies were parsed at receipt; should one not parse, the raw text still shows it.
        let payload = detail.payload_value().unwrap_or_else(|error| {
            tracing::error!(%error, "a webhook event's payload is shown raw only");
            serde_json::Value::Null
        });
        Self {
            event: WebhookEventView::new(detail.event, audience),
            payload,
            payload_raw: detail.payload,
            attempt_history: detail
                .attempts
                .into_iter()
                .map(|attempt| WebhookAttempt::new(attempt, audience))
                .collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookEventQuery {
    #[param(max_length = 64)]
    pub provider: Option<String>,
    pub status: Option<WebhookEventStatus>,
    /// The event type, e.g. `order.paid`.
    #[serde(rename = "type")]
    #[param(max_length = 128)]
    pub event_type: Option<String>,
    /// Events received at or after this instant.
    pub received_from: Option<DateTime<Utc>>,
    /// Events received before this instant.
    pub received_to: Option<DateTime<Utc>>,
}

/// Which events to reprocess: finished ones matching all given fields.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReprocessFilter {
    #[schema(max_length = 64)]
    pub provider: Option<String>,
    /// PROCESSED, IGNORED or FAILED; without it, all three.
    pub status: Option<WebhookEventStatus>,
    #[serde(rename = "type")]
    #[schema(max_length = 128)]
    pub event_type: Option<String>,
    pub tenant_id: Option<i64>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_to: Option<DateTime<Utc>>,
}

/// Either `ids` or `filter`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReprocessWebhookEvents {
    /// 1-1000 event ids.
    #[schema(min_items = 1, max_items = 1000)]
    pub ids: Option<Vec<i64>>,
    /// Finished events matching it, oldest first, at most 1000 per call.
    pub filter: Option<ReprocessFilter>,
}

#[derive(Serialize, ToSchema)]
pub struct SkippedWebhookEvent {
    pub id: i64,
    /// `not_found` (no such event in your scope) or `not_finished` (PENDING or RUNNING).
    pub code: &'static str,
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReprocessResult {
    /// Back to PENDING, in id order.
    pub enqueued: Vec<i64>,
    /// Left alone, each with the reason.
    pub skipped: Vec<SkippedWebhookEvent>,
    /// More than 1000 events matched the filter: the oldest 1000 were taken. Once those are
    /// handled, the same call takes the next ones (e.g. `status: FAILED` after a fix), or
    /// narrow the filter's time range.
    pub truncated: bool,
}

/// List received webhook events, newest first.
#[utoipa::path(
    operation_id = "list_webhook_events", tag = "webhooks", params(PageQuery, TenantQuery, WebhookEventQuery),
    responses(
        (status = 200, description = "A page of events", body = Page<WebhookEventView>),
        (status = 422, description = "Bad page or filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::WebhooksRead::NAME))),
)]
#[get("/webhook-events")]
pub async fn list_webhook_events(
    state: web::Data<AppState>,
    auth: Authorized<perm::WebhooksRead>,
    page: Query<PageQuery>,
    tenant: Query<TenantQuery>,
    query: Query<WebhookEventQuery>,
) -> ApiResult<web::Json<Page<WebhookEventView>>> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let query = query.into_inner();
    let filter = WebhookEventFilter {
        provider: query.provider,
        status: query.status,
        event_type: query.event_type,
        received_from: query.received_from,
        received_to: query.received_to,
    };
    let events = webhooks::list(&state.db, scope, &filter, page.request()?).await?;
    Ok(web::Json(Page::from_domain(events, |event| WebhookEventView::new(event, ErrorAudience::of(&auth.caller)))))
}

/// One webhook event with its payload and attempt history.
#[utoipa::path(
    operation_id = "get_webhook_event", tag = "webhooks",
    responses(
        (status = 200, description = "The event", body = WebhookEventDetailView),
        (status = 404, description = "No such event in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::WebhooksRead::NAME))),
)]
#[get("/webhook-events/{id}")]
pub async fn get_webhook_event(
    state: web::Data<AppState>,
    auth: Authorized<perm::WebhooksRead>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<WebhookEventDetailView>> {
    let detail = webhooks::get(&state.db, auth.scope, id.into_inner()).await?;
    Ok(web::Json(WebhookEventDetailView::new(detail, ErrorAudience::of(&auth.caller))))
}

/// Process a finished (PROCESSED, IGNORED or FAILED) event again. Safe: handlers are idempotent.
#[utoipa::path(
    operation_id = "reprocess_webhook_event", tag = "webhooks",
    responses(
        (status = 202, description = "Back to PENDING, attempts reset", body = WebhookEventView),
        (status = 404, description = "No such event in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The event is PENDING or RUNNING", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::WebhooksReprocess::NAME))),
)]
#[post("/webhook-events/{id}/reprocess")]
pub async fn reprocess_webhook_event(
    state: web::Data<AppState>,
    auth: Authorized<perm::WebhooksReprocess>,
    meta: Meta,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let event = webhooks::reprocess(&state.db, &auth.caller, auth.scope, id.into_inner(), &meta.0).await?;
    Ok(HttpResponse::Accepted().json(WebhookEventView::new(event, ErrorAudience::of(&auth.caller))))
}

/// Process several finished events again, by ids or by filter (at most 1000 per call).
#[utoipa::path(
    operation_id = "reprocess_webhook_events", tag = "webhooks",
    responses(
        (status = 200, description = "What was enqueued and what was skipped, and why", body = ReprocessResult),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither or both of `ids` and `filter`, no ids or more than 1000, or a bad filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::WebhooksReprocess::NAME))),
)]
#[post("/webhook-events/reprocess")]
pub async fn reprocess_webhook_events(
    state: web::Data<AppState>,
    auth: Authorized<perm::WebhooksReprocess>,
    meta: Meta,
    body: Json<ReprocessWebhookEvents>,
) -> ApiResult<web::Json<ReprocessResult>> {
    let (scope, selection) = match body.into_inner() {
        ReprocessWebhookEvents { ids: Some(ids), filter: None } => (auth.scope, Selection::Ids(ids)),
        ReprocessWebhookEvents { ids: None, filter: Some(f) } => (
            auth.scope.narrow(f.tenant_id)?,
            Selection::Filter(WebhookEventFilter {
                provider: f.provider,
                status: f.status,
                event_type: f.event_type,
                received_from: f.received_from,
                received_to: f.received_to,
            }),
        ),
        _ => return Err(DomainError::invalid("selection_required", "give either `ids` or `filter`").into()),
    };
    let report = webhooks::reprocess_many(&state.db, &auth.caller, scope, &selection, &meta.0).await?;
    Ok(web::Json(ReprocessResult {
        enqueued: report.enqueued,
        skipped: report
            .skipped
            .into_iter()
            .map(|s| SkippedWebhookEvent { id: s.id, code: s.reason.code(), detail: s.detail })
            .collect(),
        truncated: report.truncated,
    }))
}
