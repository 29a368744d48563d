//! Bulk jobs: per tenant a few finished ones from the past weeks (a discount, a visibility
//! change with rows that had gone, a cancelled moderation run), with their frozen items, so
//! lists, reports and the dashboard have history. None is left PENDING or RUNNING: a worker
//! would otherwise run demo jobs against the demo catalog.

use opsdeck_domain::{
    Db, DomainError,
    enums::{BulkItemOutcome, BulkJobStatus},
};
use rand::rngs::StdRng;
use sea_orm::ActiveEnum;

use super::{
    commerce::Products,
    content::Comments,
    plan::{Clock, DAY, MINUTE, SECOND, at, between, hex},
    tenants::Tenant,
    writer::{Batch, reserve_ids},
};

const MISSING: &str = "not found: the row was deleted after the job was confirmed, or is outside the job's tenant";

struct Plan {
    action: &'static str,
    params: &'static str,
    status: BulkJobStatus,
    /// Rows targeted, and of those, how many were processed and how many failed.
    targets: Vec<i64>,
    processed: usize,
    failed: usize,
}

fn plans(tenant: usize, products: &Products, comments: &Comments) -> Vec<Plan> {
    let own_products: Vec<i64> =
        (products.first_id..).zip(&products.list).filter(|(_, p)| p.tenant == tenant).map(|(id, _)| id).collect();
    let own_comments: Vec<i64> =
        (comments.first_id..).zip(&comments.list).filter(|(_, c)| c.tenant == tenant).map(|(id, _)| id).collect();
    let take = |ids: &[i64], skip: usize, n: usize| ids.iter().skip(skip).take(n).copied().collect::<Vec<_>>();
    let discount = take(&own_products, 0, 20);
    let hidden = take(&own_products, 20, 15);
    let moderated = take(&own_comments, 0, 12);
    vec![
        Plan {
            action: "product.price_change",
            params: r#"{"percent":-10}"#,
            status: BulkJobStatus::Done,
            processed: discount.len(),
            failed: 0,
            targets: discount,
        },
        Plan {
            action: "product.set_visibility",
            params: r#"{"visibility":"hidden"}"#,
            status: BulkJobStatus::Done,
            processed: hidden.len(),
            failed: hidden.len().min(2),
            targets: hidden,
        },
        Plan {
            action: "comment.approve",
            params: "{}",
            status: BulkJobStatus::Cancelled,
            processed: moderated.len() / 2,
            failed: 0,
            targets: moderated,
        },
    ]
}

const JOB_COLUMNS: &[&str] = &[
    "id",
    "status",
    "attempts",
    "max_attempts",
    "run_after",
    "started_at",
    "finished_at",
    "created_at",
    "updated_at",
    "tenant_id",
    "action",
    "params",
    "target",
    "confirmation_hash",
    "total",
    "processed",
    "succeeded",
    "failed",
    "checkpoint",
    "chunk_size",
    "cancel_requested_at",
];

const ITEM_COLUMNS: &[&str] = &["bulk_job_id", "position", "target_id", "outcome", "error"];

pub(super) async fn load(
    db: &Db,
    rng: &mut StdRng,
    clock: &Clock,
    tenants: &[Tenant],
    products: &Products,
    comments: &Comments,
) -> Result<u64, DomainError> {
    let jobs: Vec<(&Tenant, Plan)> = tenants
        .iter()
        .enumerate()
        .flat_map(|(index, tenant)| plans(index, products, comments).into_iter().map(move |plan| (tenant, plan)))
        .filter(|(_, plan)| !plan.targets.is_empty())
        .collect();
    let txn = db.begin_write().await?;
    let first_id = reserve_ids(&txn, "bulk_jobs", jobs.len()).await?;
    let mut job_rows = Batch::new("bulk_jobs", JOB_COLUMNS);
    for (id, (tenant, plan)) in (first_id..).zip(&jobs) {
        let created = clock.now - between(rng, DAY, 30 * DAY);
        let started = created + between(rng, SECOND, 5 * SECOND);
        let finished = started + between(rng, SECOND, 2 * MINUTE);
        let processed = plan.processed as i64;
        let failed = plan.failed as i64;
        let full = job_rows.push([
            id.into(),
            plan.status.into(),
            1.into(),
            5.into(),
            at(created).into(),
            Some(at(started)).into(),
            Some(at(finished)).into(),
            at(created).into(),
            at(finished).into(),
            Some(tenant.id).into(),
            plan.action.into(),
            plan.params.into(),
            serde_json::json!({ "ids": plan.targets }).to_string().into(),
            hex(rng, 64).into(),
            (plan.targets.len() as i64).into(),
            processed.into(),
            (processed - failed).into(),
            failed.into(),
            (processed - 1).into(),
            500.into(),
            (plan.status == BulkJobStatus::Cancelled).then(|| at(finished)).into(),
        ])?;
        if full {
            job_rows.flush(&txn).await?;
        }
    }
    job_rows.flush(&txn).await?;
    let mut item_rows = Batch::new("bulk_job_items", ITEM_COLUMNS);
    for (id, (_, plan)) in (first_id..).zip(&jobs) {
        for (position, target) in plan.targets.iter().enumerate() {
            let failed = position < plan.failed;
            let full = item_rows.push([
                id.into(),
                (position as i64).into(),
                (*target).into(),
                failed.then(|| BulkItemOutcome::Failed.to_value()).into(),
                failed.then_some(MISSING).into(),
            ])?;
            if full {
                item_rows.flush(&txn).await?;
            }
        }
    }
    item_rows.flush(&txn).await?;
    txn.commit().await?;
    Ok(jobs.len() as u64)
}
