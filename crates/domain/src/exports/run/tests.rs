//! The streamed export against the model path it replaced: same bytes, on SQLite and (with
//! `OPSDECK_TEST_POSTGRES_URL`) PostgreSQL.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, QueryFilter, QueryOrder, QueryTrait, Statement};

use super::{Pacer, heartbeat_interval, write_csv};
use crate::{
    Db,
    access::{Scope, TenantId},
    catalog::scoped,
    entities::{audit_log, customers, enums::ExportDataset, enums::OrderStatus, orders, products},
    exports::{
        ExportFilters,
        csv::{CsvRecord, neutralize},
    },
};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// A fresh migrated database: a SQLite file, or a new PostgreSQL database when
/// `OPSDECK_TEST_POSTGRES_URL` names a server. Removed when dropped.
struct TempDb {
    db: Db,
    url: String,
    dir: std::path::PathBuf,
    postgres: Option<(String, String)>,
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop runs outside async context: a short-lived runtime on a thread of its own.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                runtime.block_on(async {
                    let admin = Database::connect(&admin_url).await.ok()?;
                    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok()
                })
            })
            .join();
        }
    }
}

async fn temp_db() -> TestResult<TempDb> {
    let unique = format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos()
    );
    let dir = std::env::temp_dir().join(format!("opsdeck-export-{unique}"));
    std::fs::create_dir_all(&dir)?;
    let (url, postgres) = match std::env::var("OPSDECK_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty()) {
        Some(admin_url) => {
            let name = format!("opsdeck_unit_export_{unique}");
            let admin = Database::connect(&admin_url).await?;
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
            admin.close().await?;
            let base = admin_url.split('?').next().unwrap_or(&admin_url);
            let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
            (format!("{server}/{name}"), Some((admin_url.clone(), name)))
        }
        None => (format!("sqlite://{}/x.db", dir.display()), None),
    };
    let temp = TempDb { db: Db::connect(&url, 4).await?, url, dir, postgres };
    temp.db.migrate().await?;
    Ok(temp)
}

async fn execute(db: &Db, sql: &str) -> TestResult {
    db.conn().execute_raw(Statement::from_string(db.backend(), sql.to_owned())).await?;
    Ok(())
}

/// Cells a spreadsheet would run, CSV's special characters, Unicode, NULLs and zero,
/// on the first rows of each table.
async fn make_awkward_rows(db: &Db) -> TestResult {
    for sql in [
        "UPDATE products SET name = '=HYPERLINK(\"http://x\")', sku = '-sku' WHERE id = (SELECT MIN(id) FROM products)",
        "UPDATE products SET name = 'a,\"b\"\nc\tZoë ✓', sku = '+1' WHERE id = (SELECT MIN(id) + 1 FROM products)",
        "UPDATE customers SET name = '@SUM(A1)', email = '\tx@example.com', last_seen_at = NULL, churned_at = NULL \
         WHERE id = (SELECT MIN(id) FROM customers)",
        "UPDATE orders SET amount_minor = 0, external_ref = '\r=1', customer_id = NULL, paid_at = NULL \
         WHERE id = (SELECT MIN(id) FROM orders)",
        "UPDATE audit_log SET actor_label = '-1', ip = NULL, method = NULL, path = '=cmd|'' /C calc''!A0', \
         status = NULL, reason = '=2+2', target_id = '', metadata = '{\"note\":\"a,\\\"b\\\"\nc\"}' \
         WHERE id = (SELECT MIN(id) FROM audit_log)",
    ] {
        execute(db, sql).await?;
    }
    Ok(())
}

/// The CSV as the model path wrote it: every matching row as a model, `CsvRecord::record`,
/// each cell through `neutralize`.
async fn reference<M: CsvRecord>(rows: Vec<M>) -> TestResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(M::HEADER)?;
    for row in rows {
        writer.write_record(row.record().into_iter().map(neutralize))?;
    }
    Ok(writer.into_inner()?)
}

async fn expected(db: &Db, dataset: ExportDataset, scope: Scope, filters: &ExportFilters) -> TestResult<Vec<u8>> {
    let conn = db.conn();
    let (from, to) = (filters.from, filters.to);
    match dataset {
        ExportDataset::Orders => {
            let mut select = scoped::<orders::Entity>(scope).order_by_asc(orders::Column::Id);
            select = select.apply_if(filters.status, |s, status| s.filter(orders::Column::Status.eq(status)));
            select = select.apply_if(from, |s, at| s.filter(orders::Column::CreatedAt.gte(at)));
            select = select.apply_if(to, |s, at| s.filter(orders::Column::CreatedAt.lt(at)));
            reference(select.all(conn).await?).await
        }
        ExportDataset::Products => {
            let mut select = scoped::<products::Entity>(scope).order_by_asc(products::Column::Id);
            select = select.apply_if(from, |s, at| s.filter(products::Column::CreatedAt.gte(at)));
            select = select.apply_if(to, |s, at| s.filter(products::Column::CreatedAt.lt(at)));
            reference(select.all(conn).await?).await
        }
        ExportDataset::Customers => {
            let mut select = scoped::<customers::Entity>(scope).order_by_asc(customers::Column::Id);
            select = select.apply_if(from, |s, at| s.filter(customers::Column::SignedUpAt.gte(at)));
            select = select.apply_if(to, |s, at| s.filter(customers::Column::SignedUpAt.lt(at)));
            reference(select.all(conn).await?).await
        }
        ExportDataset::AuditLog => {
            let mut select = scope
                .filter(audit_log::Entity::find(), audit_log::Column::TenantId)
                .order_by_asc(audit_log::Column::Id);
            select = select.apply_if(from, |s, at| s.filter(audit_log::Column::OccurredAt.gte(at)));
            select = select.apply_if(to, |s, at| s.filter(audit_log::Column::OccurredAt.lt(at)));
            reference(select.all(conn).await?).await
        }
    }
}

