//! The dashboard: everything the first screen shows, read in a fixed number of queries (one per
//! widget, two for the KPIs) whatever the data size, all in the caller's scope, and all in one
//! read-only snapshot: every widget shows the same instant (a job cannot appear both running
//! and failed), and the queries share one pooled connection instead of taking and returning
//! one each.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use crate::{
    Db, DomainError,
    access::{Caller, Permission, Scope},
    audit::query::AuditEntry,
    db::ConstantRead,
    entities::{
        articles, audit_log, bulk_jobs,
        enums::{ArticleStatus, BulkJobStatus, ExportJobStatus, WebhookEventStatus},
        export_jobs, webhook_events,
    },
    kpis::{DailyKpi, daily_series},
    tenant_owned::scoped,
};

pub use crate::entities::bulk_jobs::Model as BulkJob;
pub use crate::webhooks::WebhookEventSummary;
use crate::{exports::ExportJob, models::Article};

pub const KPI_DAYS: i64 = 14;

pub struct Dashboard {
    pub failed_exports: Vec<ExportJob>,
    pub active_exports: Vec<ExportJob>,
    /// `None` when the caller may not read webhook events (partners).
    pub failed_webhooks: Option<Vec<WebhookEventSummary>>,
    pub running_bulk_jobs: Vec<BulkJob>,
    pub recent_articles: Vec<Article>,
    /// The last 14 days, oldest first; the last entry is today.
    pub kpis: Vec<DailyKpi>,
    pub recent_audit: Vec<AuditEntry>,
}

pub async fn load(db: &Db, caller: &Caller, scope: Scope, tz: chrono_tz::Tz) -> Result<Dashboard, DomainError> {
    let txn = db.begin_snapshot_read().await?;
    let exports = |statuses: Vec<ExportJobStatus>| {
        scoped::<export_jobs::Entity>(scope)
            .filter(export_jobs::Column::Status.is_in(statuses))
            .order_by_desc(export_jobs::Column::Id)
            .first_rows(20, &txn)
    };
    let failed_exports = exports(vec![ExportJobStatus::Failed]).await?;
    let active_exports = exports(vec![ExportJobStatus::Pending, ExportJobStatus::Running]).await?;
    let failed_webhooks = match caller.authorize(Permission::WebhooksRead) {
        Ok(_) => Some(
            scoped::<webhook_events::Entity>(scope)
                .filter(webhook_events::Column::Status.eq(WebhookEventStatus::Failed))
                .order_by_desc(webhook_events::Column::Id)
                .first_rows_as::<WebhookEventSummary, _>(20, &txn)
                .await?,
        ),
        Err(_) => None,
    };
    let running_bulk_jobs = scoped::<bulk_jobs::Entity>(scope)
        .filter(bulk_jobs::Column::Status.is_in([BulkJobStatus::Pending, BulkJobStatus::Running]))
        .order_by_desc(bulk_jobs::Column::Id)
        .first_rows(20, &txn)
        .await?;
    let recent_articles = scoped::<articles::Entity>(scope)
        .filter(articles::Column::Status.eq(ArticleStatus::Published))
        .order_by_desc(articles::Column::PublishedAt)
        .first_rows(10, &txn)
        .await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let kpis = daily_series(&txn, scope, today - Duration::days(KPI_DAYS - 1), today).await?;
    let recent_audit = match caller.authorize(Permission::AuditRead) {
        Ok(_) => scoped::<audit_log::Entity>(scope).order_by_desc(audit_log::Column::Id).first_rows(50, &txn).await?,
        Err(_) => Vec::new(),
    };
    txn.commit().await?;
    Ok(Dashboard {
        failed_exports,
        active_exports,
        failed_webhooks,
        running_bulk_jobs,
        recent_articles,
        kpis,
        recent_audit,
    })
}
