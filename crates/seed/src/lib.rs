//! Deterministic demo and benchmark data.
//!
//! The same `(seed, now)` gives the same rows; every timestamp lies in the year before `now`, so
//! dashboards look alive whenever the data is seeded. Scale 1 is the benchmark dataset of the
//! design document (20 tenants, 100k products, 200k orders, 200k webhook events, 20k export jobs,
//! 1M audit rows); other scales shrink or grow it linearly.
//!
//! Seeding is only allowed into a database without tenants. Rows are written with multi-row
//! INSERTs in transactions of [`writer::ROWS_PER_TRANSACTION`] rows, so a failure part-way leaves
//! the rows committed so far (recreate the database and seed again). Run it before serving, not
//! alongside live traffic: audit timestamps only increase with ids among the seeded rows.

mod actors;
mod audit;
mod bulk;
mod commerce;
mod content;
mod customers;
mod exports;
mod kpis;
mod names;
mod plan;
mod tenants;
mod webhooks;
mod writer;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use opsdeck_domain::{Db, DomainError};
use sea_orm::{ConnectionTrait, Statement};

use self::{
    plan::{Clock, Counts, stream},
    writer::reserve_ids,
};

/// The largest accepted scale: 100 times the benchmark dataset (100M audit rows).
pub const MAX_SCALE: f64 = 100.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeedOptions {
    /// 1.0 = the benchmark dataset; counts scale linearly (tenants between 2 and 20).
    pub scale: f64,
    /// Same seed and `now`: same rows.
    pub seed: u64,
    /// Everything is generated in the year before this instant.
    pub now: DateTime<Utc>,
}

impl SeedOptions {
    /// Seeds relative to the current time.
    pub fn new(scale: f64, seed: u64) -> Self {
        Self { scale, seed, now: Utc::now() }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub tenants: u64,
    pub products: u64,
    pub orders: u64,
    pub customers: u64,
    pub articles: u64,
    pub comments: u64,
    pub webhook_events: u64,
    pub export_jobs: u64,
    pub audit_rows: u64,
    pub kpi_days: u64,
    pub elapsed: Duration,
}

/// True when any tenant exists (seeded or real): seeding is refused then.
pub async fn has_demo_data(db: &Db) -> Result<bool, DomainError> {
    any_tenant(db.conn()).await
}

async fn any_tenant(conn: &impl ConnectionTrait) -> Result<bool, DomainError> {
    let sql = "SELECT id FROM tenants LIMIT 1";
    Ok(conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql)).await?.is_some())
}

/// First ids of the ranges reserved for each table whose rows others point at.
struct Ids {
    tenants: i64,
    shops: i64,
    customers: i64,
    products: i64,
    orders: i64,
    articles: i64,
    comments: i64,
    webhook_events: i64,
    export_jobs: i64,
}

