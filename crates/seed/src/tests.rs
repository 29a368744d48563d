//! Seeds small datasets into fresh SQLite files.

use std::{
    path::PathBuf,
    sync::atomic::{AtomicU32, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

use chrono::{DateTime, Utc};
use opsdeck_domain::{Db, DomainError, audit::chain::canonical_time, audit::verify::verify};
use sea_orm::{ConnectionTrait, Statement};

use super::{SeedOptions, has_demo_data, seed_demo};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A fresh, migrated SQLite database in its own directory; the directory goes when dropped.
struct TempDb {
    db: Db,
    dir: PathBuf,
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn temp_db() -> Result<TempDb, Box<dyn std::error::Error>> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.subsec_nanos();
    let dir = std::env::temp_dir().join(format!(
        "opsdeck-seed-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)?;
    let db = Db::connect(&format!("sqlite://{}/x.db", dir.display()), 4).await?;
    db.migrate().await?;
    Ok(TempDb { db, dir })
}

fn fixed_now() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(1_795_000_000_123_456).unwrap_or_default()
}

async fn count(db: &Db, sql: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let row = db.conn().query_one_raw(Statement::from_string(db.backend(), sql.to_owned())).await?;
    Ok(row.ok_or("no row")?.try_get("", "n")?)
}

/// The chain verifies from the first row to the head, and time only moves forward with the ids;
/// returns the last entry's hash.
async fn verify_chain(db: &Db) -> Result<String, Box<dyn std::error::Error>> {
    let report = verify(db).await?;
    assert_eq!(report.broken, None, "the seeded audit log verifies");
    assert_eq!(report.first_id, Some(1));
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM audit_log a JOIN audit_log b ON b.id = a.id + 1 \
             WHERE b.occurred_at <= a.occurred_at"
        )
        .await?,
        0,
        "occurred_at increases with id"
    );
    let last = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"))
        .await?
        .ok_or("no audit row")?;
    Ok(last.try_get("", "hash")?)
}

#[tokio::test]
async fn seeds_a_small_realistic_dataset_once() -> TestResult {
    let temp = temp_db().await?;
    let db = &temp.db;
    assert!(!has_demo_data(db).await?);

    let options = SeedOptions { scale: 0.01, seed: 7, now: fixed_now() };
    let report = seed_demo(db, options).await?;
    assert_eq!((report.tenants, report.products, report.orders, report.customers), (2, 1000, 2000, 500));
    assert_eq!(
        (report.webhook_events, report.export_jobs, report.audit_rows, report.kpi_days),
        (2000, 200, 10_000, 365)
    );
    assert!(has_demo_data(db).await?);

    for (table, expected) in [
        ("tenants", 2),
        ("shops", 4),
        ("products", 1000),
        ("orders", 2000),
        ("customers", 500),
        ("articles", 50),
        ("webhook_events", 2000),
        ("export_jobs", 200),
        ("audit_log", 10_000),
        ("kpi_daily", 365 * 3),
    ] {
        assert_eq!(count(db, &format!("SELECT COUNT(*) AS n FROM {table}")).await?, expected, "{table}");
    }
    assert_eq!(report.comments as i64, count(db, "SELECT COUNT(*) AS n FROM comments").await?);
    assert!(report.comments > 0);

    // Everything lies in the year before `now`, in the format the application writes.
    let now = canonical_time(fixed_now());
    let latest = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), "SELECT MAX(occurred_at) AS t FROM audit_log"))
        .await?
        .ok_or("no row")?
        .try_get::<DateTime<Utc>>("", "t")?;
    assert!(canonical_time(latest) < now);
    assert_eq!(count(db, "SELECT COUNT(*) AS n FROM orders WHERE created_at NOT LIKE '____-__-__T%+00:00'").await?, 0);

    // Export jobs: failures exhausted their attempts; finished ones have no file to offer.
    assert!(count(db, "SELECT COUNT(*) AS n FROM export_jobs WHERE status = 'FAILED'").await? > 0);
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM export_jobs WHERE status = 'FAILED' \
             AND (attempts <> max_attempts OR last_error IS NULL)"
        )
        .await?,
        0
    );
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM export_jobs WHERE status = 'DONE' AND (storage_key IS NOT NULL \
             OR file_deleted_at IS NULL OR row_count IS NULL OR checksum_sha256 IS NULL)"
        )
        .await?,
        0
    );
    assert_eq!(
        count(db, "SELECT COUNT(*) AS n FROM export_jobs WHERE status = 'RUNNING' AND heartbeat_at IS NULL").await?,
        0
    );
    // Paid orders carry paid_at; webhook events are unique and shaped like the inbound ones.
    assert_eq!(count(db, "SELECT COUNT(*) AS n FROM orders WHERE status = 'paid' AND paid_at IS NULL").await?, 0);
    assert_eq!(count(db, "SELECT COUNT(DISTINCT event_id) AS n FROM webhook_events").await?, 2000);
    assert_eq!(
        count(db, "SELECT COUNT(*) AS n FROM webhook_events WHERE payload NOT LIKE '{\"type\":\"%\",\"timestamp\":\"%\",\"data\":{%}}'")
            .await?,
        0
    );
    assert!(count(db, "SELECT COUNT(*) AS n FROM audit_log WHERE tenant_id IS NULL").await? > 0);
    assert!(count(db, "SELECT COUNT(*) AS n FROM audit_log WHERE tenant_id IS NOT NULL").await? > 0);

    verify_chain(db).await?;

    // A second seeding is refused and changes nothing.
    let again = seed_demo(db, options).await;
    assert!(matches!(again, Err(DomainError::Conflict { code: "already_seeded", .. })), "second seed: {again:?}");
    assert_eq!(count(db, "SELECT COUNT(*) AS n FROM products").await?, 1000);
    Ok(())
}

async fn fingerprint(db: &Db) -> Result<(Vec<i64>, String), Box<dyn std::error::Error>> {
    let query = |sql: &str| db.conn().query_all_raw(Statement::from_string(db.backend(), sql));
    let prices = query("SELECT price_minor FROM products ORDER BY id")
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<i64>(0))
        .collect::<Result<_, _>>()?;
    let first = query("SELECT hash FROM audit_log ORDER BY id LIMIT 1").await?;
    Ok((prices, first.first().ok_or("no audit row")?.try_get_by_index(0)?))
}

#[tokio::test]
async fn the_same_seed_and_now_give_the_same_data() -> TestResult {
    let options = SeedOptions { scale: 0.005, seed: 42, now: fixed_now() };
    let (a, b, c) = (temp_db().await?, temp_db().await?, temp_db().await?);
    seed_demo(&a.db, options).await?;
    seed_demo(&b.db, options).await?;
    seed_demo(&c.db, SeedOptions { seed: 43, ..options }).await?;
    let (fa, fb, fc) = (fingerprint(&a.db).await?, fingerprint(&b.db).await?, fingerprint(&c.db).await?);
    assert_eq!(fa, fb);
    assert_ne!(fa.0, fc.0);
    assert_ne!(fa.1, fc.1);
    assert_eq!(verify_chain(&a.db).await?, verify_chain(&b.db).await?);
    Ok(())
}

#[tokio::test]
async fn rejects_a_bad_scale() -> TestResult {
    let temp = temp_db().await?;
    for scale in [0.0, -1.0, f64::NAN, 1e9] {
        let result = seed_demo(&temp.db, SeedOptions { scale, seed: 1, now: fixed_now() }).await;
        assert!(matches!(result, Err(DomainError::Invalid { .. })), "scale {scale}");
    }
    assert!(!has_demo_data(&temp.db).await?);
    Ok(())
}
