//! The seeded data sets: one pristine copy per engine, scale and seed, seeded once and kept
//! between runs (seeding scale 1 takes minutes), and a fresh working copy of it for every run,
//! so what a run changes (a discounted catalog, ingested events, new jobs) never reaches the
//! next one.
//!
//! SQLite: files under the data directory. PostgreSQL: the pristine database
//! `opsdeck_bench_scale_<s>_seed_<n>` and the working copy `opsdeck_bench_run`, made from it as
//! a template. The test suite's databases are never touched.

use std::{
    path::{Path, PathBuf},
    time::Instant,
};

use anyhow::{Context, bail};
use serde::Serialize;
use sqlx::{Connection, PgConnection};

use crate::{
    Engine,
    database::{Pool, trusted},
    opsdeck::opsdeck_command,
};

/// What a run needs to find or make its data set.
pub struct DatasetSpec<'a> {
    pub opsdeck: &'a Path,
    pub data_dir: &'a Path,
    /// The maintenance database of the PostgreSQL server (where CREATE DATABASE runs).
    pub postgres_admin_url: &'a str,
    pub scale: f64,
    pub seed: u64,
    /// Seed anew even when a complete pristine copy exists.
    pub reseed: bool,
    /// Names the working copy (`sqlite-<name>.db`, `opsdeck_bench_<name>`), so that two runs on
    /// one machine (two engineers) never drop each other's copy. Lower-case letters, digits, `_`.
    pub copy_name: &'a str,
}

/// Whether this run seeded (and how long that took) or reused a cached data set.
#[derive(Clone, Debug, Serialize)]
pub struct DatasetOrigin {
    pub pristine: String,
    /// `None` when a cached pristine copy was reused.
    pub seed_seconds: Option<f64>,
    pub copy_seconds: f64,
}

/// The working copy's URL and where it came from.
pub struct WorkingCopy {
    pub url: String,
    pub origin: DatasetOrigin,
}

/// Marks a pristine PostgreSQL database whose seeding finished (an interrupted one is redone).
const COMPLETE: &str = "opsdeck-bench: seeded completely";

/// The working copy's name, checked: it goes into a file name and a database name.
fn copy_name(spec: &DatasetSpec<'_>) -> anyhow::Result<String> {
    let name = spec.copy_name;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        bail!("--copy-name {name:?}: use lower-case letters, digits and `_`");
    }
    Ok(name.to_owned())
}

pub async fn working_copy(engine: Engine, spec: &DatasetSpec<'_>) -> anyhow::Result<WorkingCopy> {
    match engine {
        Engine::Sqlite => sqlite_copy(spec),
        Engine::Postgres => postgres_copy(spec).await,
    }
}

fn scale_label(scale: f64) -> String {
    format!("{scale}").replace('.', "_")
}

fn seed_into(spec: &DatasetSpec<'_>, url: &str) -> anyhow::Result<f64> {
    eprintln!("seeding {url} at scale {} (seed {}); this is done once and cached", spec.scale, spec.seed);
    let started = Instant::now();
    let status = opsdeck_command(spec.opsdeck, url)
        .args(["seed", "--demo", "--scale", &spec.scale.to_string(), "--seed", &spec.seed.to_string()])
        .status()
        .context("cannot run opsdeck seed")?;
    if !status.success() {
        bail!("opsdeck seed failed ({status})");
    }
    Ok(started.elapsed().as_secs_f64())
}

