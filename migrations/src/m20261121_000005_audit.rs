//! The append-only, hash-chained audit log.
//!
//! `audit_chain` holds one row: the head of the chain (last id and hash) and the anchor left
//! behind by retention pruning. Every writer updates the head in the same transaction as its
//! insert, so writers serialize on that row and the chain can never fork.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_indexes, drop_tables, index, one_of};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // SQLite DDL is transactional too: a failed migration leaves nothing half-applied.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No foreign keys: the log outlives what it describes and is never rewritten.
        manager
            .create_table(
                Table::create()
                    .table("audit_log")
                    .col(big_pk_auto("id"))
                    .col(timestamp_with_time_zone("occurred_at"))
                    .col(string_len("actor_type", 16))
                    .check(one_of("audit_log", "actor_type", &["user", "token", "system", "anonymous"]))
                    .col(big_integer_null("actor_id"))
                    .col(string_len("actor_label", 255))
                    .col(big_integer_null("tenant_id"))
                    .col(string_len_null("ip", 64))
                    .col(string_len_null("method", 16))
                    .col(string_len_null("path", 2048))
                    .col(string_len("action", 128))
                    .col(string_len_null("target_type", 64))
                    .col(string_len_null("target_id", 128))
                    .col(string_len_null("request_id", 64))
                    .col(integer_null("outcome"))
                    .col(text("metadata"))
                    .col(string_len("prev_hash", 64))
                    .col(string_len_uniq("hash", 64))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("audit_chain")
                    .col(integer("id").primary_key())
                    .check(Check::named("ck_audit_chain_single_row", Expr::col("id").eq(1)))
                    .col(big_integer("head_id"))
                    .col(string_len("head_hash", 64))
                    // The last pruned entry: the oldest kept entry's prev_hash must equal it.
                    .col(big_integer("anchor_id"))
                    .col(string_len("anchor_hash", 64))
                    .to_owned(),
            )
            .await?;

        let genesis = "0".repeat(64);
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("audit_chain")
                    .columns(["id", "head_id", "head_hash", "anchor_id", "anchor_hash"])
                    .values_panic([1.into(), 0.into(), genesis.clone().into(), 0.into(), genesis.into()])
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            vec![
                index("audit_log", &["tenant_id", "id"]),
                index("audit_log", &["actor_type", "actor_id", "id"]),
                index("audit_log", &["action", "id"]),
                index("audit_log", &["target_type", "target_id", "id"]),
                index("audit_log", &["occurred_at"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["audit_chain", "audit_log"]).await
    }
}
