//! Entity for table `api_tokens`. Mirrors migrations/; keep in sync by hand or regenerate.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub display_prefix: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    #[sea_orm(column_type = "Text")]
    pub roles: String,
    pub tenant_id: Option<i64>,
    pub expires_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_update = "NoAction",
        on_delete = "Restrict"
    )]
    Users,
    #[sea_orm(
        belongs_to = "super::tenants::Entity",
        from = "Column::TenantId",
        to = "super::tenants::Column::Id",
        on_update = "NoAction",
        on_delete = "Restrict"
    )]
    Tenants,
    #[sea_orm(has_many = "super::bulk_jobs::Entity")]
    BulkJobs,
    #[sea_orm(has_many = "super::export_jobs::Entity")]
    ExportJobs,
    #[sea_orm(has_many = "super::kpi_rebuild_jobs::Entity")]
    KpiRebuildJobs,
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

impl Related<super::tenants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenants.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Users.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