fn sqlite_copy(spec: &DatasetSpec<'_>) -> anyhow::Result<WorkingCopy> {
    std::fs::create_dir_all(spec.data_dir).context("cannot create the data directory")?;
    let name = format!("sqlite-scale-{}-seed-{}", scale_label(spec.scale), spec.seed);
    let pristine = spec.data_dir.join(format!("{name}.db"));
    let marker = spec.data_dir.join(format!("{name}.complete"));
    let mut seed_seconds = None;
    if spec.reseed || !marker.exists() {
        remove_sqlite(&pristine)?;
        let _ = std::fs::remove_file(&marker);
        seed_seconds = Some(seed_into(spec, &sqlite_url(&pristine))?);
        std::fs::write(&marker, b"").context("cannot mark the data set complete")?;
    }
    let started = Instant::now();
    let working = spec.data_dir.join(format!("sqlite-{}.db", copy_name(spec)?));
    remove_sqlite(&working)?;
    // The seeding process has exited, so its WAL is checkpointed; copy a leftover one anyway.
    for suffix in ["", "-wal"] {
        let from = with_suffix(&pristine, suffix);
        if from.exists() {
            std::fs::copy(&from, with_suffix(&working, suffix)).context("cannot copy the data set")?;
        }
    }
    Ok(WorkingCopy {
        url: sqlite_url(&working),
        origin: DatasetOrigin {
            pristine: pristine.display().to_string(),
            seed_seconds,
            copy_seconds: started.elapsed().as_secs_f64(),
        },
    })
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

fn remove_sqlite(path: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let file = with_suffix(path, suffix);
        if file.exists() {
            std::fs::remove_file(&file).with_context(|| format!("cannot remove {}", file.display()))?;
        }
    }
    Ok(())
}

async fn postgres_copy(spec: &DatasetSpec<'_>) -> anyhow::Result<WorkingCopy> {
    let pristine = format!("opsdeck_bench_scale_{}_seed_{}", scale_label(spec.scale), spec.seed);
    let mut admin = PgConnection::connect(spec.postgres_admin_url).await.context("cannot connect to PostgreSQL")?;
    let comment: Option<Option<String>> =
        sqlx::query_scalar("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1")
            .bind(&pristine)
            .fetch_optional(&mut admin)
            .await?;
    let mut seed_seconds = None;
    if spec.reseed || comment.flatten().as_deref() != Some(COMPLETE) {
        sqlx::raw_sql(trusted(format!("DROP DATABASE IF EXISTS {pristine} WITH (FORCE)"))).execute(&mut admin).await?;
        sqlx::raw_sql(trusted(format!("CREATE DATABASE {pristine}"))).execute(&mut admin).await?;
        seed_seconds = Some(seed_into(spec, &database_url(spec.postgres_admin_url, &pristine)?)?);
        sqlx::raw_sql(trusted(format!("COMMENT ON DATABASE {pristine} IS '{COMPLETE}'"))).execute(&mut admin).await?;
    }
    let started = Instant::now();
    let working = format!("opsdeck_bench_{}", copy_name(spec)?);
    sqlx::raw_sql(trusted(format!("DROP DATABASE IF EXISTS {working} WITH (FORCE)"))).execute(&mut admin).await?;
    // FILE_COPY copies the files as they are, much faster than WAL-logging 2 GB page by page.
    sqlx::raw_sql(trusted(format!("CREATE DATABASE {working} TEMPLATE {pristine} STRATEGY FILE_COPY")))
        .execute(&mut admin)
        .await
        .context("cannot copy the pristine database")?;
    admin.close().await?;
    Ok(WorkingCopy {
        url: database_url(spec.postgres_admin_url, &working)?,
        origin: DatasetOrigin { pristine, seed_seconds, copy_seconds: started.elapsed().as_secs_f64() },
    })
}

/// Pads the working copy's catalog to `rows` products with copies of the seeded ones (same
/// tenant, shop and price, the SKU suffixed with the round), for the bulk discount over a
/// larger catalog. Returns how many products there are.
pub async fn pad_products(pool: &Pool, rows: u64) -> anyhow::Result<i64> {
    let target = i64::try_from(rows)?;
    let seeded_last = pool.scalar("SELECT COALESCE(MAX(id), 0) FROM products").await?;
    let seeded = pool.scalar("SELECT COUNT(*) FROM products").await?;
    if seeded == 0 {
        bail!("the data set has no products to copy");
    }
    let mut count = seeded;
    let mut round = 0;
    while count < target {
        round += 1;
        let batch = (target - count).min(seeded);
        count += i64::try_from(
            pool.execute(&format!(
                "INSERT INTO products (tenant_id, shop_id, sku, name, price_minor, currency, visibility, created_at, \
                 updated_at) SELECT tenant_id, shop_id, sku || '~{round}', name, price_minor, currency, visibility, \
                 created_at, updated_at FROM products WHERE id <= {seeded_last} ORDER BY id LIMIT {batch}"
            ))
            .await?,
        )?;
    }
    // Fresh statistics and visibility map, so neither side of the comparison pays for the
    // padding (PostgreSQL: hint bits, autovacuum waking up in the middle of a measurement).
    if let Pool::Postgres(_) = pool {
        pool.execute("VACUUM ANALYZE products").await?;
    }
    Ok(count)
}

