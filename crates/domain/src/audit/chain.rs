//! The hash chain of the audit log.
//!
//! Each entry's hash is `sha256(prev_hash ‖ "\n" ‖ canonical JSON of the entry)`, in lower-case
//! hex. The canonical JSON has a fixed key order and timestamps in UTC with microseconds (the
//! precision both engines keep), so the same entry hashes the same on SQLite and PostgreSQL.
//! The id is part of the hash: moving, removing or inserting a row breaks the chain.
//!
//! An entry keeps the [`HashVersion`] it was written with (`audit_log.hash_version`), so a change
//! of what is hashed never breaks the entries written before it: each verifies as it was hashed.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QuerySelect, Set,
    sea_query::LockType,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{
    DomainError,
    entities::{audit_chain, enums::AuditOutcome},
};

/// The hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry's hash covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HashVersion {
    /// The request's status, under the key `outcome`; no outcome or reason of their own. The
    /// stored outcome of such an entry is the one its status implies ([`implied_outcome`]).
    V1 = 1,
    /// The version itself, then the entry with its status, outcome and reason.
    V2 = 2,
}

impl HashVersion {
    /// The version new entries are written with.
    pub const CURRENT: Self = Self::V2;

    pub fn from_stored(value: i32) -> Option<Self> {
        match value {
            1 => Some(Self::V1),
            2 => Some(Self::V2),
            _ => None,
        }
    }

    pub fn stored(self) -> i32 {
        self as i32
    }
}

/// The outcome a version-1 entry has: its status read as HTTP (the migration that added
/// outcomes filled them in by the same rule; an entry without a status succeeded).
pub fn implied_outcome(status: Option<i32>) -> AuditOutcome {
    match status {
        Some(500..) => AuditOutcome::Failed,
        Some(400..=499) => AuditOutcome::Refused,
        _ => AuditOutcome::Succeeded,
    }
}

/// The hashed content of an entry, borrowed from wherever it lives.
#[derive(Debug, Serialize)]
pub struct CanonicalEntry<'a> {
    pub id: i64,
    pub occurred_at: String,
    pub actor_type: &'a str,
    pub actor_id: Option<i64>,
    pub actor_label: &'a str,
    pub tenant_id: Option<i64>,
    pub ip: Option<&'a str>,
    pub method: Option<&'a str>,
    pub path: Option<&'a str>,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub status: Option<i32>,
    pub outcome: AuditOutcome,
    pub reason: Option<&'a str>,
    /// The stored metadata JSON text, byte for byte.
    pub metadata: &'a str,
}

/// The version 2 form: the version first, so an entry cannot be passed off as another version.
#[derive(Serialize)]
struct CanonicalV2<'a> {
    hash_version: i32,
    #[serde(flatten)]
    entry: &'a CanonicalEntry<'a>,
}

/// The version 1 form, key for key.
#[derive(Serialize)]
struct CanonicalV1<'a> {
    id: i64,
    occurred_at: &'a str,
    actor_type: &'a str,
    actor_id: Option<i64>,
    actor_label: &'a str,
    tenant_id: Option<i64>,
    ip: Option<&'a str>,
    method: Option<&'a str>,
    path: Option<&'a str>,
    action: &'a str,
    target_type: Option<&'a str>,
    target_id: Option<&'a str>,
    request_id: Option<&'a str>,
    outcome: Option<i32>,
    metadata: &'a str,
}

/// The stored form of a timestamp inside the hash.
pub fn canonical_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Truncates to the microsecond, the precision the database keeps; hash what you store.
pub fn storable_time(at: DateTime<Utc>) -> DateTime<Utc> {
    let micros = at.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(at)
}

/// The hash of a new entry (written with [`HashVersion::CURRENT`]) linked to `prev_hash`.
pub fn entry_hash(prev_hash: &str, entry: &CanonicalEntry<'_>) -> String {
    hash_json(prev_hash, &CanonicalV2 { hash_version: HashVersion::CURRENT.stored(), entry })
}

/// The hash an entry written with `version` has; `None` when `version` cannot express the
/// entry (a version-1 entry with an outcome its status does not imply, or with a reason).
pub fn versioned_entry_hash(version: HashVersion, prev_hash: &str, entry: &CanonicalEntry<'_>) -> Option<String> {
    match version {
        HashVersion::V2 => Some(hash_json(prev_hash, &CanonicalV2 { hash_version: version.stored(), entry })),
        HashVersion::V1 => {
            if entry.reason.is_some() || entry.outcome != implied_outcome(entry.status) {
                return None;
            }
            let v1 = CanonicalV1 {
                id: entry.id,
                occurred_at: &entry.occurred_at,
                actor_type: entry.actor_type,
                actor_id: entry.actor_id,
                actor_label: entry.actor_label,
                tenant_id: entry.tenant_id,
                ip: entry.ip,
                method: entry.method,
                path: entry.path,
                action: entry.action,
                target_type: entry.target_type,
                target_id: entry.target_id,
                request_id: entry.request_id,
                outcome: entry.status,
                metadata: entry.metadata,
            };
            Some(hash_json(prev_hash, &v1))
        }
    }
}

