//! The dashboard in one call: what is broken, what is running, how we are doing.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use opsdeck_domain::{
    dashboard::{self, BulkJob, WebhookEventSummary},
    enums::{BulkJobStatus, WebhookEventStatus},
    jobs::ErrorAudience,
    kpis::DailyKpi,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::Query;
use crate::{
    auth::{Authorized, perm},
    problem::{ApiResult, Problem},
    routes::{
        audit::AuditLogEntry,
        catalog::{Article, TenantQuery},
        exports::ExportJobView,
        kpis::DailyKpiView,
    },
    state::AppState,
};

#[derive(Serialize, ToSchema)]
pub struct FailedWebhook {
    pub id: i64,
    pub provider: String,
    pub event_type: String,
    pub tenant_id: Option<i64>,
    pub status: WebhookEventStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub received_at: DateTime<Utc>,
}

impl FailedWebhook {
    fn new(e: WebhookEventSummary, audience: ErrorAudience) -> Self {
        Self {
            id: e.id,
            provider: e.provider,
            event_type: e.event_type,
            tenant_id: e.tenant_id,
            status: e.status,
            attempts: e.attempts,
            last_error: audience.read(e.last_error, e.public_error),
            received_at: e.received_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BulkProgress {
    pub id: i64,
    pub tenant_id: Option<i64>,
    pub action: String,
    pub status: BulkJobStatus,
    pub total: i64,
    pub processed: i64,
    pub succeeded: i64,
    pub failed: i64,
    /// 0-100.
    pub percent: f64,
    pub started_at: Option<DateTime<Utc>>,
}

impl From<BulkJob> for BulkProgress {
    fn from(j: BulkJob) -> Self {
        let percent = if j.total > 0 { (j.processed as f64 * 100.0 / j.total as f64).min(100.0) } else { 0.0 };
        Self {
            id: j.id,
            tenant_id: j.tenant_id,
            action: j.action,
            status: j.status,
            total: j.total,
            processed: j.processed,
            succeeded: j.succeeded,
            failed: j.failed,
            percent,
            started_at: j.started_at,
        }
    }
}

/// A KPI today against yesterday.
#[derive(Serialize, ToSchema)]
pub struct KpiCard {
    /// `signups`, `dau`, `orders`, `churned`, or `revenue:<currency>`.
    pub name: String,
    pub today: i64,
    pub yesterday: i64,
    /// Relative change in percent; `null` when yesterday was zero.
    pub change_percent: Option<f64>,
}

fn card(name: String, today: i64, yesterday: i64) -> KpiCard {
    let change_percent = (yesterday != 0).then(|| (today - yesterday) as f64 * 100.0 / yesterday as f64);
    KpiCard { name, today, yesterday, change_percent }
}

fn revenue_of(day: Option<&DailyKpi>, currency: &str) -> i64 {
    day.and_then(|d| d.revenue.iter().find(|r| r.currency == currency)).map_or(0, |r| r.amount_minor)
}

fn cards(series: &[DailyKpi]) -> Vec<KpiCard> {
    let today = series.last();
    let yesterday = series.len().checked_sub(2).and_then(|i| series.get(i));
    let pick = |day: Option<&DailyKpi>, f: fn(&DailyKpi) -> i64| day.map_or(0, f);
    let mut cards = vec![
        card("signups".into(), pick(today, |d| d.signups), pick(yesterday, |d| d.signups)),
        card("dau".into(), pick(today, |d| d.dau), pick(yesterday, |d| d.dau)),
        card("orders".into(), pick(today, |d| d.orders), pick(yesterday, |d| d.orders)),
        card("churned".into(), pick(today, |d| d.churned), pick(yesterday, |d| d.churned)),
    ];
    let mut currencies: Vec<&str> =
        [today, yesterday].into_iter().flatten().flat_map(|d| d.revenue.iter().map(|r| r.currency.as_str())).collect();
    currencies.sort_unstable();
    currencies.dedup();
    for currency in currencies {
        cards.push(card(format!("revenue:{currency}"), revenue_of(today, currency), revenue_of(yesterday, currency)));
    }
    cards
}

/// Every widget of the dashboard, scoped to the caller.
#[derive(Serialize, ToSchema)]
pub struct DashboardView {
    /// The tenant shown; `null`: all tenants (staff).
    pub tenant_id: Option<i64>,
    /// The 20 latest FAILED exports.
    pub failed_exports: Vec<ExportJobView>,
    /// The 20 latest PENDING or RUNNING exports.
    pub active_exports: Vec<ExportJobView>,
    /// The 20 latest FAILED webhook events; `null` for callers who may not read them.
    pub failed_webhooks: Option<Vec<FailedWebhook>>,
    /// Bulk jobs queued or running, with progress.
    pub running_bulk_jobs: Vec<BulkProgress>,
    /// The 10 most recently published articles.
    pub recent_articles: Vec<Article>,
    /// Today against yesterday.
    pub kpi_cards: Vec<KpiCard>,
    /// The last 14 days, oldest first.
    pub kpi_series: Vec<DailyKpiView>,
    /// The 50 latest audit entries.
    pub recent_audit: Vec<AuditLogEntry>,
}

/// The whole dashboard in one call (a fixed number of queries whatever the data size).
#[utoipa::path(
    operation_id = "get_dashboard", tag = "dashboard", params(TenantQuery),
    responses(
        (status = 200, description = "Every widget", body = DashboardView),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::DashboardRead::NAME))),
)]
#[get("/dashboard")]
pub async fn get_dashboard(
    state: web::Data<AppState>,
    auth: Authorized<perm::DashboardRead>,
    tenant: Query<TenantQuery>,
) -> ApiResult<web::Json<DashboardView>> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let audience = ErrorAudience::of(&auth.caller);
    let board = dashboard::load(&state.db, &auth.caller, scope, state.settings.kpi.timezone).await?;
    Ok(web::Json(DashboardView {
        tenant_id: scope.tenant_id(),
        failed_exports: board
            .failed_exports
            .into_iter()
            .map(|job| ExportJobView::new(job, audience))
            .collect::<Result<_, _>>()?,
        active_exports: board
            .active_exports
            .into_iter()
            .map(|job| ExportJobView::new(job, audience))
            .collect::<Result<_, _>>()?,
        failed_webhooks: board
            .failed_webhooks
            .map(|events| events.into_iter().map(|event| FailedWebhook::new(event, audience)).collect()),
        running_bulk_jobs: board.running_bulk_jobs.into_iter().map(BulkProgress::from).collect(),
        recent_articles: board.recent_articles.into_iter().map(Article::from).collect(),
        kpi_cards: cards(&board.kpis),
        kpi_series: board.kpis.into_iter().map(DailyKpiView::from).collect(),
        recent_audit: board.recent_audit.into_iter().map(AuditLogEntry::from).collect(),
    }))
}
