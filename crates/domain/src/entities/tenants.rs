//! Entity for table `tenants`. Mirrors migrations/; keep in sync by hand or regenerate.

use super::enums::TenantStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::api_tokens::Entity")]
    ApiTokens,
    #[sea_orm(has_many = "super::articles::Entity")]
    Articles,
    #[sea_orm(has_many = "super::bulk_jobs::Entity")]
    BulkJobs,
    #[sea_orm(has_many = "super::comments::Entity")]
    Comments,
    #[sea_orm(has_many = "super::customers::Entity")]
    Customers,
    #[sea_orm(has_many = "super::export_jobs::Entity")]
    ExportJobs,
    #[sea_orm(has_many = "super::kpi_daily::Entity")]
    KpiDaily,
    #[sea_orm(has_many = "super::kpi_daily_revenue::Entity")]
    KpiDailyRevenue,
    #[sea_orm(has_many = "super::orders::Entity")]
    Orders,
    #[sea_orm(has_many = "super::products::Entity")]
    Products,
    #[sea_orm(has_many = "super::role_bindings::Entity")]
    RoleBindings,
    #[sea_orm(has_many = "super::shops::Entity")]
    Shops,
    #[sea_orm(has_many = "super::webhook_events::Entity")]
    WebhookEvents,
}

impl Related<super::api_tokens::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiTokens.def()
    }
}

impl Related<super::articles::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Articles.def()
    }
}

impl Related<super::bulk_jobs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::BulkJobs.def()
    }
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comments.def()
    }
}

impl Related<super::customers::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Customers.def()
    }
}

impl Related<super::export_jobs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ExportJobs.def()
    }
}

impl Related<super::kpi_daily::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::KpiDaily.def()
    }
}

impl Related<super::kpi_daily_revenue::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::KpiDailyRevenue.def()
    }
}

impl Related<super::orders::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Orders.def()
    }
}

impl Related<super::products::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Products.def()
    }
}

impl Related<super::role_bindings::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RoleBindings.def()
    }
}

impl Related<super::shops::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Shops.def()
    }
}

impl Related<super::webhook_events::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WebhookEvents.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
