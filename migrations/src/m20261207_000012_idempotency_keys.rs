//! `Idempotency-Key` on POST (issue 23): the first request's outcome per caller and key, kept
//! for a day, so a repeated request (a double click, a client's retry) answers it again instead
//! of acting twice. `status` is NULL while the first request runs.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_indexes, index};

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
                    .table("idempotency_keys")
                    .col(string_len("caller", 64))
                    .col(string_len("key", 255))
                    // SHA-256 of the method, path and body: a repeat must be the same request.
                    .col(string_len("request_digest", 64))
                    .col(integer_null("status"))
                    .col(string_len_null("content_type", 255))
                    .col(text_null("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("caller").col("key"))
                    .to_owned(),
            )
            .await?;
        create_indexes(manager, vec![index("idempotency_keys", &["created_at"])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("idempotency_keys").to_owned()).await
    }
}
