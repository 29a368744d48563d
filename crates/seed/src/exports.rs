//! Export jobs: a year of history, mostly done, some failed, a few queued or running right now.
//!
//! No file exists for any of them: finished jobs carry their size and checksum, no storage key,
//! and a `file_deleted_at`, so nothing offers a download that cannot work.

use opsdeck_domain::{
    Db, DomainError,
    enums::{ExportDataset, ExportJobStatus},
};
use rand::rngs::StdRng;
use sea_orm::Value;
use serde_json::json;

use super::{
    actors::Existing,
    plan::{
        Clock, DAY, MINUTE, SECOND, at, below, between, busy, chance, hex, log_uniform, opt_at, pick, uuid_like,
        weighted,
    },
    tenants::Tenant,
    writer::Loader,
};

const MAX_ATTEMPTS: i32 = 3;
/// How long a finished export's file is kept.
const RETENTION: i64 = 7 * DAY;

pub(super) struct Export {
    pub tenant: Option<usize>,
    pub created_at: i64,
    status: ExportJobStatus,
    dataset: ExportDataset,
}

/// All export jobs in id order (= creation order).
pub(super) struct Exports {
    pub first_id: i64,
    pub list: Vec<Export>,
    pub created: Vec<i64>,
}

pub(super) fn generate(rng: &mut StdRng, clock: &Clock, tenants: &[Tenant], total: usize, first_id: i64) -> Exports {
    let tenant_weights: Vec<(usize, f64)> = tenants.iter().enumerate().map(|(i, t)| (i, t.weight)).collect();
    let datasets = [
        (ExportDataset::Orders, 0.4),
        (ExportDataset::Products, 0.25),
        (ExportDataset::Customers, 0.2),
        (ExportDataset::AuditLog, 0.15),
    ];
    let mut list = Vec::with_capacity(total);
    for _ in 0..total {
        let r = rand::RngExt::random::<f64>(rng);
        let (status, created_at) = if r < 0.05 {
            (ExportJobStatus::Failed, busy(rng, clock.now - 10 * MINUTE, 365 * DAY, 2.0))
        } else if r < 0.08 {
            (ExportJobStatus::Pending, clock.now - between(rng, 0, 20 * MINUTE))
        } else if r < 0.09 {
            (ExportJobStatus::Running, clock.now - between(rng, MINUTE, 15 * MINUTE))
        } else {
            (ExportJobStatus::Done, busy(rng, clock.now - 10 * MINUTE, 365 * DAY, 2.0))
        };
        // Staff export platform-wide now and then; the audit log only ever platform-wide here.
        let dataset = weighted(rng, &datasets).copied().unwrap_or(ExportDataset::Orders);
        let tenant = if dataset == ExportDataset::AuditLog && chance(rng, 0.5) || chance(rng, 0.1) {
            None
        } else {
            weighted(rng, &tenant_weights).copied()
        };
        list.push(Export { tenant, created_at, status, dataset });
    }
    list.sort_by_key(|e| e.created_at);
    let created = list.iter().map(|e| e.created_at).collect();
    Exports { first_id, list, created }
}

