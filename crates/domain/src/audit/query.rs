//! Searching the audit log: filters, keyset pages newest first, and the chunks a CSV export
//! streams. Never OFFSET, never COUNT: a deep page costs what the first one does.
//!
//! The action prefix is a range, `action >= p AND action < p'` where `p'` is `p` with its last
//! character incremented: every action starting with `p` sorts inside it under a bytewise
//! collation, and a range is what a B-tree index answers on both engines. `LIKE 'p%'` would
//! not do: SQLite only uses an index for LIKE when `case_sensitive_like` is on, and
//! PostgreSQL only under the C collation or `text_pattern_ops`. SQLite compares TEXT bytewise
//! by default; on PostgreSQL the `action` column is declared `COLLATE "C"` (migration
//! m20261122_000006) so the range holds whatever the database's locale, and the `(action, id)`
//! index serves it.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::{
    Db, DomainError,
    access::{Caller, Scope},
    audit::{AuditEvent, RequestMeta, append},
    entities::{audit_log, enums::ActorType},
    pagination::{Page, PageRequest},
};

pub use audit_log::Model as AuditEntry;

/// The widest time range a search may span, so that a range scan stays bounded.
pub const MAX_RANGE_DAYS: i64 = 366;

/// Rows per query of an export: each chunk is one short query, so memory stays flat and no
/// transaction stays open while the client reads.
pub const EXPORT_CHUNK: u64 = 1000;

/// What a caller searches for. Every field is optional; the tenant comes from the [`Scope`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_type: Option<ActorType>,
    /// Needs `actor_type` (the index is `(actor_type, actor_id, id)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<i64>,
    /// The actor's label, exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    /// Needs `target_type` (the index is `(target_type, target_id, id)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    /// Inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurred_from: Option<DateTime<Utc>>,
    /// Exclusive; needs `occurred_from`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurred_to: Option<DateTime<Utc>>,
}

impl AuditFilter {
    /// Checks the filter and turns it into SQL; bad input is a 422 naming the field.
    fn condition(&self, now: DateTime<Utc>) -> Result<Condition, DomainError> {
        use audit_log::Column;
        if self.actor_id.is_some() && self.actor_type.is_none() {
            return Err(DomainError::invalid_field("actor_id", "give actor_type as well"));
        }
        if self.target_id.is_some() && self.target_type.is_none() {
            return Err(DomainError::invalid_field("target_id", "give target_type as well"));
        }
        check_length("actor_label", self.actor_label.as_deref(), 255)?;
        check_length("target_type", self.target_type.as_deref(), 64)?;
        check_length("target_id", self.target_id.as_deref(), 128)?;
        let action = self.action_prefix.as_deref().map(action_range).transpose()?;
        self.check_time_range(now)?;
        Ok(Condition::all()
            .add_option(self.actor_type.map(|kind| Column::ActorType.eq(kind)))
            .add_option(self.actor_id.map(|id| Column::ActorId.eq(id)))
            .add_option(self.actor_label.clone().map(|label| Column::ActorLabel.eq(label)))
            .add_option(action.map(|(low, high)| Condition::all().add(Column::Action.gte(low)).add(Column::Action.lt(high))))
            .add_option(self.target_type.clone().map(|kind| Column::TargetType.eq(kind)))
            .add_option(self.target_id.clone().map(|id| Column::TargetId.eq(id)))
            .add_option(self.occurred_from.map(|at| Column::OccurredAt.gte(at)))
            .add_option(self.occurred_to.map(|at| Column::OccurredAt.lt(at))))
    }

    /// A range has a start, ends after it, and spans at most [`MAX_RANGE_DAYS`] (an open end
    /// counts as now). Without a start, "everything before X" would scan the whole history.
    fn check_time_range(&self, now: DateTime<Utc>) -> Result<(), DomainError> {
        let Some(from) = self.occurred_from else {
            return match self.occurred_to {
                Some(_) => Err(DomainError::invalid_field("occurred_from", "give it with occurred_to")),
                None => Ok(()),
            };
        };
        if self.occurred_to.is_some_and(|to| to <= from) {
            return Err(DomainError::invalid_field("occurred_to", "must be after occurred_from"));
        }
        if self.occurred_to.unwrap_or(now) - from > Duration::days(MAX_RANGE_DAYS) {
            return Err(DomainError::invalid_field(
                "occurred_from",
                format!("a time range spans at most {MAX_RANGE_DAYS} days (up to occurred_to, or now)"),
            ));
        }
        Ok(())
    }
}

fn check_length(field: &str, value: Option<&str>, max: usize) -> Result<(), DomainError> {
    match value {
        Some(value) if value.is_empty() || value.chars().count() > max => {
            Err(DomainError::invalid_field(field, format!("1-{max} characters")))
        }
        _ => Ok(()),
    }
}

/// `[prefix, prefix with its last character incremented)`. Actions are `a-z 0-9 _ .`, so the
/// increment never overflows and the bound is plain ASCII.
fn action_range(prefix: &str) -> Result<(String, String), DomainError> {
    let valid = (1..=128).contains(&prefix.len())
        && prefix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    let mut upper = prefix.as_bytes().to_vec();
    match upper.last_mut() {
        Some(last) if valid => *last += 1,
        _ => return Err(DomainError::invalid_field("action_prefix", "1-128 of a-z, 0-9, `_` and `.`")),
    }
    let upper = String::from_utf8(upper).map_err(|e| DomainError::Internal(e.to_string()))?;
    Ok((prefix.to_owned(), upper))
}

