//! Login hardening (issue 18): one counter row per throttled key replaces the log of failures,
//! so an attempt is reserved by one statement that reads and bumps the count; and each user
//! keeps the last TOTP time step accepted, so a code is good once.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_indexes, index, one_of};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("attempt_counters")
                    .col(string_len("key_kind", 16))
                    .check(one_of("attempt_counters", "key_kind", &["account", "ip"]))
                    .col(string_len("key", 255))
                    .col(timestamp_with_time_zone("window_start"))
                    // Failures in the window plus checks still running.
                    .col(integer("attempts"))
                    .primary_key(Index::create().col("key_kind").col("key"))
                    .to_owned(),
            )
            .await?;
        create_indexes(manager, vec![index("attempt_counters", &["window_start"])]).await?;
        manager.drop_table(Table::drop().table("auth_failures").to_owned()).await?;
        manager
            .alter_table(Table::alter().table("users").add_column(big_integer_null("totp_last_step")).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("users").drop_column("totp_last_step").to_owned()).await?;
        manager.drop_table(Table::drop().table("attempt_counters").to_owned()).await?;
        manager
            .create_table(
                Table::create()
                    .table("auth_failures")
                    .col(big_pk_auto("id"))
                    .col(string_len("key_kind", 16))
                    .check(one_of("auth_failures", "key_kind", &["account", "ip"]))
                    .col(string_len("key", 255))
                    .col(timestamp_with_time_zone("occurred_at"))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            vec![index("auth_failures", &["key_kind", "key", "occurred_at"]), index("auth_failures", &["occurred_at"])],
        )
        .await
    }
}
