//! Migrations: idempotent, refusing a schema newer than the binary, and keeping the audit
//! chain verifiable.

use chrono::{DateTime, SecondsFormat};
use opsdeck_domain::{
    Db,
    audit::{self, AuditActor, AuditEvent, RequestMeta},
    db::MigrateError,
};
use opsdeck_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectionTrait, Statement,
    sea_query::{Expr, ExprTrait, Query},
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

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

/// The audit chain written before outcomes were recorded (`hash_version` 1) still verifies after
/// the migration that added them, followed by entries written since. The old entries are written
/// and hashed here by hand, as the code of that time wrote them, so a migration that changes
/// what they hold (or a verifier that hashes them the new way) fails this test.
#[tokio::test]
async fn an_audit_chain_written_before_outcomes_verifies_after_the_migration() -> TestResult {
    let database = TestDatabase::fresh().await?;
    let db = Db::connect(&database.url, 2).await?;
    let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    let since = names.iter().rev().position(|name| name == OUTCOME_MIGRATION).ok_or("no outcome migration")? + 1;
    Migrator::down(db.conn(), Some(u32::try_from(since)?)).await?;

    let mut prev_hash = "0".repeat(64);
    for (id, (action, method, status)) in
        [("export_job.create", Some("POST"), Some(202)), ("request.forbidden", Some("POST"), Some(403))]
            .into_iter()
            .chain([("audit_log.prune", None, None), ("request.failed", Some("GET"), Some(500))])
            .enumerate()
    {
        prev_hash = insert_version_1_entry(&db, i64::try_from(id)? + 1, action, method, status, &prev_hash).await?;
    }
    db.conn()
        .execute(
            &Query::update()
                .table("audit_chain")
                .value("head_id", 4)
                .value("head_hash", prev_hash)
                .and_where(Expr::col("id").eq(1))
                .to_owned(),
        )
        .await?;

    assert_eq!(db.migrate().await?, since);
    let outcomes = db
        .conn()
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT status, outcome, reason, hash_version FROM audit_log ORDER BY id",
        ))
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get::<Option<i32>>("", "status")?,
                row.try_get::<String>("", "outcome")?,
                row.try_get::<Option<String>>("", "reason")?,
                row.try_get::<i32>("", "hash_version")?,
            ))
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    let old = |status: Option<i32>, outcome: &str| (status, outcome.to_owned(), None, 1);
    assert_eq!(
        outcomes,
        [old(Some(202), "succeeded"), old(Some(403), "refused"), old(None, "succeeded"), old(Some(500), "failed")]
    );

    let request = RequestMeta { method: Some("POST".into()), status: Some(201), ..RequestMeta::default() };
    let txn = db.begin_write().await?;
    audit::append(&txn, &AuditActor::system("test"), &request, AuditEvent::succeeded("tenant.create")).await?;
    let refusal = AuditEvent::refused("auth.login_failed", "bad_credentials");
    audit::append(&txn, &AuditActor::anonymous("someone"), &RequestMeta::default(), refusal).await?;
    txn.commit().await?;

    let report = audit::verify::verify(&db).await?;
    assert_eq!((report.broken, report.entries, report.last_id), (None, 6, Some(6)));

    // A new entry cannot pass for an old one, whose hash covers less.
    db.conn().execute_unprepared("UPDATE audit_log SET hash_version = 1 WHERE id = 6").await?;
    let downgraded = audit::verify::verify(&db).await?.broken.ok_or("a downgraded entry verified")?;
    assert_eq!(downgraded.id, 6);
    assert!(downgraded.reason.contains("hash version 1 cannot follow"), "{}", downgraded.reason);
    db.conn().execute_unprepared("UPDATE audit_log SET hash_version = 2 WHERE id = 6").await?;

    // An old entry's outcome is covered too: it must be the one its status implies.
    db.conn().execute_unprepared("UPDATE audit_log SET outcome = 'succeeded' WHERE id = 2").await?;
    assert_eq!(audit::verify::verify(&db).await?.broken.map(|broken| broken.id), Some(2));
    Ok(())
}

const OUTCOME_MIGRATION: &str = "m20261207_000013_audit_outcome";

/// Inserts entry `id` into the schema before outcomes, hashed as that schema's writers hashed
/// it: the request's status under the key `outcome`, keys in this order. Returns its hash.
async fn insert_version_1_entry(
    db: &Db,
    id: i64,
    action: &str,
    method: Option<&str>,
    status: Option<i32>,
    prev_hash: &str,
) -> TestResult<String> {
    let at = DateTime::from_timestamp_micros(1_780_000_000_000_000 + id * 1_234_567).ok_or("bad time")?;
    let path = method.map(|_| format!("/api/v1/things/{id}"));
    let metadata = json!({"n": id}).to_string();
    let canonical: [(&str, Value); 15] = [
        ("id", id.into()),
        ("occurred_at", at.to_rfc3339_opts(SecondsFormat::Micros, true).into()),
        ("actor_type", "system".into()),
        ("actor_id", Value::Null),
        ("actor_label", "history".into()),
        ("tenant_id", Value::Null),
        ("ip", method.map(|_| "192.0.2.1").into()),
        ("method", method.into()),
        ("path", path.clone().into()),
        ("action", action.into()),
        ("target_type", Value::Null),
        ("target_id", Value::Null),
        ("request_id", Value::Null),
        ("outcome", status.into()),
        ("metadata", metadata.clone().into()),
    ];
    let body: Vec<String> = canonical.iter().map(|(key, value)| format!("\"{key}\":{value}")).collect();
    let hash = hex::encode(Sha256::digest(format!("{prev_hash}\n{{{}}}", body.join(",")).as_bytes()));
    let insert = Query::insert()
        .into_table("audit_log")
        .columns([
            "id",
            "occurred_at",
            "actor_type",
            "actor_label",
            "ip",
            "method",
            "path",
            "action",
            "outcome",
            "metadata",
            "prev_hash",
            "hash",
        ])
        .values([
            id.into(),
            at.into(),
            "system".into(),
            "history".into(),
            method.map(|_| "192.0.2.1".to_owned()).into(),
            method.map(str::to_owned).into(),
            path.into(),
            action.into(),
            status.into(),
            metadata.into(),
            prev_hash.into(),
            hash.clone().into(),
        ])?
        .to_owned();
    db.conn().execute(&insert).await?;
    Ok(hash)
}
