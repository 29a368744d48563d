//! Entity for table `bulk_job_items`. Mirrors migrations/; keep in sync by hand or regenerate.

use super::enums::BulkItemOutcome;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "bulk_job_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub bulk_job_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i64,
    pub target_id: i64,
    pub outcome: Option<BulkItemOutcome>,
    #[sea_orm(column_type = "Text")]
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::bulk_jobs::Entity",
        from = "Column::BulkJobId",
        to = "super::bulk_jobs::Column::Id",
        on_update = "NoAction",
        on_delete = "Cascade"
    )]
    BulkJobs,
}

impl Related<super::bulk_jobs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::BulkJobs.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