/// Up to `limit` entries inside `scope` matching `condition`, below `before_id`, newest first.
async fn fetch(
    db: &Db,
    scope: Scope,
    condition: Condition,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<AuditEntry>, DomainError> {
    let mut query = scope
        .filter(audit_log::Entity::find(), audit_log::Column::TenantId)
        .filter(condition)
        .order_by_desc(audit_log::Column::Id)
        .limit(limit);
    if let Some(before) = before_id {
        query = query.filter(audit_log::Column::Id.lt(before));
    }
    Ok(query.all(db.conn()).await?)
}

/// A keyset page of the entries inside `scope` that match `filter`, newest first. Partners'
/// scope is their tenant: entries without a tenant (staff work, failed logins) stay hidden.
pub async fn list(
    db: &Db,
    scope: Scope,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditEntry>, DomainError> {
    let condition = filter.condition(Utc::now())?;
    let rows = fetch(db, scope, condition, page.before_id, page.limit + 1).await?;
    Ok(Page::from_rows(rows, page, |entry| entry.id))
}

/// A CSV export in progress: it walks the matching entries newest first, one chunk per query.
pub struct Export {
    scope: Scope,
    condition: Condition,
    before_id: i64,
    done: bool,
}

impl Export {
    /// Checks the filter and records the export in the log, committed before any row is read:
    /// the download is on record even if the client drops it halfway. The export covers the
    /// entries before its own, so it is a snapshot of the log as the request found it.
    pub async fn start(
        db: &Db,
        caller: &Caller,
        scope: Scope,
        filter: &AuditFilter,
        request: &RequestMeta,
    ) -> Result<Self, DomainError> {
        let condition = filter.condition(Utc::now())?;
        let mut metadata = serde_json::to_value(filter).map_err(|e| DomainError::Internal(e.to_string()))?;
        metadata["tenant_id"] = scope.tenant_id().into();
        let txn = db.begin_write().await?;
        let own_id = append(
            &txn,
            &caller.into(),
            request,
            AuditEvent::new("audit_log.export", 200).tenant(scope.tenant_id()).metadata(metadata),
        )
        .await?;
        txn.commit().await?;
        Ok(Self { scope, condition, before_id: own_id, done: false })
    }

    /// The next chunk of up to [`EXPORT_CHUNK`] entries, or `None` when the export is complete.
    pub async fn next_chunk(&mut self, db: &Db) -> Result<Option<Vec<AuditEntry>>, DomainError> {
        if self.done {
            return Ok(None);
        }
        let rows = fetch(db, self.scope, self.condition.clone(), Some(self.before_id), EXPORT_CHUNK).await?;
        self.done = rows.len() < usize::try_from(EXPORT_CHUNK).unwrap_or(usize::MAX);
        match rows.last() {
            Some(last) => {
                self.before_id = last.id;
                Ok(Some(rows))
            }
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_field(result: Result<Condition, DomainError>) -> Option<String> {
        match result {
            Err(DomainError::Invalid { errors, .. }) => errors.first().map(|e| e.field.clone()),
            _ => None,
        }
    }

    #[test]
    fn an_action_prefix_is_a_bytewise_range() {
        assert_eq!(action_range("tenant.").ok(), Some(("tenant.".to_owned(), "tenant/".to_owned())));
        assert_eq!(action_range("auth.login").ok(), Some(("auth.login".to_owned(), "auth.logio".to_owned())));
        for bad in ["", "Tenant", "a%", "a b", "tenant.\u{e9}", &"a".repeat(129)] {
            assert!(action_range(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn time_ranges_are_bounded() {
        let now = Utc::now();
        let filter = |from: Option<i64>, to: Option<i64>| AuditFilter {
            occurred_from: from.map(|d| now - Duration::days(d)),
            occurred_to: to.map(|d| now - Duration::days(d)),
            ..Default::default()
        };
        assert!(filter(Some(366), None).condition(now).is_ok());
        assert!(filter(Some(400), Some(100)).condition(now).is_ok());
        assert_eq!(error_field(filter(Some(367), None).condition(now)), Some("occurred_from".to_owned()));
        assert_eq!(error_field(filter(Some(800), Some(1)).condition(now)), Some("occurred_from".to_owned()));
        assert_eq!(error_field(filter(None, Some(1)).condition(now)), Some("occurred_from".to_owned()));
        assert_eq!(error_field(filter(Some(1), Some(2)).condition(now)), Some("occurred_to".to_owned()));
    }

    #[test]
    fn ids_need_their_type() {
        let now = Utc::now();
        let actor = AuditFilter { actor_id: Some(1), ..Default::default() };
        assert_eq!(error_field(actor.condition(now)), Some("actor_id".to_owned()));
        let target = AuditFilter { target_id: Some("1".to_owned()), ..Default::default() };
        assert_eq!(error_field(target.condition(now)), Some("target_id".to_owned()));
        let label = AuditFilter { actor_label: Some(String::new()), ..Default::default() };
        assert_eq!(error_field(label.condition(now)), Some("actor_label".to_owned()));
    }
}
