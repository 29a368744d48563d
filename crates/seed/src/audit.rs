//! A year of audit history, appended to the hash chain exactly as live writers append to it.
//!
//! Each transaction locks the chain head, continues ids and hashes from it, and moves the head
//! to its last row before committing, so the log verifies afterwards and a concurrent writer
//! (between two of these transactions) cannot fork the chain.

use opsdeck_domain::{
    Db, DomainError,
    audit::{
        AuditOutcome,
        chain::{CanonicalEntry, HashVersion, Head, canonical_time, entry_hash, hold_head, move_head},
    },
    enums::ActorType,
};
use rand::rngs::StdRng;
use serde_json::json;

use super::{
    actors::{Actor, Cast},
    plan::{Clock, DAY, SECOND, at, below, between, busy, chance, existing_at, recent_index, uuid_like, weighted},
    tenants::Tenant,
    writer::{Batch, BulkTxn, ROWS_PER_TRANSACTION, bump_sequence},
};

/// Rows the history can point at: ids in creation order with their creation times and tenants.
pub(super) struct Targets<'a> {
    pub tenants: &'a [Tenant],
    pub products: Table<'a>,
    pub exports: Table<'a>,
    pub webhooks: Table<'a>,
    pub comments: Table<'a>,
    pub tokens: &'a [i64],
}

pub(super) struct Table<'a> {
    pub first_id: i64,
    pub created: &'a [i64],
    pub tenant: &'a dyn Fn(usize) -> Option<usize>,
}

impl Table<'_> {
    /// A row that existed at `t`, preferring recent ones: (id, tenant).
    fn pick(&self, rng: &mut StdRng, t: i64) -> Option<(i64, Option<usize>)> {
        let index = recent_index(rng, existing_at(self.created, t))?;
        Some((self.first_id + index as i64, (self.tenant)(index)))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    Anyone,
    Human,
    Staff,
    Integrator,
    System,
    Anonymous,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Login,
    Tenant,
    Product,
    ExportJob,
    WebhookEvent,
    Comment,
    Token,
    Nothing,
}

struct Spec {
    action: &'static str,
    who: Who,
    target: Target,
    /// Method and path; `{id}` stands for the target id.
    route: Option<(&'static str, &'static str)>,
    /// The request's HTTP status (with a route).
    status: i32,
}

const fn spec(
    action: &'static str,
    who: Who,
    target: Target,
    route: Option<(&'static str, &'static str)>,
    status: i32,
) -> Spec {
    Spec { action, who, target, route, status }
}

/// What staff, partners, integrators and the system do, and how often.
const ACTIONS: [(Spec, f64); 20] = [
    (spec("auth.login", Who::Anyone, Target::Login, Some(("POST", "/api/v1/auth/login")), 200), 0.18),
    (spec("auth.login_failed", Who::Anonymous, Target::Login, Some(("POST", "/api/v1/auth/login")), 401), 0.035),
    (spec("auth.refresh", Who::Anyone, Target::Login, Some(("POST", "/api/v1/auth/refresh")), 200), 0.10),
    (spec("auth.logout", Who::Anyone, Target::Login, Some(("POST", "/api/v1/auth/logout")), 204), 0.03),
    (spec("export_job.create", Who::Integrator, Target::ExportJob, Some(("POST", "/api/v1/export-jobs")), 202), 0.08),
    (
        spec(
            "export_job.download",
            Who::Integrator,
            Target::ExportJob,
            Some(("GET", "/api/v1/export-jobs/{id}/download")),
            200,
        ),
        0.07,
    ),
    (
        spec("export_job.retry", Who::Human, Target::ExportJob, Some(("POST", "/api/v1/export-jobs/{id}/retry")), 202),
        0.02,
    ),
    (spec("export_job.expire", Who::System, Target::ExportJob, None, 0), 0.06),
    (
        spec(
            "webhook_event.reprocess",
            Who::Integrator,
            Target::WebhookEvent,
            Some(("POST", "/api/v1/webhook-events/{id}/reprocess")),
            202,
        ),
        0.03,
    ),
    (spec("bulk_job.start", Who::Human, Target::Nothing, Some(("POST", "/api/v1/bulk-jobs")), 202), 0.01),
    (spec("bulk_job.cancel", Who::Human, Target::Nothing, Some(("POST", "/api/v1/bulk-jobs/{id}/cancel")), 202), 0.002),
    (spec("product.update", Who::Integrator, Target::Product, Some(("PATCH", "/api/v1/products/{id}")), 200), 0.20),
    (spec("comment.approve", Who::Human, Target::Comment, Some(("POST", "/api/v1/comments/{id}/approve")), 200), 0.09),
    (spec("comment.remove", Who::Human, Target::Comment, Some(("POST", "/api/v1/comments/{id}/remove")), 200), 0.02),
    (spec("token.create", Who::Staff, Target::Nothing, Some(("POST", "/api/v1/tokens")), 201), 0.004),
    (spec("token.revoke", Who::Staff, Target::Token, Some(("DELETE", "/api/v1/tokens/{id}")), 204), 0.002),
    (spec("tenant.update", Who::Staff, Target::Tenant, Some(("PATCH", "/api/v1/tenants/{id}")), 200), 0.003),
    (spec("kpi.rebuild", Who::Staff, Target::Nothing, Some(("POST", "/api/v1/kpis/rebuild")), 202), 0.002),
    (spec("kpi.build", Who::System, Target::Nothing, None, 0), 0.0004),
    (spec("job.lease_expired", Who::System, Target::ExportJob, None, 0), 0.004),
];

