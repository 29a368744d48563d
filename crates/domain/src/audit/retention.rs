//! Retention: entries past the configured age are deleted from the front of the chain, and the
//! anchor moves to the last deleted entry, so the entries kept still verify.
//!
//! Each chunk is one transaction that holds the chain row (as writers do), deletes up to
//! [`CHUNK`] entries, moves the anchor to the last of them and records the deletion in the log.
//! Every committed state verifies, so a prune that dies halfway leaves a sound chain.
//!
//! Only a prefix is deleted: the walk stops at the first entry that is not older than the
//! cutoff (an older entry behind it waits for a later run), and at the first entry that does
//! not verify, so pruning never erases the evidence of tampering.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;

use crate::{
    Db, DomainError,
    audit::{
        AuditActor, AuditEvent, RequestMeta, append,
        chain::{HashVersion, canonical_time, hold},
        verify::{Link, check_entry},
    },
    entities::{audit_chain, audit_log},
};

const CHUNK: u64 = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PruneReport {
    pub deleted: u64,
    /// The last deleted entry, which the chain now starts after.
    pub anchor_id: i64,
}

/// Deletes the entries that occurred before `older_than`, oldest first.
pub async fn prune(db: &Db, older_than: DateTime<Utc>) -> Result<PruneReport, DomainError> {
    let mut report = PruneReport { deleted: 0, anchor_id: 0 };
    loop {
        let (deleted, anchor_id, more) = prune_chunk(db, older_than).await?;
        report.deleted += deleted;
        report.anchor_id = anchor_id;
        if !more {
            return Ok(report);
        }
    }
}

/// One chunk: (entries deleted, anchor afterwards, whether more may follow).
async fn prune_chunk(db: &Db, older_than: DateTime<Utc>) -> Result<(u64, i64, bool), DomainError> {
    let txn = db.begin_write().await?;
    let chain = hold(&txn).await?;
    let entries = audit_log::Entity::find()
        .filter(audit_log::Column::Id.gt(chain.anchor_id))
        .order_by_asc(audit_log::Column::Id)
        .limit(CHUNK)
        .all(&txn)
        .await?;
    let mut link =
        Link { id: chain.anchor_id + 1, prev_hash: &chain.anchor_hash, prev_version: HashVersion::V1, first: true };
    let mut expired: usize = 0;
    for entry in &entries {
        if entry.occurred_at >= older_than || check_entry(entry, &link).is_err() {
            break;
        }
        let prev_version = HashVersion::from_stored(entry.hash_version).unwrap_or(link.prev_version);
        link = Link { id: entry.id + 1, prev_hash: &entry.hash, prev_version, first: false };
        expired += 1;
    }
    let Some(last) = expired.checked_sub(1).and_then(|i| entries.get(i)) else {
        txn.rollback().await?;
        return Ok((0, chain.anchor_id, false));
    };
    let deleted = audit_log::Entity::delete_many()
        .filter(audit_log::Column::Id.gt(chain.anchor_id))
        .filter(audit_log::Column::Id.lte(last.id))
        .exec(&txn)
        .await?
        .rows_affected;
    audit_chain::ActiveModel {
        id: Set(1),
        anchor_id: Set(last.id),
        anchor_hash: Set(last.hash.clone()),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    append(
        &txn,
        &AuditActor::system("audit retention"),
        &RequestMeta::default(),
        AuditEvent::succeeded("audit_log.prune").metadata(json!({
            "deleted": deleted,
            "through_id": last.id,
            "older_than": canonical_time(older_than),
        })),
    )
    .await?;
    txn.commit().await?;
    let more = expired == entries.len() && u64::try_from(entries.len()).is_ok_and(|n| n == CHUNK);
    Ok((deleted, last.id, more))
}