/// Fills an empty database with demo data. `Conflict("already_seeded")` when tenants exist.
pub async fn seed_demo(db: &Db, options: SeedOptions) -> Result<SeedReport, DomainError> {
    let started = Instant::now();
    if !(options.scale.is_finite() && options.scale > 0.0 && options.scale <= MAX_SCALE) {
        return Err(DomainError::invalid_field("scale", format!("must be above 0 and at most {MAX_SCALE}")));
    }
    let counts = Counts::for_scale(options.scale);
    let clock = Clock::new(options.now);
    let seed = options.seed;
    let existing = actors::load_existing(db).await?;

    // The claim: in one write transaction, check for tenants, reserve every id range, and write
    // the tenants. A second seeder waits for the lock and then finds the tenants.
    let txn = db.begin_write().await?;
    if any_tenant(&txn).await? {
        return Err(DomainError::conflict(
            "already_seeded",
            "the database already has tenants; demo data can only be seeded into an empty database",
        ));
    }
    let ids = Ids {
        tenants: reserve_ids(&txn, "tenants", counts.tenants).await?,
        shops: reserve_ids(&txn, "shops", 2 * counts.tenants).await?,
        customers: reserve_ids(&txn, "customers", counts.customers).await?,
        products: reserve_ids(&txn, "products", counts.products).await?,
        orders: reserve_ids(&txn, "orders", counts.orders).await?,
        articles: reserve_ids(&txn, "articles", counts.articles).await?,
        comments: reserve_ids(&txn, "comments", counts.comments).await?,
        webhook_events: reserve_ids(&txn, "webhook_events", counts.webhook_events).await?,
        export_jobs: reserve_ids(&txn, "export_jobs", counts.export_jobs).await?,
    };
    let tenants = tenants::generate(&mut stream(seed, 1), &clock, counts.tenants, ids.tenants, ids.shops);
    tenants::load(&txn, &mut stream(seed, 2), &clock, &tenants).await?;
    txn.commit().await?;
    progress("tenants", tenants.len() as u64, started);

    let customers = customers::generate(&mut stream(seed, 3), &clock, &tenants, counts.customers, ids.customers);
    let customer_rows = customers::load(db, &mut stream(seed, 4), &tenants, &customers).await?;
    progress("customers", customer_rows, started);

    let products = commerce::generate_products(&mut stream(seed, 5), &clock, &tenants, counts.products, ids.products);
    let product_rows = commerce::load_products(db, &mut stream(seed, 6), &tenants, &products).await?;
    progress("products", product_rows, started);

    let orders = commerce::generate_orders(
        &mut stream(seed, 7),
        &clock,
        &tenants,
        &customers,
        &products,
        counts.orders,
        ids.orders,
    );
    let order_rows = commerce::load_orders(db, &tenants, &customers, &orders).await?;
    progress("orders", order_rows, started);

    let articles = content::generate_articles(&mut stream(seed, 8), &clock, &tenants, counts.articles, ids.articles);
    let article_rows = content::load_articles(db, &mut stream(seed, 9), &tenants, &articles).await?;
    let comments = content::generate_comments(&mut stream(seed, 10), &clock, &articles, counts.comments, ids.comments);
    let comment_rows = content::load_comments(db, &mut stream(seed, 11), &tenants, &articles, &comments).await?;
    progress("articles and comments", article_rows + comment_rows, started);

    let events = webhooks::generate(
        &mut stream(seed, 12),
        &clock,
        &customers,
        &orders,
        counts.webhook_events,
        ids.webhook_events,
    );
    let event_rows = webhooks::load(db, &mut stream(seed, 13), &clock, &tenants, &customers, &orders, &events).await?;
    progress("webhook_events", event_rows, started);

    let exports = exports::generate(&mut stream(seed, 14), &clock, &tenants, counts.export_jobs, ids.export_jobs);
    let export_rows = exports::load(db, &mut stream(seed, 15), &clock, &tenants, &existing, &exports).await?;
    progress("export_jobs", export_rows, started);

    let bulk_jobs = bulk::load(db, &mut stream(seed, 20), &clock, &tenants, &products, &comments).await?;
    progress("bulk_jobs", bulk_jobs, started);

    let kpis = kpis::compute(&mut stream(seed, 16), &clock, tenants.len(), &customers, &orders);
    let kpi_days = kpis::load(db, &tenants, &kpis).await?;
    progress("kpi days", kpi_days, started);

    let cast = actors::Cast::new(&mut stream(seed, 17), &existing, &tenants);
    let times = audit::times(&mut stream(seed, 18), &clock, counts.audit_rows);
    let product_tenant = |i: usize| products.list.get(i).map(|p| p.tenant);
    let export_tenant = |i: usize| exports.list.get(i).and_then(|e| e.tenant);
    let event_tenant = |i: usize| events.list.get(i).and_then(webhooks::Event::tenant);
    let comment_tenant = |i: usize| comments.list.get(i).map(|c| c.tenant);
    let token_ids: Vec<i64> = existing.tokens.iter().map(|t| t.id).collect();
    let targets = audit::Targets {
        tenants: &tenants,
        products: audit::Table { first_id: products.first_id, created: &products.created, tenant: &product_tenant },
        exports: audit::Table { first_id: exports.first_id, created: &exports.created, tenant: &export_tenant },
        webhooks: audit::Table { first_id: events.first_id, created: &events.received, tenant: &event_tenant },
        comments: audit::Table { first_id: comments.first_id, created: &comments.created, tenant: &comment_tenant },
        tokens: &token_ids,
    };
    let (audit_rows, _) = audit::load(db, &mut stream(seed, 19), &cast, &targets, &times).await?;
    progress("audit_log", audit_rows, started);

    writer::analyze(db).await?;
    let report = SeedReport {
        tenants: tenants.len() as u64,
        products: product_rows,
        orders: order_rows,
        customers: customer_rows,
        articles: article_rows,
        comments: comment_rows,
        webhook_events: event_rows,
        export_jobs: export_rows,
        audit_rows,
        kpi_days,
        elapsed: started.elapsed(),
    };
    tracing::info!(?report, "demo data seeded");
    Ok(report)
}

/// [`seed_demo`] over a connection of its own to the database at `url`: for callers that hold
/// no [`Db`] of this crate's domain, such as the domain crate's own tests.
pub async fn seed_demo_at(url: &str, options: SeedOptions) -> Result<SeedReport, DomainError> {
    let db = Db::connect(url, 4).await.map_err(|e| DomainError::Internal(format!("seed: {e}")))?;
    let report = seed_demo(&db, options).await;
    db.close().await;
    report
}

fn progress(what: &str, rows: u64, started: Instant) {
    tracing::info!(what, rows, elapsed_ms = started.elapsed().as_millis() as u64, "seeded");
}