/// One row, owning its text; hashed and stored from the same values.
struct Row {
    occurred_at: i64,
    actor_type: ActorType,
    actor_id: Option<i64>,
    actor_label: String,
    tenant_id: Option<i64>,
    ip: Option<String>,
    method: Option<&'static str>,
    path: Option<String>,
    action: &'static str,
    target_type: Option<&'static str>,
    target_id: Option<String>,
    request_id: Option<String>,
    status: Option<i32>,
    outcome: AuditOutcome,
    reason: Option<String>,
    metadata: String,
}

impl Row {
    fn canonical(&self, id: i64) -> CanonicalEntry<'_> {
        CanonicalEntry {
            id,
            occurred_at: canonical_time(at(self.occurred_at)),
            actor_type: self.actor_type.as_str(),
            actor_id: self.actor_id,
            actor_label: &self.actor_label,
            tenant_id: self.tenant_id,
            ip: self.ip.as_deref(),
            method: self.method,
            path: self.path.as_deref(),
            action: self.action,
            target_type: self.target_type,
            target_id: self.target_id.as_deref(),
            request_id: self.request_id.as_deref(),
            status: self.status,
            outcome: self.outcome,
            reason: self.reason.as_deref(),
            metadata: &self.metadata,
        }
    }
}

/// Strictly increasing instants over the last year, busier in office hours.
pub(super) fn times(rng: &mut StdRng, clock: &Clock, count: usize) -> Vec<i64> {
    let mut times: Vec<i64> = (0..count).map(|_| busy(rng, clock.now - SECOND, 365 * DAY, 2.0)).collect();
    times.sort_unstable();
    for i in 1..times.len() {
        if times[i] <= times[i - 1] {
            times[i] = times[i - 1] + 1;
        }
    }
    times
}

fn target_type(target: Target) -> Option<&'static str> {
    match target {
        Target::Login => Some("user"),
        Target::Tenant => Some("tenant"),
        Target::Product => Some("product"),
        Target::ExportJob => Some("export_job"),
        Target::WebhookEvent => Some("webhook_event"),
        Target::Comment => Some("comment"),
        Target::Token => Some("api_token"),
        Target::Nothing => None,
    }
}

fn generate_row(rng: &mut StdRng, cast: &Cast, targets: &Targets<'_>, occurred_at: i64) -> Row {
    let spec = weighted(rng, &ACTIONS).unwrap_or(&ACTIONS[0].0);
    let picked = match spec.target {
        Target::Product => targets.products.pick(rng, occurred_at),
        Target::ExportJob => targets.exports.pick(rng, occurred_at),
        Target::WebhookEvent => targets.webhooks.pick(rng, occurred_at),
        Target::Comment => targets.comments.pick(rng, occurred_at),
        Target::Tenant => {
            let i = below(rng, targets.tenants.len());
            targets.tenants.get(i).map(|t| (t.id, Some(i)))
        }
        Target::Token => targets.tokens.get(below(rng, targets.tokens.len())).map(|&id| (id, None)),
        Target::Login | Target::Nothing => Some((0, None)),
    };
    let (spec, target_id, tenant) = match picked {
        Some((id, tenant)) => (spec, id, tenant),
        // Nothing to act on yet (early in the year, or tiny scales): somebody logs in instead.
        None => (&ACTIONS[0].0, 0, None),
    };
    build(rng, cast, spec, target_id, tenant, occurred_at, targets.tenants)
}

