//! Indexes for the job change feed behind the live event stream: every connection asks, twice
//! a second, for the bulk and export jobs of its scope changed since an instant. Staff read
//! `(updated_at)`, partners `(tenant_id, updated_at)`; without them each poll scans the table.

use sea_orm_migration::prelude::*;

use crate::helpers::{create_indexes, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 2] = ["bulk_jobs", "export_jobs"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let indexes = TABLES
            .into_iter()
            .flat_map(|table| [index(table, &["updated_at"]), index(table, &["tenant_id", "updated_at"])])
            .collect();
        create_indexes(manager, indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            for columns in [&["updated_at"][..], &["tenant_id", "updated_at"][..]] {
                let name = format!("ix_{table}_{}", columns.join("_"));
                manager.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
            }
        }
        Ok(())
    }
}
