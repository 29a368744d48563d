//! Entity for table `audit_log`. Mirrors migrations/; keep in sync by hand or regenerate.

use super::enums::{ActorType, AuditOutcome};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    pub actor_type: ActorType,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub tenant_id: Option<i64>,
    pub ip: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub request_id: Option<String>,
    /// The HTTP status of the request the entry belongs to, as the API supplied it.
    pub status: Option<i32>,
    pub outcome: AuditOutcome,
    pub reason: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub metadata: String,
    pub prev_hash: String,
    #[sea_orm(unique)]
    pub hash: String,
    /// How `hash` was computed (`audit::chain::HashVersion`).
    pub hash_version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