/// Filters in the shape `exports::ExportFilters` reads: an order status, a time window.
fn filters(rng: &mut StdRng, clock: &Clock, dataset: ExportDataset, created_at: i64) -> String {
    let instant = |t: i64| at(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let value = match (dataset, below(rng, 4)) {
        (ExportDataset::Orders, 0) => json!({"status": "paid"}),
        (ExportDataset::Orders, 1) => json!({"status": "refunded"}),
        (_, 2) => json!({"from": instant(created_at - 30 * DAY), "to": instant(created_at.min(clock.now))}),
        _ => json!({}),
    };
    value.to_string()
}

const COLUMNS: &[&str] = &[
    "id",
    "status",
    "attempts",
    "max_attempts",
    "last_error",
    "claim_token",
    "heartbeat_at",
    "run_after",
    "started_at",
    "finished_at",
    "created_at",
    "updated_at",
    "tenant_id",
    "requested_by_user_id",
    "requested_by_token_id",
    "dataset",
    "format",
    "filters",
    "row_count",
    "byte_size",
    "checksum_sha256",
    "storage_key",
    "expires_at",
    "file_deleted_at",
];

const FAILURES: [&str; 5] = [
    "writing the export file failed: No space left on device (os error 28)",
    "query failed: canceling statement due to statement timeout",
    "storage write failed: Permission denied (os error 13)",
    "lease lost: no heartbeat for 120 s (worker restarted?)",
    "query failed: database is locked",
];

const TRANSIENT: [&str; 2] =
    ["query failed: database is locked", "lease lost: no heartbeat for 120 s (worker restarted?)"];

/// The job columns after `id` and `status`, as they vary by state.
struct Progress {
    attempts: i32,
    last_error: Option<String>,
    claim_token: Option<String>,
    heartbeat_at: Option<i64>,
    run_after: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    updated_at: i64,
    output: Option<(i64, i64, String)>,
}

fn progress(rng: &mut StdRng, clock: &Clock, job: &Export) -> Progress {
    let created = job.created_at;
    let idle = Progress {
        attempts: 0,
        last_error: None,
        claim_token: None,
        heartbeat_at: None,
        run_after: created,
        started_at: None,
        finished_at: None,
        updated_at: created,
        output: None,
    };
    match job.status {
        ExportJobStatus::Pending if chance(rng, 0.3) => {
            // Failed once, waiting out its backoff.
            let started = created + between(rng, 100_000, 3 * SECOND);
            let finished = (started + between(rng, SECOND, 30 * SECOND)).min(clock.now);
            let error = pick(rng, &TRANSIENT).copied().unwrap_or_default().to_owned();
            Progress {
                attempts: 1,
                last_error: Some(error),
                run_after: clock.now + between(rng, 10 * SECOND, 5 * MINUTE),
                started_at: Some(started.min(finished)),
                finished_at: Some(finished),
                updated_at: finished,
                ..idle
            }
        }
        ExportJobStatus::Pending => idle,
        ExportJobStatus::Running => {
            let started = created + between(rng, 100_000, 3 * SECOND);
            let heartbeat = (clock.now - between(rng, 0, 20 * SECOND)).max(started);
            Progress {
                attempts: 1,
                claim_token: Some(uuid_like(rng)),
                heartbeat_at: Some(heartbeat),
                started_at: Some(started),
                updated_at: heartbeat,
                ..idle
            }
        }
        ExportJobStatus::Failed => {
            // Backoff of 1 and 5 minutes between the three attempts.
            let started = created + 6 * MINUTE + between(rng, 0, 30 * SECOND);
            let finished = started + between(rng, SECOND, 60 * SECOND);
            let error = pick(rng, &FAILURES).copied().unwrap_or_default().to_owned();
            Progress {
                attempts: MAX_ATTEMPTS,
                last_error: Some(error),
                run_after: started,
                started_at: Some(started),
                finished_at: Some(finished),
                updated_at: finished,
                ..idle
            }
        }
        ExportJobStatus::Done => {
            let retried = chance(rng, 0.08);
            let started = created + between(rng, 100_000, 5 * SECOND) + if retried { MINUTE } else { 0 };
            let rows = log_uniform(rng, 20.0, 150_000.0) as i64;
            let finished = started + 200_000 + rows * between(rng, 3, 12);
            let bytes = 120 + rows * between(rng, 60, 200);
            Progress {
                attempts: if retried { 2 } else { 1 },
                run_after: if retried { started } else { created },
                started_at: Some(started),
                finished_at: Some(finished),
                updated_at: finished,
                output: Some((rows, bytes, hex(rng, 64))),
                ..idle
            }
        }
    }
}

pub(super) async fn load(
    db: &Db,
    rng: &mut StdRng,
    clock: &Clock,
    tenants: &[Tenant],
    existing: &Existing,
    exports: &Exports,
) -> Result<u64, DomainError> {
    let mut loader = Loader::new(db, "export_jobs", COLUMNS);
    for (index, job) in exports.list.iter().enumerate() {
        let p = progress(rng, clock, job);
        let filters = filters(rng, clock, job.dataset, job.created_at);
        // Requesters only when real users exist: invented ids would point at someone else later.
        let (user_id, token_id) = match (chance(rng, 0.15), pick(rng, &existing.tokens), pick(rng, &existing.users)) {
            (true, Some(token), _) => (Some(token.user_id), Some(token.id)),
            (_, _, Some(user)) => (Some(user.0), None),
            _ => (None, None),
        };
        let expires_at = p.output.as_ref().and(p.finished_at).map(|f| f + RETENTION);
        let tenant_id = job.tenant.and_then(|t| tenants.get(t)).map(|t| t.id);
        let (rows, bytes, checksum) = match p.output {
            Some((rows, bytes, checksum)) => (Some(rows), Some(bytes), Some(checksum)),
            None => (None, None, None),
        };
        loader
            .push([
                (exports.first_id + index as i64).into(),
                job.status.into(),
                p.attempts.into(),
                MAX_ATTEMPTS.into(),
                p.last_error.into(),
                p.claim_token.into(),
                opt_at(p.heartbeat_at).into(),
                at(p.run_after).into(),
                opt_at(p.started_at).into(),
                opt_at(p.finished_at).into(),
                at(job.created_at).into(),
                at(p.updated_at).into(),
                tenant_id.into(),
                user_id.into(),
                token_id.into(),
                job.dataset.into(),
                "csv".into(),
                filters.into(),
                rows.into(),
                bytes.into(),
                checksum.into(),
                Value::from(None::<String>),
                opt_at(expires_at).into(),
                opt_at(expires_at.map(|e| e.min(clock.now))).into(),
            ])
            .await?;
    }
    loader.finish().await
}
