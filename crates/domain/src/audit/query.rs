//! Searching the audit log: filters, keyset pages newest first, and the chunks a CSV export
//! streams. Never OFFSET, never COUNT: a deep page costs what the first one does.
//!
//! The action prefix goes through the `(action, id)` index twice. First a range,
//! `action >= p AND action < p'` (`p` with its last character incremented), skips through the
//! index to find the distinct actions that start with `p`, one probe each (the vocabulary is
//! small). Then the page query filters on `action IN (those actions)`: both engines read each
//! action's entries in id order and stop at the page size (SQLite's IN early-out, PostgreSQL's
//! backward index scan), where the range itself would sort every matching row on every page.
//! `LIKE 'p%'` would not do: SQLite uses an
//! index for LIKE only when `case_sensitive_like` is on, PostgreSQL only under the C collation
//! or `text_pattern_ops`. The range needs a bytewise order: SQLite's default BINARY collation,
//! and on PostgreSQL `COLLATE "C"` on the column (migration m20261122_000006), whatever the
//! database's locale.
//!
//! Time bounds are a filter, not an access path, on SQLite: without statistics it would pick
//! the `occurred_at` index and sort the whole range on every page; walking the primary key backwards finds recent windows at once. PostgreSQL's planner
//! has statistics and chooses that walk by itself.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, DbBackend, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    sea_query::{Expr, SimpleExpr},
};
use serde::Serialize;

use crate::{
    Db, DomainError,
    access::{Caller, Scope},
    audit::{AuditEvent, RequestMeta, append},
    entities::{audit_log, enums::ActorType},
    exports::rows::{self, Reader, RowsError},
    pagination::{Page, PageRequest},
    tenant_owned::{self, scoped},
};

pub use audit_log::Model as AuditEntry;

/// The widest time range a search may span, so that a range scan stays bounded.
pub const MAX_RANGE_DAYS: i64 = 366;

/// Past this many distinct actions under one prefix, the range itself filters.
const MAX_PREFIX_ACTIONS: usize = 64;

/// Rows per query of an export: each chunk is one short query, so memory stays flat and no
/// transaction stays open while the client reads.
pub const EXPORT_CHUNK: u64 = 1000;

