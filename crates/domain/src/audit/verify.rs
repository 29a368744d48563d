//! Checking the hash chain: every kept entry, in id order, from the anchor to the head.
//!
//! The walk reads keyset chunks in short queries (constant memory, no long transaction), and
//! recomputes each entry's hash from the stored row. It names the first entry where the chain
//! does not hold:
//! - a changed row no longer matches its hash (or, if its hash was recomputed, the next
//!   entry's `prev_hash` no longer matches it);
//! - a removed row leaves a gap in the ids, which are consecutive from the anchor;
//! - an inserted row either takes an id past the chain head, or breaks a link.
//!
//! Appends that commit during the walk are followed (the head is re-read when the walk passes
//! it). Run it when no prune is running: a prune that moves the anchor mid-walk reads as a gap.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    Db, DomainError,
    audit::chain::{CanonicalEntry, HashVersion, canonical_time, versioned_entry_hash},
    entities::{audit_chain, audit_log},
};

const CHUNK: u64 = 1000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries that verified (all of them when `broken` is `None`).
    pub entries: u64,
    pub first_id: Option<i64>,
    pub last_id: Option<i64>,
    pub broken: Option<Broken>,
}

/// The first entry at which the chain does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub id: i64,
    pub reason: String,
}

/// The chain row: head and anchor.
pub(crate) async fn chain_row(db: &Db) -> Result<audit_chain::Model, DomainError> {
    audit_chain::Entity::find_by_id(1)
        .one(db.conn())
        .await?
        .ok_or_else(|| DomainError::Internal("the audit_chain row is missing".into()))
}

/// Where the next entry must attach: the id it must have, and the hash and hash version of the
/// entry before it (the anchor, at the start).
pub(crate) struct Link<'a> {
    pub id: i64,
    pub prev_hash: &'a str,
    /// Versions never go back: an entry hashed the old way cannot follow one hashed the new way.
    pub prev_version: HashVersion,
    pub first: bool,
}

/// Checks one entry against its expected position: its id, its link and its own hash.
pub(crate) fn check_entry(entry: &audit_log::Model, link: &Link<'_>) -> Result<(), Broken> {
    let Link { id: expected_id, prev_hash, prev_version, first } = *link;
    if entry.id != expected_id {
        return Err(Broken {
            id: expected_id,
            reason: format!("the entry is missing (the next entry is {})", entry.id),
        });
    }
    if entry.prev_hash != prev_hash {
        let reason = if first {
            "its prev_hash does not match the anchor (the last pruned entry, or the genesis hash)".to_owned()
        } else {
            format!("its prev_hash does not match the hash of entry {}", entry.id - 1)
        };
        return Err(Broken { id: entry.id, reason });
    }
    let version = match HashVersion::from_stored(entry.hash_version) {
        Some(version) if version >= prev_version => version,
        _ => {
            let reason = format!("its hash version {} cannot follow the entry before it", entry.hash_version);
            return Err(Broken { id: entry.id, reason });
        }
    };
    if recompute_hash(entry, version).as_ref() != Some(&entry.hash) {
        return Err(Broken {
            id: entry.id,
            reason: "its contents do not match its hash: the entry was changed".into(),
        });
    }
    Ok(())
}

fn recompute_hash(entry: &audit_log::Model, version: HashVersion) -> Option<String> {
    versioned_entry_hash(
        version,
        &entry.prev_hash,
        &CanonicalEntry {
            id: entry.id,
            occurred_at: canonical_time(entry.occurred_at),
            actor_type: entry.actor_type.as_str(),
            actor_id: entry.actor_id,
            actor_label: &entry.actor_label,
            tenant_id: entry.tenant_id,
            ip: entry.ip.as_deref(),
            method: entry.method.as_deref(),
            path: entry.path.as_deref(),
            action: &entry.action,
            target_type: entry.target_type.as_deref(),
            target_id: entry.target_id.as_deref(),
            request_id: entry.request_id.as_deref(),
            status: entry.status,
            outcome: entry.outcome,
            reason: entry.reason.as_deref(),
            metadata: &entry.metadata,
        },
    )
}

async fn entries_after(db: &Db, after: i64) -> Result<Vec<audit_log::Model>, DomainError> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::Id.gt(after))
        .order_by_asc(audit_log::Column::Id)
        .limit(CHUNK)
        .all(db.conn())
        .await?)
}

/// Walks the chain. `Ok` with `broken: None` means it holds; a database failure is an `Err`.
pub async fn verify(db: &Db) -> Result<VerifyReport, DomainError> {
    let mut chain = chain_row(db).await?;
    let mut report = VerifyReport { entries: 0, first_id: None, last_id: None, broken: None };
    let below_anchor = audit_log::Entity::find()
        .filter(audit_log::Column::Id.lte(chain.anchor_id))
        .order_by_asc(audit_log::Column::Id)
        .one(db.conn())
        .await?;
    if let Some(entry) = below_anchor {
        let reason =
            format!("it lies at or before the anchor (entry {}), which only pruned entries do", chain.anchor_id);
        report.broken = Some(Broken { id: entry.id, reason });
        return Ok(report);
    }
    let mut last = chain.anchor_id;
    let mut prev_hash = chain.anchor_hash.clone();
    let mut prev_version = HashVersion::V1;
    loop {
        let entries = entries_after(db, last).await?;
        if entries.is_empty() {
            chain = chain_row(db).await?;
            if chain.head_id > last && !entries_after(db, last).await?.is_empty() {
                continue; // appended since the last read
            }
            report.broken = check_head(&chain, last, &prev_hash);
            return Ok(report);
        }
        for entry in entries {
            if entry.id > chain.head_id {
                chain = chain_row(db).await?;
                if entry.id > chain.head_id {
                    let reason = format!(
                        "it lies past the chain head (entry {}): it was not appended by opsdeck",
                        chain.head_id
                    );
                    report.broken = Some(Broken { id: entry.id, reason });
                    return Ok(report);
                }
            }
            let link = Link { id: last + 1, prev_hash: &prev_hash, prev_version, first: report.entries == 0 };
            if let Err(broken) = check_entry(&entry, &link) {
                report.broken = Some(broken);
                return Ok(report);
            }
            prev_version = HashVersion::from_stored(entry.hash_version).unwrap_or(prev_version);
            report.entries += 1;
            report.first_id.get_or_insert(entry.id);
            report.last_id = Some(entry.id);
            last = entry.id;
            prev_hash = entry.hash;
        }
    }
}

/// At the end of the log, the last entry must be the chain head.
fn check_head(chain: &audit_chain::Model, last: i64, last_hash: &str) -> Option<Broken> {
    if chain.head_id > last {
        Some(Broken {
            id: last + 1,
            reason: format!(
                "the entry is missing (the log ends at entry {last}, the chain head is entry {})",
                chain.head_id
            ),
        })
    } else if chain.head_hash != last_hash {
        Some(Broken { id: last, reason: "its hash does not match the chain head's".into() })
    } else {
        None
    }
}
