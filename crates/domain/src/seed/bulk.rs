//! Bulk jobs: per tenant a few finished ones from the past weeks (a discount, a visibility
//! change with rows that had gone, a cancelled moderation run), with their frozen items, so
//! lists, reports and the dashboard have history. None is left PENDING or RUNNING: a worker
//! would otherwise run demo jobs against the demo catalog.

use rand::rngs::StdRng;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use super::{
    commerce::Products,
    content::Comments,
    plan::{Clock, DAY, MINUTE, SECOND, between, hex},
    tenants::Tenant,
};
use crate::{
    Db, DomainError,
    entities::{
        bulk_job_items, bulk_jobs,
        enums::{BulkItemOutcome, BulkJobStatus},
    },
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

pub(super) async fn load(
    db: &Db,
    rng: &mut StdRng,
    clock: &Clock,
    tenants: &[Tenant],
    products: &Products,
    comments: &Comments,
) -> Result<u64, DomainError> {
    let txn = db.begin_write().await?;
    let mut written = 0;
    for (index, tenant) in tenants.iter().enumerate() {
        for plan in plans(index, products, comments) {
            if plan.targets.is_empty() {
                continue;
            }
            let created = clock.now - between(rng, DAY, 30 * DAY);
            let started = created + between(rng, SECOND, 5 * SECOND);
            let finished = started + between(rng, SECOND, 2 * MINUTE);
            let at = super::plan::at;
            let processed = plan.processed as i64;
            let failed = plan.failed as i64;
            let job = bulk_jobs::ActiveModel {
                status: Set(plan.status),
                attempts: Set(1),
                max_attempts: Set(5),
                run_after: Set(at(created)),
                started_at: Set(Some(at(started))),
                finished_at: Set(Some(at(finished))),
                created_at: Set(at(created)),
                updated_at: Set(at(finished)),
                tenant_id: Set(Some(tenant.id)),
                action: Set(plan.action.to_owned()),
                params: Set(plan.params.to_owned()),
                target: Set(serde_json::json!({ "ids": plan.targets }).to_string()),
                confirmation_hash: Set(hex(rng, 64)),
                total: Set(plan.targets.len() as i64),
                processed: Set(processed),
                succeeded: Set(processed - failed),
                failed: Set(failed),
                checkpoint: Set(processed - 1),
                chunk_size: Set(500),
                cancel_requested_at: Set((plan.status == BulkJobStatus::Cancelled).then(|| at(finished))),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let items = plan.targets.iter().enumerate().map(|(position, target)| {
                let outcome = (position < plan.failed).then_some(BulkItemOutcome::Failed);
                bulk_job_items::ActiveModel {
                    bulk_job_id: Set(job.id),
                    position: Set(position as i64),
                    target_id: Set(*target),
                    error: Set((outcome == Some(BulkItemOutcome::Failed)).then(|| MISSING.to_owned())),
                    outcome: Set(outcome),
                }
            });
            bulk_job_items::Entity::insert_many(items).exec_without_returning(&txn).await?;
            written += 1;
        }
    }
    txn.commit().await?;
    Ok(written)
}
