//! The same work done straight against the database, in the same run: what opsdeck's figures
//! are read against. Run on the per-run working copy, which is thrown away afterwards, so the
//! writes here (a second discount, extra events) need no undoing.

use std::{sync::Arc, time::Duration, time::Instant};

use anyhow::{Context, bail};
use chrono::Utc;
use futures_util::{StreamExt, TryStreamExt};

use crate::{
    closed_loop,
    database::{Pool, trusted},
    endpoints::Endpoint,
    ingest::event_body,
    stats::{LoadFigures, Throughput},
};

/// Rows per transaction of the raw bulk update: opsdeck's default `OPSDECK_BULK_CHUNK_SIZE`.
const BULK_CHUNK: usize = 500;

/// An endpoint's statements, run one after the other per request (as the handler does), by
/// `clients` concurrent clients over the pool.
pub async fn statements(
    pool: &Pool,
    endpoint: &Endpoint,
    clients: u32,
    duration: Duration,
) -> anyhow::Result<LoadFigures> {
    let (pool, statements, snapshot) =
        (pool.clone(), Arc::new(endpoint.statements.clone()), Arc::new(endpoint.snapshot.clone()));
    closed_loop::run(clients, duration, move |_, _| {
        let (pool, statements, snapshot) = (pool.clone(), statements.clone(), snapshot.clone());
        async move {
            for statement in statements.iter() {
                pool.fetch_rows(statement).await?;
            }
            if !snapshot.is_empty() {
                pool.read_snapshot(&snapshot).await?;
            }
            Ok(())
        }
    })
    .await
}

/// Ingest without opsdeck: one `INSERT .. ON CONFLICT DO NOTHING RETURNING id` per event, the
/// statement opsdeck's ingest runs after its signature check and tenant lookup.
pub async fn ingest(
    pool: &Pool,
    tenant_id: i64,
    tenant_slug: &str,
    clients: u32,
    duration: Duration,
) -> anyhow::Result<LoadFigures> {
    const INSERT: &str = "INSERT INTO webhook_events (status, attempts, max_attempts, run_after, created_at, \
        updated_at, tenant_id, provider, event_id, event_type, payload, received_at) \
        VALUES ('PENDING', 0, 5, $1, $1, $1, $2, 'bench-baseline', $3, 'customer.created', $4, $1) \
        ON CONFLICT (provider, event_id) DO NOTHING RETURNING id";
    let (pool, tenant_slug): (Pool, Arc<str>) = (pool.clone(), tenant_slug.into());
    let run = Utc::now().timestamp_micros();
    closed_loop::run(clients, duration, move |client, n| {
        let (pool, tenant_slug) = (pool.clone(), tenant_slug.clone());
        async move {
            let id = format!("msg_baseline_{run}_{client}_{n}");
            let body = event_body(&tenant_slug, &id);
            let now = Utc::now();
            let inserted: Option<i64> = match &pool {
                Pool::Sqlite(sqlite) => {
                    sqlx::query_scalar(trusted(INSERT.replace('$', "?")))
                        .bind(now)
                        .bind(tenant_id)
                        .bind(&id)
                        .bind(&body)
                        .fetch_optional(sqlite)
                        .await?
                }
                Pool::Postgres(postgres) => {
                    sqlx::query_scalar(INSERT)
                        .bind(now)
                        .bind(tenant_id)
                        .bind(&id)
                        .bind(&body)
                        .fetch_optional(postgres)
                        .await?
                }
            };
            match inserted {
                Some(_) => Ok(()),
                None => bail!("event {id} was a duplicate"),
            }
        }
    })
    .await
}

/// The discount without opsdeck: 500-row chunks in id order, each one UPDATE in a transaction
/// of its own. Reading the ids is not timed (opsdeck freezes its target before the job runs).
pub async fn bulk_discount(pool: &Pool) -> anyhow::Result<Throughput> {
    let ids = pool.ids("SELECT id FROM products ORDER BY id").await?;
    let started = Instant::now();
    let mut changed = 0;
    for chunk in ids.chunks(BULK_CHUNK) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        // -10%, rounded half away from zero in integers: (p * 90 * 2 + 100) / 200.
        let update = format!(
            "UPDATE products SET price_minor = (price_minor * 180 + 100) / 200, updated_at = $1 WHERE id IN ({list})"
        );
        changed += pool.execute_in_transaction(&update, Utc::now()).await?;
    }
    Ok(Throughput::new(changed, started.elapsed().as_secs_f64()))
}

/// Which raw export the baseline ran.
pub fn export_method(pool: &Pool) -> &'static str {
    match pool {
        Pool::Sqlite(_) => "SELECT * streamed",
        Pool::Postgres(_) => "COPY ... TO STDOUT (csv)",
    }
}

/// The audit log out of the database as fast as the engine gives it: every row of a streamed
/// `SELECT *` on SQLite, `COPY .. TO STDOUT` as CSV on PostgreSQL.
pub async fn export_audit_log(pool: &Pool) -> anyhow::Result<Throughput> {
    let started = Instant::now();
    let rows = match pool {
        Pool::Sqlite(sqlite) => {
            let mut rows = sqlx::query("SELECT * FROM audit_log ORDER BY id").fetch(sqlite);
            let mut count = 0u64;
            while rows.try_next().await?.is_some() {
                count += 1;
            }
            count
        }
        Pool::Postgres(postgres) => {
            let mut conn = postgres.acquire().await?;
            let mut chunks =
                conn.copy_out_raw("COPY (SELECT * FROM audit_log ORDER BY id) TO STDOUT WITH (FORMAT csv)").await?;
            let mut bytes = 0usize;
            while let Some(chunk) = chunks.next().await {
                bytes += chunk?.len();
            }
            drop(chunks);
            if bytes == 0 {
                bail!("COPY returned nothing");
            }
            // CSV fields may hold line breaks, so rows are counted by the database, untimed.
            let seconds = started.elapsed().as_secs_f64();
            let rows = pool.scalar("SELECT COUNT(*) FROM audit_log").await.context("cannot count audit rows")?;
            return Ok(Throughput::new(u64::try_from(rows)?, seconds));
        }
    };
    Ok(Throughput::new(rows, started.elapsed().as_secs_f64()))
}