/// Room for a chunk's CSV (entries are about 300 bytes), so the buffer rarely grows.
const EXPORT_CHUNK_BYTES: usize = 512 << 10;

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
    /// Checks the filter (a 422 naming the field, before any query runs) and turns it into SQL.
    async fn condition(&self, db: &Db) -> Result<Condition, DomainError> {
        use audit_log::Column;
        let action_range = self.check(Utc::now())?;
        let action = match action_range {
            Some((low, high)) => Some(action_condition(db, low, high).await?),
            None => None,
        };
        let occurred_at = match db.backend() {
            // A unary `+` keeps SQLite from choosing the `occurred_at` index (see the module doc).
            DbBackend::Sqlite => Expr::cust_with_expr("+?", Expr::col(Column::OccurredAt)),
            _ => Expr::col(Column::OccurredAt),
        };
        Ok(Condition::all()
            .add_option(self.actor_type.map(|kind| Column::ActorType.eq(kind)))
            .add_option(self.actor_id.map(|id| Column::ActorId.eq(id)))
            .add_option(self.actor_label.clone().map(|label| Column::ActorLabel.eq(label)))
            .add_option(action)
            .add_option(self.target_type.clone().map(|kind| Column::TargetType.eq(kind)))
            .add_option(self.target_id.clone().map(|id| Column::TargetId.eq(id)))
            .add_option(self.occurred_from.map(|at| occurred_at.clone().gte(at)))
            .add_option(self.occurred_to.map(|at| occurred_at.lt(at))))
    }

    /// Validates the filter; returns the bytewise range of the action prefix, if any.
    fn check(&self, now: DateTime<Utc>) -> Result<Option<(String, String)>, DomainError> {
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
        Ok(action)
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

/// `action IN (the actions in [low, high))`, or the range itself when they are too many.
async fn action_condition(db: &Db, low: String, high: String) -> Result<SimpleExpr, DomainError> {
    use audit_log::Column;
    let mut actions: Vec<String> = Vec::new();
    while actions.len() < MAX_PREFIX_ACTIONS {
        let above = match actions.last() {
            Some(last) => Column::Action.gt(last.as_str()),
            None => Column::Action.gte(low.as_str()),
        };
        let next: Option<Option<String>> = audit_log::Entity::find()
            .select_only()
            .expr(Expr::col(Column::Action).min())
            .filter(above)
            .filter(Column::Action.lt(high.as_str()))
            .into_tuple()
            .one(db.conn())
            .await?;
        match next.flatten() {
            Some(action) => actions.push(action),
            None => return Ok(Column::Action.is_in(actions)),
        }
    }
    Ok(Column::Action.gte(low).and(Column::Action.lt(high)))
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

/// A keyset page of the entries inside `scope` that match `filter`, newest first. Partners'
/// scope is their tenant: entries without a tenant (staff work, failed logins) stay hidden.
pub async fn list(
    db: &Db,
    scope: Scope,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditEntry>, DomainError> {
    let condition = filter.condition(db).await?;
    tenant_owned::list::<audit_log::Entity>(db.conn(), scope, condition, page).await
}

/// One entry, if it lies inside `scope`; another tenant's entry (or, for partners, one without
/// a tenant) is answered as if it did not exist.
pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<AuditEntry, DomainError> {
    tenant_owned::get::<audit_log::Entity>(db.conn(), scope, id).await
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
        let condition = filter.condition(db).await?;
        let mut metadata = serde_json::to_value(filter).map_err(|e| DomainError::Internal(e.to_string()))?;
        metadata["tenant_id"] = scope.tenant_id().into();
        let txn = db.begin_write().await?;
        let own_id = append(
            &txn,
            &caller.into(),
            request,
            AuditEvent::succeeded("audit_log.export").tenant(scope.tenant_id()).metadata(metadata),
        )
        .await?;
        txn.commit().await?;
        Ok(Self { scope, condition, before_id: own_id, done: false })
    }

    /// The next chunk of up to [`EXPORT_CHUNK`] entries as CSV records (no header), or `None` when
    /// the export is complete. The rows go from the driver straight into the chunk's bytes, as in
    /// export jobs (`exports::rows`), neutralized against formula injection.
    pub async fn next_csv(&mut self, db: &Db) -> Result<Option<Vec<u8>>, DomainError> {
        if self.done {
            return Ok(None);
        }
        let layout = &rows::AUDIT_LOG;
        let statement = layout
            .select(scoped::<audit_log::Entity>(self.scope))
            .filter(self.condition.clone())
            .filter(audit_log::Column::Id.lt(self.before_id))
            .order_by_desc(audit_log::Column::Id)
            .limit(EXPORT_CHUNK)
            .build(db.backend());
        let mut writer = csv::Writer::from_writer(Vec::with_capacity(EXPORT_CHUNK_BYTES));
        let mut reader = Reader::acquire(db).await?;
        let chunk =
            rows::write_chunk(&mut reader, statement, layout.cells, &mut writer).await.map_err(
                |error| match error {
                    RowsError::Read(error) => error,
                    RowsError::Write(error) => DomainError::Internal(format!("rendering the audit export: {error}")),
                },
            )?;
        self.done = chunk.rows < EXPORT_CHUNK;
        let Some(last_id) = chunk.last_id else { return Ok(None) };
        self.before_id = last_id;
        let bytes =
            writer.into_inner().map_err(|e| DomainError::Internal(format!("rendering the audit export: {e}")))?;
        Ok(Some(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_field<T>(result: Result<T, DomainError>) -> Option<String> {
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
        assert!(filter(Some(366), None).check(now).is_ok());
        assert!(filter(Some(400), Some(100)).check(now).is_ok());
        assert_eq!(error_field(filter(Some(367), None).check(now)), Some("occurred_from".to_owned()));
        assert_eq!(error_field(filter(Some(800), Some(1)).check(now)), Some("occurred_from".to_owned()));
        assert_eq!(error_field(filter(None, Some(1)).check(now)), Some("occurred_from".to_owned()));
        assert_eq!(error_field(filter(Some(1), Some(2)).check(now)), Some("occurred_to".to_owned()));
    }

    #[test]
    fn ids_need_their_type() {
        let now = Utc::now();
        let actor = AuditFilter { actor_id: Some(1), ..Default::default() };
        assert_eq!(error_field(actor.check(now)), Some("actor_id".to_owned()));
        let target = AuditFilter { target_id: Some("1".to_owned()), ..Default::default() };
        assert_eq!(error_field(target.check(now)), Some("target_id".to_owned()));
        let label = AuditFilter { actor_label: Some(String::new()), ..Default::default() };
        assert_eq!(error_field(label.check(now)), Some("actor_label".to_owned()));
    }
}