/// The secondary indexes of `audit_log`: the export and its baseline read by primary key only.
const AUDIT_LOG_SECONDARY_INDEXES: [&str; 5] = [
    "ix_audit_log_tenant_id_id",
    "ix_audit_log_actor_type_actor_id_id",
    "ix_audit_log_action_id",
    "ix_audit_log_target_type_target_id_id",
    "ix_audit_log_occurred_at",
];

/// Pads the working copy's audit log to `rows` entries with copies of the seeded ones, for the
/// export's memory check at 10M rows. Copy `k` of entry `id` gets id `id + k * last seeded id`
/// and a hash made unique with `k`; the chain head moves to the last copy, so the entries opsdeck
/// appends afterwards follow it (the chain itself no longer verifies: nothing here checks it).
/// The secondary indexes are dropped first, which makes the padding minutes faster: run it
/// after every part that searches the log. Returns how many entries there are.
pub async fn pad_audit_log(pool: &Pool, rows: u64) -> anyhow::Result<i64> {
    let target = i64::try_from(rows)?;
    let seeded_last = pool.scalar("SELECT COALESCE(MAX(id), 0) FROM audit_log").await?;
    let seeded = pool.scalar("SELECT COUNT(*) FROM audit_log").await?;
    if seeded == 0 {
        bail!("the data set has no audit entries to copy");
    }
    for index in AUDIT_LOG_SECONDARY_INDEXES {
        pool.execute(&format!("DROP INDEX IF EXISTS {index}")).await?;
    }
    let columns = "occurred_at, actor_type, actor_id, actor_label, tenant_id, ip, method, path, action, \
                   target_type, target_id, request_id, outcome, metadata, prev_hash";
    let mut count = seeded;
    let mut round = 0i64;
    while count < target {
        round += 1;
        let batch = (target - count).min(seeded);
        let offset = round * seeded_last;
        count += i64::try_from(
            pool.execute(&format!(
                "INSERT INTO audit_log (id, {columns}, hash) SELECT id + {offset}, {columns}, \
                 substr(hash, 1, 56) || '{round:08x}' FROM audit_log WHERE id <= {seeded_last} ORDER BY id \
                 LIMIT {batch}"
            ))
            .await?,
        )?;
        if let Pool::Sqlite(_) = pool {
            // Keep the WAL from growing by gigabytes.
            pool.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
        }
    }
    pool.execute(
        "UPDATE audit_chain SET head_id = (SELECT MAX(id) FROM audit_log), \
         head_hash = (SELECT hash FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log))",
    )
    .await?;
    // As for the products: neither side of the comparison should pay for the padding.
    if let Pool::Postgres(_) = pool {
        pool.execute("VACUUM ANALYZE audit_log").await?;
    }
    Ok(count)
}

/// The admin URL with its database name replaced.
fn database_url(admin_url: &str, database: &str) -> anyhow::Result<String> {
    let (server, _) = admin_url
        .rsplit_once('/')
        .filter(|(server, _)| server.contains("://") && !server.ends_with('/'))
        .context("the PostgreSQL URL must name a database: postgres://user@host:port/postgres")?;
    Ok(format!("{server}/{database}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_swap_the_database_name() {
        let url = database_url("postgres://postgres@127.0.0.1:5432/postgres", "opsdeck_bench_run").unwrap();
        assert_eq!(url, "postgres://postgres@127.0.0.1:5432/opsdeck_bench_run");
        assert!(database_url("postgres://postgres@127.0.0.1:5432", "x").is_err());
        assert_eq!(scale_label(0.01), "0_01");
        assert_eq!(scale_label(1.0), "1");
    }
}
