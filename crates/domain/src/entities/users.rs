//! Entity for table `users`. Mirrors migrations/; keep in sync by hand or regenerate.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub is_active: bool,
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<DateTimeUtc>,
    /// The time step of the last TOTP code accepted; a code of that step or an earlier one is refused.
    pub totp_last_step: Option<i64>,
    pub last_login_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::api_tokens::Entity")]
    ApiTokens,
    #[sea_orm(has_many = "super::bulk_jobs::Entity")]
    BulkJobs,
    #[sea_orm(has_many = "super::export_jobs::Entity")]
    ExportJobs,
    #[sea_orm(has_many = "super::kpi_rebuild_jobs::Entity")]
    KpiRebuildJobs,
    #[sea_orm(has_many = "super::refresh_sessions::Entity")]
    RefreshSessions,
    #[sea_orm(has_many = "super::role_bindings::Entity")]
    RoleBindings,
}

impl Related<super::api_tokens::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiTokens.def()
    }
}

impl Related<super::bulk_jobs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::BulkJobs.def()
    }
}

impl Related<super::export_jobs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ExportJobs.def()
    }
}

impl Related<super::kpi_rebuild_jobs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::KpiRebuildJobs.def()
    }
}

impl Related<super::refresh_sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RefreshSessions.def()
    }
}

impl Related<super::role_bindings::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RoleBindings.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