fn build(
    rng: &mut StdRng,
    cast: &Cast,
    spec: &Spec,
    target_id: i64,
    tenant: Option<usize>,
    occurred_at: i64,
    tenants: &[Tenant],
) -> Row {
    let actor: &Actor = match spec.who {
        Who::Anyone | Who::Anonymous => cast.anyone(rng),
        Who::Human => cast.human(rng, tenant),
        Who::Staff => cast.staff(rng),
        Who::Integrator => cast.integrator(rng, tenant),
        Who::System => cast.system(rng),
    };
    let tenant = tenant.or(actor.tenant);
    let (target_type, target_id) = match spec.target {
        // Logins are about the actor; failed ones name no one (the account may not exist).
        Target::Login if spec.who == Who::Anonymous => (Some("user"), None),
        Target::Login => (Some("user"), actor.id.map(|id| id.to_string())),
        Target::Nothing => (None, None),
        other => (target_type(other), Some(target_id.to_string())),
    };
    let (actor_type, actor_id, actor_label) = if spec.who == Who::Anonymous {
        (ActorType::Anonymous, None, actor.label.clone())
    } else {
        (actor.actor_type, actor.id, actor.label.clone())
    };
    let http = spec.route.map(|(method, path)| {
        let path = path.replace("{id}", target_id.as_deref().unwrap_or("0"));
        let ip = format!("{}.{}", actor.network, 1 + below(rng, 254));
        (method, path, ip, uuid_like(rng))
    });
    let mut status = spec.route.map(|_| spec.status);
    let mut outcome = AuditOutcome::Succeeded;
    let mut reason = None;
    if spec.action == "export_job.retry" && chance(rng, 0.1) {
        // The job was not failed (any more).
        (status, outcome, reason) = (Some(409), AuditOutcome::Refused, Some("not_failed".to_owned()));
    }
    let metadata = metadata(rng, spec.action, occurred_at);
    if spec.action == "auth.login_failed" {
        outcome = AuditOutcome::Refused;
        reason = metadata["reason"].as_str().map(str::to_owned);
    }
    let metadata = metadata.to_string();
    let (method, path, ip, request_id) = match http {
        Some((method, path, ip, request_id)) => (Some(method), Some(path), Some(ip), Some(request_id)),
        None => (None, None, None, None),
    };
    Row {
        occurred_at,
        actor_type,
        actor_id,
        actor_label,
        tenant_id: tenant.and_then(|t| tenants.get(t)).map(|t| t.id),
        ip,
        method,
        path,
        action: spec.action,
        target_type,
        target_id,
        request_id,
        status,
        outcome,
        reason,
        metadata,
    }
}

/// Small, redacted context: never secrets or personal data.
fn metadata(rng: &mut StdRng, action: &str, occurred_at: i64) -> serde_json::Value {
    let day = |t: i64| at(t).format("%Y-%m-%d").to_string();
    match action {
        "auth.login" => json!({"mfa": chance(rng, 0.35)}),
        "auth.login_failed" => {
            json!({"reason": if chance(rng, 0.85) { "bad_credentials" } else { "bad_totp" }})
        }
        "export_job.create" => json!({"format": "csv"}),
        "bulk_job.start" => {
            let percent = 5 * (1 + below(rng, 4));
            json!({"action": "products.discount", "percent": percent, "total": between(rng, 10, 20_000)})
        }
        "product.update" => match below(rng, 3) {
            0 => json!({"fields": ["price_minor"]}),
            1 => json!({"fields": ["visibility"]}),
            _ => json!({"fields": ["name", "price_minor"]}),
        },
        "token.create" => {
            let role = ["ops", "support", "partner_admin"].get(below(rng, 3)).copied().unwrap_or("ops");
            json!({"roles": [role]})
        }
        "export_job.expire" => json!({"reason": "retention"}),
        "kpi.rebuild" => json!({"from": day(occurred_at - 30 * DAY), "to": day(occurred_at - DAY)}),
        "kpi.build" => json!({"day": day(occurred_at - DAY)}),
        "job.lease_expired" => json!({"job_kind": "export", "requeued": true}),
        _ => json!({}),
    }
}

const COLUMNS: &[&str] = &[
    "id",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_label",
    "tenant_id",
    "ip",
    "method",
    "path",
    "action",
    "target_type",
    "target_id",
    "request_id",
    "status",
    "outcome",
    "reason",
    "metadata",
    "prev_hash",
    "hash",
    "hash_version",
];

/// Appends one row per instant of `times`; returns the number of rows and the first row's hash.
pub(super) async fn load(
    db: &Db,
    rng: &mut StdRng,
    cast: &Cast,
    targets: &Targets<'_>,
    times: &[i64],
) -> Result<(u64, Option<String>), DomainError> {
    let mut first_hash = None;
    for chunk in times.chunks(ROWS_PER_TRANSACTION) {
        let mut bulk = BulkTxn::begin(db).await?;
        let head = hold_head(bulk.txn()).await?;
        let mut id = head.id;
        let mut prev = head.hash;
        let mut batch = Batch::new("audit_log", COLUMNS);
        for &t in chunk {
            let row = generate_row(rng, cast, targets, t);
            id += 1;
            let hash = entry_hash(&prev, &row.canonical(id));
            if first_hash.is_none() {
                first_hash = Some(hash.clone());
            }
            let full = batch.push([
                id.into(),
                at(row.occurred_at).into(),
                row.actor_type.into(),
                row.actor_id.into(),
                row.actor_label.into(),
                row.tenant_id.into(),
                row.ip.into(),
                row.method.map(str::to_owned).into(),
                row.path.into(),
                row.action.into(),
                row.target_type.map(str::to_owned).into(),
                row.target_id.into(),
                row.request_id.into(),
                row.status.into(),
                row.outcome.into(),
                row.reason.into(),
                row.metadata.into(),
                prev.into(),
                hash.clone().into(),
                HashVersion::CURRENT.stored().into(),
            ])?;
            prev = hash;
            if full {
                batch.send(&mut bulk).await?;
            }
        }
        batch.send(&mut bulk).await?;
        bulk.drain().await?;
        move_head(bulk.txn(), Head { id, hash: prev }).await?;
        bump_sequence(bulk.txn(), "audit_log").await?;
        bulk.commit().await?;
    }
    Ok((times.len() as u64, first_hash))
}