fn hash_json(prev_hash: &str, canonical: &impl Serialize) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    // Serializing a struct of plain fields cannot fail; an empty body would still break the chain.
    hasher.update(serde_json::to_vec(canonical).unwrap_or_default());
    hex::encode(hasher.finalize())
}

/// The newest entry of the chain: the next one is `id + 1`, linked to `hash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub id: i64,
    pub hash: String,
}

/// The chain row, held until `txn` ends: PostgreSQL locks it (`FOR UPDATE`), SQLite's write
/// transactions are exclusive already. Every writer of the log takes it first, so the chain
/// cannot fork.
pub(crate) async fn hold(txn: &DatabaseTransaction) -> Result<audit_chain::Model, DomainError> {
    let mut query = audit_chain::Entity::find_by_id(1);
    if txn.get_database_backend() == DbBackend::Postgres {
        query = query.lock(LockType::Update);
    }
    query.one(txn).await?.ok_or_else(|| DomainError::Internal("the audit_chain row is missing".into()))
}

/// The head, held until `txn` ends (see [`hold`]); append after it, then [`move_head`].
pub async fn hold_head(txn: &DatabaseTransaction) -> Result<Head, DomainError> {
    let chain = hold(txn).await?;
    Ok(Head { id: chain.head_id, hash: chain.head_hash })
}

/// Makes `head` the chain's newest entry, in the transaction that appended it.
pub async fn move_head(txn: &DatabaseTransaction, head: Head) -> Result<(), DomainError> {
    audit_chain::ActiveModel { id: Set(1), head_id: Set(head.id), head_hash: Set(head.hash), ..Default::default() }
        .update(txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sha256 of `GENESIS_HASH`, a newline and `{"id":1,...,"request_id":null,"outcome":202,"metadata":"{}"}`.
    const V1_EXPORT_JOB_RETRY: &str = "cfa8c7ba4eee24ccfb2d59a7d020f45204e0baae60955641eac612ec5c8e948e";

    fn entry(action: &str) -> CanonicalEntry<'_> {
        CanonicalEntry {
            id: 1,
            occurred_at: canonical_time(DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap_or_default()),
            actor_type: "user",
            actor_id: Some(7),
            actor_label: "alice",
            tenant_id: None,
            ip: Some("127.0.0.1"),
            method: Some("POST"),
            path: Some("/api/v1/export-jobs/3/retry"),
            action,
            target_type: Some("export_job"),
            target_id: Some("3"),
            request_id: None,
            status: Some(202),
            outcome: AuditOutcome::Succeeded,
            reason: None,
            metadata: "{}",
        }
    }

    #[test]
    fn the_hash_depends_on_content_and_predecessor() {
        let first = entry_hash(GENESIS_HASH, &entry("export_job.retry"));
        assert_eq!(first.len(), 64);
        assert_eq!(first, entry_hash(GENESIS_HASH, &entry("export_job.retry")));
        assert_ne!(first, entry_hash(GENESIS_HASH, &entry("export_job.create")));
        assert_ne!(first, entry_hash(&first, &entry("export_job.retry")));
    }

    #[test]
    fn a_version_1_entry_hashes_as_it_did_before_outcomes() {
        // Computed by the code that wrote version-1 entries, for this entry and `GENESIS_HASH`.
        let v1 = versioned_entry_hash(HashVersion::V1, GENESIS_HASH, &entry("export_job.retry"));
        assert_eq!(v1.as_deref(), Some(V1_EXPORT_JOB_RETRY));
        assert_ne!(v1, Some(entry_hash(GENESIS_HASH, &entry("export_job.retry"))), "version 2 hashes more");
    }

    #[test]
    fn a_version_1_entry_has_the_outcome_its_status_implies_and_no_reason() {
        let refused = CanonicalEntry { outcome: AuditOutcome::Refused, ..entry("export_job.retry") };
        assert_eq!(versioned_entry_hash(HashVersion::V1, GENESIS_HASH, &refused), None);
        let with_reason = CanonicalEntry { reason: Some("why"), ..entry("export_job.retry") };
        assert_eq!(versioned_entry_hash(HashVersion::V1, GENESIS_HASH, &with_reason), None);
        assert_eq!(implied_outcome(Some(409)), AuditOutcome::Refused);
        assert_eq!(implied_outcome(Some(503)), AuditOutcome::Failed);
        assert_eq!(implied_outcome(None), AuditOutcome::Succeeded);
    }

    #[test]
    fn timestamps_are_canonical_microseconds_in_utc() {
        let at = DateTime::from_timestamp_nanos(1_700_000_000_123_456_789);
        assert_eq!(canonical_time(storable_time(at)), "2023-11-14T22:13:20.123456Z");
    }
}
