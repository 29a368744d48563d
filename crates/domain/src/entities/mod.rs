//! Entities, one module per table, in the shape sea-orm-cli generates (compact format).
//! Mirrors migrations/; keep in sync by hand or regenerate. Hand-written logic lives elsewhere.

pub mod enums;

pub mod api_tokens;
pub mod articles;
pub mod audit_chain;
pub mod audit_log;
pub mod auth_failures;
pub mod bulk_job_items;
pub mod bulk_jobs;
pub mod comments;
pub mod customers;
pub mod export_jobs;
pub mod job_attempts;
pub mod kpi_daily;
pub mod kpi_daily_revenue;
pub mod kpi_rebuild_jobs;
pub mod orders;
pub mod products;
pub mod refresh_sessions;
pub mod role_bindings;
pub mod schedule_runs;
pub mod shops;
pub mod tenants;
pub mod users;
pub mod webhook_events;

pub mod prelude {
    pub use super::api_tokens::Entity as ApiTokens;
    pub use super::articles::Entity as Articles;
    pub use super::audit_chain::Entity as AuditChain;
    pub use super::audit_log::Entity as AuditLog;
    pub use super::auth_failures::Entity as AuthFailures;
    pub use super::bulk_job_items::Entity as BulkJobItems;
    pub use super::bulk_jobs::Entity as BulkJobs;
    pub use super::comments::Entity as Comments;
    pub use super::customers::Entity as Customers;
    pub use super::export_jobs::Entity as ExportJobs;
    pub use super::job_attempts::Entity as JobAttempts;
    pub use super::kpi_daily::Entity as KpiDaily;
    pub use super::kpi_daily_revenue::Entity as KpiDailyRevenue;
    pub use super::kpi_rebuild_jobs::Entity as KpiRebuildJobs;
    pub use super::orders::Entity as Orders;
    pub use super::products::Entity as Products;
    pub use super::refresh_sessions::Entity as RefreshSessions;
    pub use super::role_bindings::Entity as RoleBindings;
    pub use super::schedule_runs::Entity as ScheduleRuns;
    pub use super::shops::Entity as Shops;
    pub use super::tenants::Entity as Tenants;
    pub use super::users::Entity as Users;
    pub use super::webhook_events::Entity as WebhookEvents;
}
