//! Appending entries. Callers pass their open transaction, so an action and its entry commit
//! or roll back together.
//!
//! Writers serialize on the single `audit_chain` row: PostgreSQL locks it with `FOR UPDATE`,
//! SQLite write transactions are exclusive (opened IMMEDIATE). Each writer reads the head,
//! inserts id `head + 1` hashed over the head's hash, and moves the head, all before commit;
//! a second writer waits, then sees the new head. The chain cannot fork, and the unique `hash`
//! column and primary key turn any race that slipped through into an error, not a fork.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use serde_json::Value;

use crate::{
    DomainError,
    access::{Actor, Caller},
    audit::{
        chain::{CanonicalEntry, HashVersion, Head, canonical_time, entry_hash, hold_head, move_head, storable_time},
        redact::redact,
    },
    entities::{
        audit_log,
        enums::{ActorType, AuditOutcome},
    },
};

/// Who acted.
#[derive(Clone, Debug)]
pub struct AuditActor {
    pub kind: ActorType,
    pub id: Option<i64>,
    pub label: String,
}

impl AuditActor {
    pub fn anonymous(label: impl Into<String>) -> Self {
        Self { kind: ActorType::Anonymous, id: None, label: label.into() }
    }

    pub fn system(label: impl Into<String>) -> Self {
        Self { kind: ActorType::System, id: None, label: label.into() }
    }

    pub fn user(id: i64, username: &str) -> Self {
        Self { kind: ActorType::User, id: Some(id), label: username.to_owned() }
    }
}

impl From<&Caller> for AuditActor {
    fn from(caller: &Caller) -> Self {
        let (kind, id) = match caller.actor() {
            Actor::User { id, .. } => (ActorType::User, *id),
            Actor::Token { id, .. } => (ActorType::Token, *id),
        };
        Self { kind, id: Some(id), label: caller.label() }
    }
}

/// The request an entry belongs to (empty for work the system does by itself).
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub request_id: Option<String>,
    /// The status the request is answered with when it goes as its operation declares, stored
    /// with its entries. The API supplies it; the domain stores it without reading it.
    pub status: Option<u16>,
    /// The API's status for a request that ends in a given domain error (see [`Self::ended_by`]).
    pub error_status: Option<fn(&DomainError) -> u16>,
}

impl RequestMeta {
    /// The request as `error` ends it: for the entry of a refusal the domain records itself
    /// before returning `error`.
    pub fn ended_by(&self, error: &DomainError) -> Self {
        Self { status: self.error_status.map(|status_of| status_of(error)), ..self.clone() }
    }
}

/// What happened.
#[derive(Clone, Debug)]
pub struct AuditEvent {
    /// `resource.verb`, e.g. `export_job.retry`, `auth.login_failed`.
    pub action: &'static str,
    pub target_type: Option<&'static str>,
    pub target_id: Option<String>,
    pub tenant_id: Option<i64>,
    pub outcome: AuditOutcome,
    /// Why it was refused or failed, where there is a reason (e.g. `bad_credentials`).
    pub reason: Option<String>,
    /// Free-form details; sensitive keys are redacted before storage.
    pub metadata: Value,
}

impl AuditEvent {
    pub fn new(action: &'static str, outcome: AuditOutcome) -> Self {
        Self {
            action,
            target_type: None,
            target_id: None,
            tenant_id: None,
            outcome,
            reason: None,
            metadata: Value::Null,
        }
    }

    pub fn succeeded(action: &'static str) -> Self {
        Self::new(action, AuditOutcome::Succeeded)
    }

    pub fn refused(action: &'static str, reason: impl Into<String>) -> Self {
        Self::new(action, AuditOutcome::Refused).reason(reason)
    }

    pub fn failed(action: &'static str, reason: impl Into<String>) -> Self {
        Self::new(action, AuditOutcome::Failed).reason(reason)
    }

    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    pub fn target(mut self, target_type: &'static str, target_id: impl ToString) -> Self {
        self.target_type = Some(target_type);
        self.target_id = Some(target_id.to_string());
        self
    }

    pub fn tenant(mut self, tenant_id: Option<i64>) -> Self {
        self.tenant_id = tenant_id;
        self
    }

    pub fn metadata(mut self, metadata: Value) -> Self {
        self.metadata = metadata;
        self
    }
}

/// Appends one entry in a transaction of its own: for events that change nothing else, such
/// as a refused request.
pub async fn record(
    db: &crate::Db,
    actor: &AuditActor,
    request: &RequestMeta,
    event: AuditEvent,
) -> Result<i64, DomainError> {
    let txn = db.begin_write().await?;
    let id = append(&txn, actor, request, event).await?;
    txn.commit().await?;
    Ok(id)
}

/// Appends one entry inside `txn` and returns its id.
pub async fn append(
    txn: &DatabaseTransaction,
    actor: &AuditActor,
    request: &RequestMeta,
    event: AuditEvent,
) -> Result<i64, DomainError> {
    append_at(txn, actor, request, event, Utc::now()).await
}

pub(crate) async fn append_at(
    txn: &DatabaseTransaction,
    actor: &AuditActor,
    request: &RequestMeta,
    event: AuditEvent,
    at: DateTime<Utc>,
) -> Result<i64, DomainError> {
    let head = hold_head(txn).await?;
    let id = head.id + 1;
    let occurred_at = storable_time(at);
    let metadata = match event.metadata {
        Value::Null => "{}".to_owned(),
        other => redact(other).to_string(),
    };
    let status = request.status.map(i32::from);
    let truncate = |value: Option<String>, max: usize| value.map(|v| v.chars().take(max).collect::<String>());
    let ip = truncate(request.ip.clone(), 64);
    let path = truncate(request.path.clone(), 2048);
    let request_id = truncate(request.request_id.clone(), 64);
    let label: String = actor.label.chars().take(255).collect();
    let target_id = truncate(event.target_id, 128);
    let reason = truncate(event.reason, 255);
    let hash = entry_hash(
        &head.hash,
        &CanonicalEntry {
            id,
            occurred_at: canonical_time(occurred_at),
            actor_type: actor.kind.as_str(),
            actor_id: actor.id,
            actor_label: &label,
            tenant_id: event.tenant_id,
            ip: ip.as_deref(),
            method: request.method.as_deref(),
            path: path.as_deref(),
            action: event.action,
            target_type: event.target_type,
            target_id: target_id.as_deref(),
            request_id: request_id.as_deref(),
            status,
            outcome: event.outcome,
            reason: reason.as_deref(),
            metadata: &metadata,
        },
    );
    audit_log::ActiveModel {
        id: Set(id),
        occurred_at: Set(occurred_at),
        actor_type: Set(actor.kind),
        actor_id: Set(actor.id),
        actor_label: Set(label),
        tenant_id: Set(event.tenant_id),
        ip: Set(ip),
        method: Set(request.method.clone()),
        path: Set(path),
        action: Set(event.action.to_owned()),
        target_type: Set(event.target_type.map(str::to_owned)),
        target_id: Set(target_id),
        request_id: Set(request_id),
        status: Set(status),
        outcome: Set(event.outcome),
        reason: Set(reason),
        metadata: Set(metadata),
        prev_hash: Set(head.hash),
        hash: Set(hash.clone()),
        hash_version: Set(HashVersion::CURRENT.stored()),
    }
    .insert(txn)
    .await?;
    move_head(txn, Head { id, hash }).await?;
    Ok(id)
}
