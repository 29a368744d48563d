//! Entity for table `attempt_counters`. Mirrors migrations/; keep in sync by hand or regenerate.

use super::enums::AttemptKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "attempt_counters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_kind: AttemptKind,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub window_start: DateTimeUtc,
    pub attempts: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
