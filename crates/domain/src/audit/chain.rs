//! The hash chain of the audit log.
//!
//! Each entry's hash is `sha256(prev_hash ‖ "\n" ‖ canonical JSON of the entry)`, in lower-case
//! hex. The canonical JSON has a fixed key order and timestamps in UTC with microseconds (the
//! precision both engines keep), so the same entry hashes the same on SQLite and PostgreSQL.
//! The id is part of the hash: moving, removing or inserting a row breaks the chain.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QuerySelect, Set,
    sea_query::LockType,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{DomainError, entities::audit_chain};

/// The hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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
    pub outcome: Option<i32>,
    /// The stored metadata JSON text, byte for byte.
    pub metadata: &'a str,
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

pub fn entry_hash(prev_hash: &str, entry: &CanonicalEntry<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    // Serializing a struct of plain fields cannot fail; an empty body would still break the chain.
    hasher.update(serde_json::to_vec(entry).unwrap_or_default());
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
            outcome: Some(202),
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
    fn timestamps_are_canonical_microseconds_in_utc() {
        let at = DateTime::from_timestamp_nanos(1_700_000_000_123_456_789);
        assert_eq!(canonical_time(storable_time(at)), "2023-11-14T22:13:20.123456Z");
    }
}
