//! Daily KPI rollups, per tenant and platform-wide (`tenant_id` NULL).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_indexes, drop_tables, fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // SQLite DDL is transactional too: a failed migration leaves nothing half-applied.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("kpi_daily")
                    .col(big_pk_auto("id"))
                    .col(date("day"))
                    .col(big_integer_null("tenant_id"))
                    .col(big_integer("signups"))
                    .col(big_integer("dau"))
                    .col(big_integer("orders"))
                    .col(big_integer("churned"))
                    .col(timestamp_with_time_zone("computed_at"))
                    .foreign_key(&mut fk("kpi_daily", "tenant_id", "tenants", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("kpi_daily_revenue")
                    .col(big_pk_auto("id"))
                    .col(date("day"))
                    .col(big_integer_null("tenant_id"))
                    .col(char_len("currency", 3))
                    .col(big_integer("revenue_minor"))
                    .col(big_integer("paid_orders"))
                    .col(timestamp_with_time_zone("computed_at"))
                    .foreign_key(&mut fk("kpi_daily_revenue", "tenant_id", "tenants", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            vec![
                unique("kpi_daily", &["day", "tenant_id"]),
                index("kpi_daily", &["tenant_id", "day"]),
                unique("kpi_daily_revenue", &["day", "tenant_id", "currency"]),
                index("kpi_daily_revenue", &["tenant_id", "day"]),
            ],
        )
        .await?;

        // NULLs are distinct in unique indexes on both engines, so the platform-wide rows
        // (tenant_id NULL) get partial unique indexes of their own.
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_kpi_daily_platform_day ON kpi_daily (day) WHERE tenant_id IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_kpi_daily_revenue_platform_day_currency \
             ON kpi_daily_revenue (day, currency) WHERE tenant_id IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["kpi_daily_revenue", "kpi_daily"]).await
    }
}
