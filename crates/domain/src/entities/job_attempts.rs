//! Entity for table `job_attempts`. Mirrors migrations/; keep in sync by hand or regenerate.

use super::enums::{AttemptOutcome, JobKind};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "job_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub job_kind: JobKind,
    pub job_id: i64,
    pub attempt: i32,
    pub claim_token: String,
    pub worker: String,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub outcome: Option<AttemptOutcome>,
    #[sea_orm(column_type = "Text")]
    pub error: Option<String>,
    /// `error` as the tenant may read it (see `jobs::RunError`).
    #[sea_orm(column_type = "Text")]
    pub public_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
