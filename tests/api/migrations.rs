//! Migrations: idempotent, and refusing a schema newer than the binary.

use opsdeck_domain::{Db, db::MigrateError};
use sea_orm::ConnectionTrait;

use crate::helpers::{TestDatabase, TestResult};

#[tokio::test]
async fn migrating_a_migrated_database_is_a_no_op() -> TestResult {
    let database = TestDatabase::fresh().await?;
    let db = Db::connect(&database.url, 2).await?;

    assert_eq!(db.migrate().await?, 0);
    assert_eq!(db.migrate().await?, 0);
    Ok(())
}

#[tokio::test]
async fn a_schema_newer_than_the_binary_is_refused_and_left_alone() -> TestResult {
    let database = TestDatabase::fresh().await?;
    let db = Db::connect(&database.url, 2).await?;
    db.conn()
        .execute_unprepared(
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20991231_000001_from_the_future', 0)",
        )
        .await?;

    match db.migrate().await {
        Err(MigrateError::SchemaNewerThanBinary(names)) => assert!(names.contains("from_the_future")),
        other => panic!("expected the newer schema to be refused, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn check_constraints_guard_status_values() -> TestResult {
    let database = TestDatabase::fresh().await?;
    let db = Db::connect(&database.url, 2).await?;
    let now = "2026-01-01T00:00:00Z";
    let insert = format!(
        "INSERT INTO tenants (slug, name, status, created_at, updated_at) VALUES ('t', 'T', 'deleted', '{now}', '{now}')"
    );

    assert!(db.conn().execute_unprepared(&insert).await.is_err());
    Ok(())
}
