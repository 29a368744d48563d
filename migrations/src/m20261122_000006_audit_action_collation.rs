//! `audit_log.action` compares bytewise on PostgreSQL too.
//!
//! The audit search filters by action prefix with a range (`action >= 'auth.' AND action <
//! 'auth/'`), which the `(action, id)` index answers. Under a linguistic collation (the
//! default `en_US.utf8` of the postgres image) punctuation is ignored at the first level, so
//! such a range neither matches a prefix exactly nor could `LIKE 'auth.%'` use the index.
//! The C collation orders by bytes, as SQLite's default BINARY collation already does;
//! changing it rebuilds the index in that order. SQLite needs nothing.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_collation(manager, "\"C\"").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_collation(manager, "\"default\"").await
    }
}

async fn set_collation(manager: &SchemaManager<'_>, collation: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    manager
        .get_connection()
        .execute_unprepared(&format!("ALTER TABLE audit_log ALTER COLUMN action TYPE varchar(128) COLLATE {collation}"))
        .await
        .map(|_| ())
}
