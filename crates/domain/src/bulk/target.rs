//! What a bulk job acts on: the kinds of rows, the caller's target (explicit ids or a filter),
//! and reading those rows through the job's scope.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    sea_query::{Expr, LockType, Query, SelectStatement},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    DomainError,
    access::Scope,
    entities::{
        articles, comments,
        enums::{ArticleStatus, CommentStatus, ProductVisibility},
        products,
    },
    tenant_owned::scoped,
};

/// Most ids one job may name explicitly; larger sets are targeted with a filter.
pub const MAX_TARGET_IDS: usize = 10_000;

/// The table a bulk action changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    Products,
    Articles,
    Comments,
}

impl TargetKind {
    pub fn table(self) -> &'static str {
        match self {
            TargetKind::Products => "products",
            TargetKind::Articles => "articles",
            TargetKind::Comments => "comments",
        }
    }

    /// Whether the table records when a row last changed (comments do not).
    pub(crate) fn has_updated_at(self) -> bool {
        !matches!(self, TargetKind::Comments)
    }
}

/// A target as the caller wrote it: explicit ids, or a filter over the action's table.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Ids(Vec<i64>),
    Filter(serde_json::Map<String, Value>),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProductFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shop_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visibility: Option<ProductVisibility>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArticleFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<ArticleStatus>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommentFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<CommentStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    article_id: Option<i64>,
}

/// A filter, typed for the action's table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub(crate) enum Filter {
    Products(ProductFilter),
    Articles(ArticleFilter),
    Comments(CommentFilter),
}

/// A validated target in canonical form: ids sorted and unique, filters typed. Its JSON is
/// what the confirmation token signs and the job records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TargetSet {
    Ids(Vec<i64>),
    Filter(Filter),
}

impl TargetSet {
    pub fn parse(kind: TargetKind, target: &Target) -> Result<Self, DomainError> {
        match target {
            Target::Ids(ids) => {
                if ids.is_empty() || ids.len() > MAX_TARGET_IDS {
                    return Err(DomainError::invalid_field(
                        "target.ids",
                        format!("give 1 to {MAX_TARGET_IDS} ids (use a filter for more)"),
                    ));
                }
                if ids.iter().any(|id| *id <= 0) {
                    return Err(DomainError::invalid_field("target.ids", "ids are positive integers"));
                }
                Ok(TargetSet::Ids(ids.iter().copied().collect::<BTreeSet<_>>().into_iter().collect()))
            }
            Target::Filter(fields) => {
                let value = Value::Object(fields.clone());
                let invalid = |e: serde_json::Error| {
                    DomainError::invalid_field("target.filter", format!("not a filter over {}: {e}", kind.table()))
                };
                let filter = match kind {
                    TargetKind::Products => Filter::Products(serde_json::from_value(value).map_err(invalid)?),
                    TargetKind::Articles => Filter::Articles(serde_json::from_value(value).map_err(invalid)?),
                    TargetKind::Comments => Filter::Comments(serde_json::from_value(value).map_err(invalid)?),
                };
                Ok(TargetSet::Filter(filter))
            }
        }
    }

    pub fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn condition(&self, kind: TargetKind) -> Condition {
        match (self, kind) {
            (TargetSet::Ids(ids), TargetKind::Products) => {
                Condition::all().add(products::Column::Id.is_in(ids.clone()))
            }
            (TargetSet::Ids(ids), TargetKind::Articles) => {
                Condition::all().add(articles::Column::Id.is_in(ids.clone()))
            }
            (TargetSet::Ids(ids), TargetKind::Comments) => {
                Condition::all().add(comments::Column::Id.is_in(ids.clone()))
            }
            (TargetSet::Filter(Filter::Products(f)), _) => Condition::all()
                .add_option(f.shop_id.map(|id| products::Column::ShopId.eq(id)))
                .add_option(f.visibility.map(|v| products::Column::Visibility.eq(v))),
            (TargetSet::Filter(Filter::Articles(f)), _) => {
                Condition::all().add_option(f.status.map(|s| articles::Column::Status.eq(s)))
            }
            (TargetSet::Filter(Filter::Comments(f)), _) => Condition::all()
                .add_option(f.status.map(|s| comments::Column::Status.eq(s)))
                .add_option(f.article_id.map(|id| comments::Column::ArticleId.eq(id))),
        }
    }

    /// `SELECT <columns> FROM <table> WHERE <scope> AND <target>`, the base of every read.
    fn select(&self, kind: TargetKind, scope: Scope) -> SelectStatement {
        let condition = self.condition(kind);
        match kind {
            TargetKind::Products => scoped::<products::Entity>(scope).filter(condition).into_query(),
            TargetKind::Articles => scoped::<articles::Entity>(scope).filter(condition).into_query(),
            TargetKind::Comments => scoped::<comments::Entity>(scope).filter(condition).into_query(),
        }
    }

