//! Entity for table `bulk_jobs`. Mirrors migrations/; keep in sync by hand or regenerate.

use super::enums::BulkJobStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "bulk_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub status: BulkJobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    #[sea_orm(column_type = "Text")]
    pub last_error: Option<String>,
    /// `last_error` as the tenant may read it (see `jobs::RunError`).
    #[sea_orm(column_type = "Text")]
    pub public_error: Option<String>,
    pub claim_token: Option<String>,
    pub heartbeat_at: Option<DateTimeUtc>,
    pub run_after: DateTimeUtc,
    pub enqueued_at: Option<DateTimeUtc>,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub tenant_id: Option<i64>,
    pub requested_by_user_id: Option<i64>,
    pub requested_by_token_id: Option<i64>,
    pub action: String,
    #[sea_orm(column_type = "Text")]
    pub params: String,
    #[sea_orm(column_type = "Text")]
    pub target: String,
    #[sea_orm(unique)]
    pub confirmation_hash: String,
    pub total: i64,
    pub processed: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub checkpoint: i64,
    pub chunk_size: i32,
    pub retry_of_id: Option<i64>,
    pub cancel_requested_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::tenants::Entity",
        from = "Column::TenantId",
        to = "super::tenants::Column::Id",
        on_update = "NoAction",
        on_delete = "Restrict"
    )]
    Tenants,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::RequestedByUserId",
        to = "super::users::Column::Id",
        on_update = "NoAction",
        on_delete = "SetNull"
    )]
    Users,
    #[sea_orm(
        belongs_to = "super::api_tokens::Entity",
        from = "Column::RequestedByTokenId",
        to = "super::api_tokens::Column::Id",
        on_update = "NoAction",
        on_delete = "SetNull"
    )]
    ApiTokens,
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::RetryOfId",
        to = "Column::Id",
        on_update = "NoAction",
        on_delete = "SetNull"
    )]
    SelfRef,
    #[sea_orm(has_many = "super::bulk_job_items::Entity")]
    BulkJobItems,
}

impl Related<super::api_tokens::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiTokens.def()
    }
}

impl Related<super::bulk_job_items::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::BulkJobItems.def()
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
