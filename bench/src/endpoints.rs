//! The GET endpoints under load, each with the statements its handler runs for a staff caller
//! (scope: all tenants), in order: the read that authenticates every request, then the
//! endpoint's own, in the same read-only snapshot transaction when the handler reads in one (the
//! dashboard). Taken from the domain code (dashboard.rs, audit/query.rs, exports/service.rs,
//! webhooks/service.rs) and checked against the server's statement log.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{Duration, Utc};

use crate::{api::Api, database::Pool, opsdeck::BENCH_USERNAME};

/// Rows per page when the client does not ask (opsdeck's `DEFAULT_LIMIT`); the handler reads
/// one more to know whether a next page exists.
const PAGE: i64 = 50;
const DEEP_PAGE: i64 = 10_000;
/// Days of KPIs on the dashboard (opsdeck's `KPI_DAYS`).
const KPI_DAYS: i64 = 14;
/// A webhook event without its payload (opsdeck's `WebhookEventSummary`).
const EVENT_SUMMARY: &str = "id, status, attempts, max_attempts, last_error, run_after, started_at, finished_at, \
    tenant_id, provider, event_id, event_type, received_at, processed_at";

pub struct Endpoint {
    pub name: String,
    /// Path and query string.
    pub path: String,
    /// Each on whichever pooled connection it gets.
    pub statements: Vec<String>,
    /// Then these, on one connection in one read-only snapshot transaction (`Pool::read_snapshot`).
    pub snapshot: Vec<String>,
}

pub async fn list(pool: &Pool, api: &Api) -> anyhow::Result<Vec<Endpoint>> {
    let user_id = pool.scalar(&format!("SELECT id FROM users WHERE username = '{BENCH_USERNAME}'")).await?;
    // A token the server refuses would make every measured request a 401: fail here instead.
    api.get("/api/v1/me").await?;
    let authenticate = [format!(
        "SELECT * FROM users LEFT JOIN role_bindings ON users.id = role_bindings.user_id \
         WHERE users.id = {user_id} ORDER BY users.id"
    )];
    let with_auth = |own: &[String]| authenticate.iter().chain(own).cloned().collect::<Vec<_>>();
    let without_snapshot = |name: String, path: String, own: &[String]| Endpoint {
        name,
        path,
        statements: with_auth(own),
        snapshot: Vec::new(),
    };
    let page_size = PAGE + 1;

    // Page 10,000 (or the last full page of a smaller data set) starts below the last entry of
    // the page before: its position, found by the database, encoded as opsdeck's cursor
    // (`v1:<id>`, base64url).
    let entries = pool.scalar("SELECT COUNT(*) FROM audit_log").await?;
    let deep_page = (entries / PAGE).clamp(2, DEEP_PAGE);
    let rows_before = (deep_page - 1) * PAGE;
    let deep_before_id =
        pool.scalar(&format!("SELECT id FROM audit_log ORDER BY id DESC LIMIT 1 OFFSET {}", rows_before - 1)).await?;
    let deep_cursor = URL_SAFE_NO_PAD.encode(format!("v1:{deep_before_id}"));

    let today = Utc::now().date_naive();
    let (from, to) = (today - Duration::days(KPI_DAYS - 1), today);
    let dashboard = [
        "SELECT * FROM export_jobs WHERE status IN ('FAILED') ORDER BY id DESC LIMIT 20".to_owned(),
        "SELECT * FROM export_jobs WHERE status IN ('PENDING', 'RUNNING') ORDER BY id DESC LIMIT 20".to_owned(),
        format!("SELECT {EVENT_SUMMARY} FROM webhook_events WHERE status = 'FAILED' ORDER BY id DESC LIMIT 20"),
        "SELECT * FROM bulk_jobs WHERE status IN ('PENDING', 'RUNNING') ORDER BY id DESC LIMIT 20".to_owned(),
        "SELECT * FROM articles WHERE status = 'published' ORDER BY published_at DESC LIMIT 10".to_owned(),
        format!("SELECT * FROM kpi_daily WHERE tenant_id IS NULL AND day BETWEEN '{from}' AND '{to}' ORDER BY day"),
        format!(
            "SELECT * FROM kpi_daily_revenue WHERE tenant_id IS NULL AND day BETWEEN '{from}' AND '{to}' \
             ORDER BY currency"
        ),
        "SELECT * FROM audit_log ORDER BY id DESC LIMIT 50".to_owned(),
    ];
    Ok(vec![
        Endpoint {
            name: "dashboard".to_owned(),
            path: "/api/v1/dashboard".to_owned(),
            statements: authenticate.to_vec(),
            snapshot: dashboard.to_vec(),
        },
        without_snapshot(
            "audit log, first page".to_owned(),
            "/api/v1/audit-logs".to_owned(),
            &[format!("SELECT * FROM audit_log ORDER BY id DESC LIMIT {page_size}")],
        ),
        without_snapshot(
            format!("audit log, page {deep_page}"),
            format!("/api/v1/audit-logs?cursor={deep_cursor}"),
            &[format!("SELECT * FROM audit_log WHERE id < {deep_before_id} ORDER BY id DESC LIMIT {page_size}")],
        ),
        without_snapshot(
            "export jobs, first page".to_owned(),
            "/api/v1/export-jobs".to_owned(),
            &[format!("SELECT * FROM export_jobs ORDER BY id DESC LIMIT {page_size}")],
        ),
        without_snapshot(
            "webhook events, first page".to_owned(),
            "/api/v1/webhook-events".to_owned(),
            &[format!("SELECT {EVENT_SUMMARY} FROM webhook_events ORDER BY id DESC LIMIT {page_size}")],
        ),
    ])
}

impl Endpoint {
    /// Everything the baseline sends per request, in order.
    pub fn baseline_statements(&self, pool: &Pool) -> Vec<String> {
        let mut all = self.statements.clone();
        if !self.snapshot.is_empty() {
            all.push(pool.snapshot_begin().to_owned());
            all.extend(self.snapshot.iter().cloned());
            all.push("COMMIT".to_owned());
        }
        all
    }
}

/// A seeded tenant (id and slug) for the webhook events to name.
pub async fn a_tenant(pool: &Pool) -> anyhow::Result<(i64, String)> {
    let id = pool.scalar("SELECT MIN(id) FROM tenants").await?;
    let slug = pool.scalar_text(&format!("SELECT slug FROM tenants WHERE id = {id}")).await?;
    Ok((id, slug))
}
