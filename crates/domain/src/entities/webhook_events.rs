//! Entity for table `webhook_events`. Mirrors migrations/; keep in sync by hand or regenerate.

use super::enums::WebhookEventStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webhook_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub status: WebhookEventStatus,
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
    pub provider: String,
    pub event_id: String,
    pub event_type: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub received_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
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
}

impl Related<super::tenants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenants.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
