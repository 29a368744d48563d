//! A second, tenant-facing text beside each job error. `last_error` (and an attempt's `error`)
//! is for operators and may name internals (a database failure, a file path); partners read
//! `public_error`. Rows failed before this migration have none, and read as the generic text.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 5] = ["export_jobs", "webhook_events", "bulk_jobs", "kpi_rebuild_jobs", "job_attempts"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter().table(table).add_column(ColumnDef::new("public_error").text().null()).to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager.alter_table(Table::alter().table(table).drop_column("public_error").to_owned()).await?;
        }
        Ok(())
    }
}
