//! Audit entries say how the action ended in the domain's words: `outcome` (succeeded, refused,
//! failed) and a `reason`. `status` (the column `outcome` was) keeps the HTTP status of the
//! request an entry belongs to, and is NULL for work nobody asked for over HTTP.
//!
//! Existing entries keep the hash they were written with: `hash_version` 1 hashes the status
//! under its old name and no outcome or reason, and their outcome is filled in from their
//! status by the rule `audit::chain::implied_outcome` checks them against (2xx, 3xx or none:
//! succeeded; 4xx: refused; 5xx: failed). New entries are written with version 2.

use sea_orm_migration::prelude::*;

use crate::helpers::one_of;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        alter(manager, Table::alter().table("audit_log").rename_column("outcome", "status")).await?;
        // The default fills existing rows in one step; only refusals and failures need an update.
        let outcome = ColumnDef::new("outcome")
            .string_len(16)
            .not_null()
            .default("succeeded")
            .check(one_of("audit_log", "outcome", &["succeeded", "refused", "failed"]))
            .to_owned();
        alter(manager, Table::alter().table("audit_log").add_column(outcome)).await?;
        let reason = ColumnDef::new("reason").string_len(255).null().to_owned();
        alter(manager, Table::alter().table("audit_log").add_column(reason)).await?;
        let version = ColumnDef::new("hash_version").integer().not_null().default(1).to_owned();
        alter(manager, Table::alter().table("audit_log").add_column(version)).await?;
        for (outcome, statuses) in [("refused", (400, 500)), ("failed", (500, 1000))] {
            manager
                .exec_stmt(
                    Query::update()
                        .table("audit_log")
                        .value("outcome", outcome)
                        .and_where(Expr::col("status").gte(statuses.0))
                        .and_where(Expr::col("status").lt(statuses.1))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["hash_version", "reason", "outcome"] {
            alter(manager, Table::alter().table("audit_log").drop_column(column)).await?;
        }
        alter(manager, Table::alter().table("audit_log").rename_column("status", "outcome")).await
    }
}

async fn alter(manager: &SchemaManager<'_>, statement: &mut TableAlterStatement) -> Result<(), DbErr> {
    manager.alter_table(statement.to_owned()).await
}
