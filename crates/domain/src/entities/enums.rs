//! String-backed active enums for the CHECK-constrained status-like columns.
//! Mirrors migrations/; keep in sync by hand or regenerate.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// `tenants.status`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TenantStatus {
    #[sea_orm(string_value = "active")]
    #[serde(rename = "active")]
    Active,
    #[sea_orm(string_value = "suspended")]
    #[serde(rename = "suspended")]
    Suspended,
}

/// `role_bindings.role`; partner roles are bound to one tenant, staff roles to none.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum Role {
    #[sea_orm(string_value = "superadmin")]
    #[serde(rename = "superadmin")]
    Superadmin,
    #[sea_orm(string_value = "ops")]
    #[serde(rename = "ops")]
    Ops,
    #[sea_orm(string_value = "support")]
    #[serde(rename = "support")]
    Support,
    #[sea_orm(string_value = "partner_admin")]
    #[serde(rename = "partner_admin")]
    PartnerAdmin,
    #[sea_orm(string_value = "partner_viewer")]
    #[serde(rename = "partner_viewer")]
    PartnerViewer,
}

impl Role {
    /// The value as stored in the database (and serialized).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Superadmin => "superadmin",
            Self::Ops => "ops",
            Self::Support => "support",
            Self::PartnerAdmin => "partner_admin",
            Self::PartnerViewer => "partner_viewer",
        }
    }
}

/// `attempt_counters.key_kind`: what the throttling key identifies.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AttemptKind {
    #[sea_orm(string_value = "account")]
    #[serde(rename = "account")]
    Account,
    #[sea_orm(string_value = "ip")]
    #[serde(rename = "ip")]
    Ip,
}

/// `products.visibility`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ProductVisibility {
    #[sea_orm(string_value = "visible")]
    #[serde(rename = "visible")]
    Visible,
    #[sea_orm(string_value = "hidden")]
    #[serde(rename = "hidden")]
    Hidden,
}

/// `orders.status`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OrderStatus {
    #[sea_orm(string_value = "pending")]
    #[serde(rename = "pending")]
    Pending,
    #[sea_orm(string_value = "paid")]
    #[serde(rename = "paid")]
    Paid,
    #[sea_orm(string_value = "refunded")]
    #[serde(rename = "refunded")]
    Refunded,
    #[sea_orm(string_value = "cancelled")]
    #[serde(rename = "cancelled")]
    Cancelled,
}

/// `articles.status`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ArticleStatus {
    #[sea_orm(string_value = "draft")]
    #[serde(rename = "draft")]
    Draft,
    #[sea_orm(string_value = "published")]
    #[serde(rename = "published")]
    Published,
    #[sea_orm(string_value = "archived")]
    #[serde(rename = "archived")]
    Archived,
}

/// `comments.status`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CommentStatus {
    #[sea_orm(string_value = "pending")]
    #[serde(rename = "pending")]
    Pending,
    #[sea_orm(string_value = "approved")]
    #[serde(rename = "approved")]
    Approved,
    #[sea_orm(string_value = "removed")]
    #[serde(rename = "removed")]
    Removed,
}

/// `export_jobs.status` (stored upper case).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ExportJobStatus {
    #[sea_orm(string_value = "PENDING")]
    #[serde(rename = "PENDING")]
    Pending,
    #[sea_orm(string_value = "RUNNING")]
    #[serde(rename = "RUNNING")]
    Running,
    #[sea_orm(string_value = "DONE")]
    #[serde(rename = "DONE")]
    Done,
    #[sea_orm(string_value = "FAILED")]
    #[serde(rename = "FAILED")]
    Failed,
}

impl ExportJobStatus {
    /// The value as stored in the database (and serialized).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Running => "RUNNING",
            Self::Done => "DONE",
            Self::Failed => "FAILED",
        }
    }
}

/// `export_jobs.dataset`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ExportDataset {
    #[sea_orm(string_value = "orders")]
    #[serde(rename = "orders")]
    Orders,
    #[sea_orm(string_value = "products")]
    #[serde(rename = "products")]
    Products,
    #[sea_orm(string_value = "customers")]
    #[serde(rename = "customers")]
    Customers,
    #[sea_orm(string_value = "audit_log")]
    #[serde(rename = "audit_log")]
    AuditLog,
}

/// `webhook_events.status` (stored upper case).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum WebhookEventStatus {
    #[sea_orm(string_value = "PENDING")]
    #[serde(rename = "PENDING")]
    Pending,
    #[sea_orm(string_value = "RUNNING")]
    #[serde(rename = "RUNNING")]
    Running,
    #[sea_orm(string_value = "PROCESSED")]
    #[serde(rename = "PROCESSED")]
    Processed,
    #[sea_orm(string_value = "IGNORED")]
    #[serde(rename = "IGNORED")]
    Ignored,
    #[sea_orm(string_value = "FAILED")]
    #[serde(rename = "FAILED")]
    Failed,
}