async fn streamed(
    db: &Db,
    dataset: ExportDataset,
    scope: Scope,
    filters: &ExportFilters,
) -> TestResult<(u64, Vec<u8>)> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let rows = write_csv(db, dataset, scope, filters, &mut writer, None).await.map_err(|failure| match failure {
        super::Failure::Lost => "lost".to_owned(),
        super::Failure::Retryable(e) | super::Failure::Permanent(e) => e.detail,
    })?;
    Ok((rows, writer.into_inner()?))
}

#[tokio::test]
async fn the_streamed_export_writes_what_the_models_did_byte_for_byte() -> TestResult {
    let temp = temp_db().await?;
    let db = &temp.db;
    let now = DateTime::<Utc>::from_timestamp_micros(1_795_000_000_123_456).ok_or("time")?;
    // The seed crate links the domain crate as a library, not this test build of it: it seeds
    // through a connection of its own.
    opsdeck_seed::seed_demo_at(&temp.url, opsdeck_seed::SeedOptions { scale: 0.01, seed: 7, now }).await?;
    make_awkward_rows(db).await?;
    let tenant = |n: i64| Scope::Tenant(TenantId(n));
    let tenants: Vec<i64> = crate::entities::tenants::Entity::find()
        .order_by_asc(crate::entities::tenants::Column::Id)
        .all(db.conn())
        .await?
        .iter()
        .map(|t| t.id)
        .collect();
    let (first, second) = (tenants.first().copied().ok_or("no tenant")?, tenants.get(1).copied().ok_or("one tenant")?);
    let window = ExportFilters {
        from: Some(now - chrono::Duration::days(200)),
        to: Some(now - chrono::Duration::days(20)),
        ..Default::default()
    };
    let paid = ExportFilters { status: Some(OrderStatus::Paid), ..window.clone() };
    let cases = [
        (ExportDataset::Orders, Scope::All, ExportFilters::default()),
        (ExportDataset::Orders, tenant(first), paid),
        (ExportDataset::Products, Scope::All, ExportFilters::default()),
        (ExportDataset::Products, tenant(second), window.clone()),
        (ExportDataset::Customers, Scope::All, ExportFilters::default()),
        (ExportDataset::Customers, tenant(first), window.clone()),
        (ExportDataset::AuditLog, Scope::All, ExportFilters::default()),
        (ExportDataset::AuditLog, tenant(second), window),
    ];
    let mut chunked = false;
    for (dataset, scope, filters) in cases {
        let expected = expected(db, dataset, scope, &filters).await?;
        let (rows, actual) = streamed(db, dataset, scope, &filters).await?;
        let lines = csv::Reader::from_reader(expected.as_slice()).records().count() as u64;
        assert_eq!(rows, lines, "{dataset:?} {scope:?} {filters:?}: row count");
        assert!(rows > 0, "{dataset:?} {scope:?} {filters:?}: a case without rows proves little");
        chunked |= rows > super::CHUNK;
        if actual != expected {
            let (actual, expected) = (String::from_utf8_lossy(&actual), String::from_utf8_lossy(&expected));
            let difference = actual.lines().zip(expected.lines()).find(|(a, e)| a != e);
            panic!("{dataset:?} {scope:?} {filters:?}: the CSV differs, first at {difference:?}");
        }
    }
    assert!(chunked, "some case spans several chunks");
    let awkward = streamed(db, ExportDataset::Products, Scope::All, &ExportFilters::default()).await?.1;
    let text = String::from_utf8(awkward)?;
    assert!(text.contains(",'-sku,"), "a leading minus is defused");
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "formulas are defused");
    Ok(())
}

#[test]
fn heartbeats_are_paced_to_a_quarter_of_the_lease() {
    assert_eq!(heartbeat_interval(Duration::from_secs(60)), Duration::from_secs(15));
    let start = Instant::now();
    let mut pacer = Pacer::new(Duration::from_secs(15), start);
    assert!(!pacer.due(start));
    assert!(!pacer.due(start + Duration::from_secs(14)));
    assert!(pacer.due(start + Duration::from_secs(15)));
    assert!(!pacer.due(start + Duration::from_secs(16)), "counted from the last heartbeat");
    assert!(pacer.due(start + Duration::from_secs(31)));
}
