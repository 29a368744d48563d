//! Seeds small datasets into fresh SQLite files.

use std::{
    path::PathBuf,
    sync::atomic::{AtomicU32, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, QuerySelect, Statement};

use super::{SeedOptions, has_demo_data, seed_demo};
use crate::{
    Db, DomainError,
    audit::chain::{CanonicalEntry, GENESIS_HASH, canonical_time, entry_hash},
    entities::{audit_chain, audit_log, products},
};

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

/// Recomputes every hash from the stored columns: what was hashed is what was stored.
async fn verify_chain(db: &Db) -> Result<(i64, String), Box<dyn std::error::Error>> {
    let rows = audit_log::Entity::find().order_by_asc(audit_log::Column::Id).all(db.conn()).await?;
    let mut prev = GENESIS_HASH.to_owned();
    let mut last_id = 0;
    for row in &rows {
        assert_eq!(row.prev_hash, prev, "prev_hash of audit row {}", row.id);
        let entry = CanonicalEntry {
            id: row.id,
            occurred_at: canonical_time(row.occurred_at),
            actor_type: row.actor_type.as_str(),
            actor_id: row.actor_id,
            actor_label: &row.actor_label,
            tenant_id: row.tenant_id,
            ip: row.ip.as_deref(),
            method: row.method.as_deref(),
            path: row.path.as_deref(),
            action: &row.action,
            target_type: row.target_type.as_deref(),
            target_id: row.target_id.as_deref(),
            request_id: row.request_id.as_deref(),
            outcome: row.outcome,
            metadata: &row.metadata,
        };
        assert_eq!(entry_hash(&prev, &entry), row.hash, "hash of audit row {}", row.id);
        assert_eq!(row.id, last_id + 1, "ids are consecutive");
        prev = row.hash.clone();
        last_id = row.id;
    }
    let occurred: Vec<_> = rows.iter().map(|r| r.occurred_at).collect();
    assert!(occurred.windows(2).all(|w| w[0] < w[1]), "occurred_at increases with id");
    let head = audit_chain::Entity::find_by_id(1).one(db.conn()).await?.ok_or("no chain head")?;
    assert_eq!((head.head_id, head.head_hash.as_str()), (last_id, prev.as_str()));
    Ok((last_id, prev))
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
    let prices = products::Entity::find()
        .select_only()
        .column(products::Column::PriceMinor)
        .order_by_asc(products::Column::Id)
        .into_tuple::<i64>()
        .all(db.conn())
        .await?;
    let first =
        audit_log::Entity::find().order_by_asc(audit_log::Column::Id).one(db.conn()).await?.ok_or("no audit row")?;
    Ok((prices, first.hash))
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
    let (_, last_a) = verify_chain(&a.db).await?;
    let (_, last_b) = verify_chain(&b.db).await?;
    assert_eq!(last_a, last_b);
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