impl WebhookEventStatus {
    /// The value as stored in the database (and serialized).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Running => "RUNNING",
            Self::Processed => "PROCESSED",
            Self::Ignored => "IGNORED",
            Self::Failed => "FAILED",
        }
    }
}

/// `bulk_jobs.status` (stored upper case).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum BulkJobStatus {
    #[sea_orm(string_value = "PENDING")]
    #[serde(rename = "PENDING")]
    Pending,
    #[sea_orm(string_value = "RUNNING")]
    #[serde(rename = "RUNNING")]
    Running,
    #[sea_orm(string_value = "DONE")]
    #[serde(rename = "DONE")]
    Done,
    #[sea_orm(string_value = "FAILED")]
    #[serde(rename = "FAILED")]
    Failed,
    #[sea_orm(string_value = "CANCELLED")]
    #[serde(rename = "CANCELLED")]
    Cancelled,
}

impl BulkJobStatus {
    /// The value as stored in the database (and serialized).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Running => "RUNNING",
            Self::Done => "DONE",
            Self::Failed => "FAILED",
            Self::Cancelled => "CANCELLED",
        }
    }
}

/// `bulk_job_items.outcome`: only failures are recorded. NULL at or before the job's checkpoint
/// means the item succeeded, after it that it was not reached (yet). The schema still admits
/// `succeeded`, which nothing writes any more.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum BulkItemOutcome {
    #[sea_orm(string_value = "failed")]
    #[serde(rename = "failed")]
    Failed,
}

/// `kpi_rebuild_jobs.status` (stored upper case).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum KpiRebuildStatus {
    #[sea_orm(string_value = "PENDING")]
    #[serde(rename = "PENDING")]
    Pending,
    #[sea_orm(string_value = "RUNNING")]
    #[serde(rename = "RUNNING")]
    Running,
    #[sea_orm(string_value = "DONE")]
    #[serde(rename = "DONE")]
    Done,
    #[sea_orm(string_value = "FAILED")]
    #[serde(rename = "FAILED")]
    Failed,
}

impl KpiRebuildStatus {
    /// The value as stored in the database (and serialized).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Running => "RUNNING",
            Self::Done => "DONE",
            Self::Failed => "FAILED",
        }
    }
}

/// `job_attempts.job_kind`: which job table `job_attempts.job_id` points into.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum JobKind {
    #[sea_orm(string_value = "export")]
    #[serde(rename = "export")]
    Export,
    #[sea_orm(string_value = "webhook")]
    #[serde(rename = "webhook")]
    Webhook,
    #[sea_orm(string_value = "bulk")]
    #[serde(rename = "bulk")]
    Bulk,
    #[sea_orm(string_value = "kpi_rebuild")]
    #[serde(rename = "kpi_rebuild")]
    KpiRebuild,
}

/// `job_attempts.outcome` (NULL while the attempt runs).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AttemptOutcome {
    #[sea_orm(string_value = "succeeded")]
    #[serde(rename = "succeeded")]
    Succeeded,
    #[sea_orm(string_value = "retry")]
    #[serde(rename = "retry")]
    Retry,
    #[sea_orm(string_value = "failed")]
    #[serde(rename = "failed")]
    Failed,
    #[sea_orm(string_value = "lost")]
    #[serde(rename = "lost")]
    Lost,
    #[sea_orm(string_value = "cancelled")]
    #[serde(rename = "cancelled")]
    Cancelled,
}

/// `audit_log.actor_type`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ActorType {
    #[sea_orm(string_value = "user")]
    #[serde(rename = "user")]
    User,
    #[sea_orm(string_value = "token")]
    #[serde(rename = "token")]
    Token,
    #[sea_orm(string_value = "system")]
    #[serde(rename = "system")]
    System,
    #[sea_orm(string_value = "anonymous")]
    #[serde(rename = "anonymous")]
    Anonymous,
}

impl ActorType {
    /// The value as stored in the database (and serialized).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Token => "token",
            Self::System => "system",
            Self::Anonymous => "anonymous",
        }
    }
}

/// `audit_log.outcome`: how the audited action ended, whoever asked for it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AuditOutcome {
    /// It was done.
    #[sea_orm(string_value = "succeeded")]
    #[serde(rename = "succeeded")]
    Succeeded,
    /// It was not done because it was not allowed or did not fit (bad credentials, no
    /// permission, invalid input).
    #[sea_orm(string_value = "refused")]
    #[serde(rename = "refused")]
    Refused,
    /// It was attempted and went wrong.
    #[sea_orm(string_value = "failed")]
    #[serde(rename = "failed")]
    Failed,
}

impl AuditOutcome {
    /// The value as stored in the database (and serialized).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }
}