    /// The ids inside the scope (explicit targets only; a filter only ever finds scoped rows).
    pub async fn found_ids(
        &self,
        conn: &impl ConnectionTrait,
        kind: TargetKind,
        scope: Scope,
    ) -> Result<Vec<i64>, DomainError> {
        let mut select = self.select(kind, scope);
        select.clear_selects();
        select.column((kind.table(), "id"));
        let rows = conn.query_all(&select).await?;
        rows.iter().map(|row| Ok(row.try_get_by_index::<i64>(0)?)).collect()
    }

    pub async fn count(&self, conn: &impl ConnectionTrait, kind: TargetKind, scope: Scope) -> Result<i64, DomainError> {
        let mut select = self.select(kind, scope);
        select.clear_selects();
        select.expr(Expr::cust("COUNT(*)"));
        let row = conn.query_one(&select).await?.ok_or_else(|| DomainError::Internal("no count row".into()))?;
        Ok(row.try_get_by_index::<i64>(0)?)
    }

    /// The first `limit` rows by id, as the preview shows them.
    pub async fn sample(
        &self,
        conn: &impl ConnectionTrait,
        kind: TargetKind,
        scope: Scope,
        limit: u64,
    ) -> Result<Vec<TargetRow>, DomainError> {
        let condition = self.condition(kind);
        TargetRow::read(conn, kind, scope, condition, Some(limit), false).await
    }

    /// Freezes the target: one `bulk_job_items` row per targeted row, positions 0.. in id
    /// order, written by the database in one statement. Returns how many.
    pub async fn freeze(
        &self,
        conn: &impl ConnectionTrait,
        kind: TargetKind,
        scope: Scope,
        job_id: i64,
    ) -> Result<i64, DomainError> {
        let mut select = self.select(kind, scope);
        select.clear_selects();
        select
            .expr(Expr::val(job_id))
            .expr(Expr::cust("ROW_NUMBER() OVER (ORDER BY id) - 1"))
            .column((kind.table(), "id"));
        let insert = Query::insert()
            .into_table("bulk_job_items")
            .columns(["bulk_job_id", "position", "target_id"])
            .select_from(select)
            .map_err(|e| DomainError::Internal(format!("freezing the target: {e}")))?
            .to_owned();
        let inserted = conn.execute(&insert).await?.rows_affected();
        Ok(i64::try_from(inserted).unwrap_or(i64::MAX))
    }
}

/// The columns of a targeted row that bulk actions read, show and change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TargetRow {
    Product(ProductRow),
    Article(ArticleRow),
    Comment(CommentRow),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ProductRow {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub tenant_id: i64,
    pub name: String,
    pub price_minor: i64,
    pub currency: String,
    pub visibility: ProductVisibility,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ArticleRow {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub tenant_id: i64,
    pub title: String,
    pub status: ArticleStatus,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct CommentRow {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub tenant_id: i64,
    pub article_id: i64,
    pub author_name: String,
    pub status: CommentStatus,
}

impl TargetRow {
    pub fn id(&self) -> i64 {
        match self {
            TargetRow::Product(row) => row.id,
            TargetRow::Article(row) => row.id,
            TargetRow::Comment(row) => row.id,
        }
    }

    pub fn tenant_id(&self) -> i64 {
        match self {
            TargetRow::Product(row) => row.tenant_id,
            TargetRow::Article(row) => row.tenant_id,
            TargetRow::Comment(row) => row.tenant_id,
        }
    }

    /// What the preview shows of the row (its id and tenant are shown beside it).
    pub fn view(&self) -> Value {
        match self {
            TargetRow::Product(row) => serde_json::to_value(row),
            TargetRow::Article(row) => serde_json::to_value(row),
            TargetRow::Comment(row) => serde_json::to_value(row),
        }
        .unwrap_or(Value::Null)
    }

    /// The columns that differ in `after`, with their new values.
    pub fn changes(&self, after: &TargetRow) -> Vec<(&'static str, sea_orm::Value)> {
        let mut changed = Vec::new();
        match (self, after) {
            (TargetRow::Product(a), TargetRow::Product(b)) => {
                if a.price_minor != b.price_minor {
                    changed.push(("price_minor", b.price_minor.into()));
                }
                if a.visibility != b.visibility {
                    changed.push(("visibility", b.visibility.into()));
                }
            }
            (TargetRow::Article(a), TargetRow::Article(b)) => {
                if a.status != b.status {
                    changed.push(("status", b.status.into()));
                }
                if a.published_at != b.published_at {
                    changed.push(("published_at", b.published_at.into()));
                }
            }
            (TargetRow::Comment(a), TargetRow::Comment(b)) if a.status != b.status => {
                changed.push(("status", b.status.into()));
            }
            _ => {}
        }
        changed
    }

    /// The targeted rows among `ids` that lie inside `scope`. `lock`: hold them until the
    /// transaction ends (PostgreSQL; SQLite write transactions are exclusive anyway), so
    /// nothing changes between reading a row and writing its new values.
    pub async fn load(
        conn: &impl ConnectionTrait,
        kind: TargetKind,
        scope: Scope,
        ids: &[i64],
    ) -> Result<Vec<TargetRow>, DomainError> {
        let condition = TargetSet::Ids(ids.to_vec()).condition(kind);
        Self::read(conn, kind, scope, condition, None, true).await
    }

    async fn read(
        conn: &impl ConnectionTrait,
        kind: TargetKind,
        scope: Scope,
        condition: Condition,
        limit: Option<u64>,
        lock: bool,
    ) -> Result<Vec<TargetRow>, DomainError> {
        let lock = lock && conn.get_database_backend() == DbBackend::Postgres;
        macro_rules! read {
            ($module:ident, $columns:expr, $tuple:ty, $row:expr) => {{
                let mut select = scoped::<$module::Entity>(scope)
                    .select_only()
                    .columns($columns)
                    .filter(condition)
                    .order_by_asc($module::Column::Id);
                if let Some(limit) = limit {
                    select = select.limit(limit);
                }
                if lock {
                    select = select.lock(LockType::Update);
                }
                select.into_tuple::<$tuple>().all(conn).await?.into_iter().map($row).collect()
            }};
        }
        Ok(match kind {
            TargetKind::Products => {
                use products::Column as C;
                read!(
                    products,
                    [C::Id, C::TenantId, C::Name, C::PriceMinor, C::Currency, C::Visibility],
                    (i64, i64, String, i64, String, ProductVisibility),
                    |(id, tenant_id, name, price_minor, currency, visibility)| {
                        TargetRow::Product(ProductRow { id, tenant_id, name, price_minor, currency, visibility })
                    }
                )
            }
            TargetKind::Articles => {
                use articles::Column as C;
                read!(
                    articles,
                    [C::Id, C::TenantId, C::Title, C::Status, C::PublishedAt],
                    (i64, i64, String, ArticleStatus, Option<DateTime<Utc>>),
                    |(id, tenant_id, title, status, published_at)| {
                        TargetRow::Article(ArticleRow { id, tenant_id, title, status, published_at })
                    }
                )
            }
            TargetKind::Comments => {
                use comments::Column as C;
                read!(
                    comments,
                    [C::Id, C::TenantId, C::ArticleId, C::AuthorName, C::Status],
                    (i64, i64, i64, String, CommentStatus),
                    |(id, tenant_id, article_id, author_name, status)| {
                        TargetRow::Comment(CommentRow { id, tenant_id, article_id, author_name, status })
                    }
                )
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filter(value: Value) -> Target {
        Target::Filter(value.as_object().cloned().unwrap_or_default())
    }

    #[test]
    fn targets_have_one_canonical_form() {
        let ids = TargetSet::parse(TargetKind::Products, &Target::Ids(vec![3, 1, 3, 2])).unwrap();
        assert_eq!(ids.canonical(), r#"{"ids":[1,2,3]}"#);
        let a = TargetSet::parse(TargetKind::Comments, &filter(json!({"article_id": 4, "status": "pending"}))).unwrap();
        let b = TargetSet::parse(TargetKind::Comments, &filter(json!({"status": "pending", "article_id": 4}))).unwrap();
        assert_eq!(a.canonical(), b.canonical());
        assert_eq!(a.canonical(), r#"{"filter":{"status":"pending","article_id":4}}"#);
        let everything = TargetSet::parse(TargetKind::Articles, &filter(json!({}))).unwrap();
        assert_eq!(everything.canonical(), r#"{"filter":{}}"#);
    }

    #[test]
    fn bad_targets_are_refused() {
        for (kind, target) in [
            (TargetKind::Products, Target::Ids(vec![])),
            (TargetKind::Products, Target::Ids(vec![0])),
            (TargetKind::Products, Target::Ids((1..=10_001).collect())),
            (TargetKind::Articles, filter(json!({"shop_id": 1}))),
            (TargetKind::Products, filter(json!({"visibility": "secret"}))),
        ] {
            assert!(TargetSet::parse(kind, &target).is_err(), "{target:?}");
        }
    }

    #[test]
    fn only_changed_columns_are_written() {
        let before = TargetRow::Article(ArticleRow {
            id: 1,
            tenant_id: 1,
            title: "t".into(),
            status: ArticleStatus::Draft,
            published_at: None,
        });
        assert!(before.changes(&before).is_empty());
        let TargetRow::Article(mut after) = before.clone() else { unreachable!() };
        after.status = ArticleStatus::Published;
        let changed: Vec<&str> = before.changes(&TargetRow::Article(after)).into_iter().map(|(c, _)| c).collect();
        assert_eq!(changed, ["status"]);
    }
}
