//! Reads of rows that belong to a tenant: every query over them starts inside a [`Scope`], so a
//! row outside it is never found.

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Select};

use crate::{
    DomainError,
    access::Scope,
    entities::{
        articles, audit_log, bulk_jobs, comments, customers, export_jobs, orders, products, shops, webhook_events,
    },
    pagination::{self, Page, PageRequest},
};

/// An entity whose rows belong to a tenant. Queries over it start from [`scoped`].
pub(crate) trait TenantOwned: EntityTrait {
    const TENANT: Self::Column;
    const ID: Self::Column;
    /// What a missing row is called in [`DomainError::NotFound`].
    const NAME: &'static str;
    fn id_of(model: &Self::Model) -> i64;
}

macro_rules! tenant_owned {
    ($($module:ident => $name:literal),* $(,)?) => {$(
        impl TenantOwned for $module::Entity {
            const TENANT: $module::Column = $module::Column::TenantId;
            const ID: $module::Column = $module::Column::Id;
            const NAME: &'static str = $name;
            fn id_of(model: &$module::Model) -> i64 {
                model.id
            }
        }
    )*};
}

tenant_owned!(
    shops => "shop",
    products => "product",
    orders => "order",
    customers => "customer",
    articles => "article",
    comments => "comment",
    export_jobs => "export job",
    bulk_jobs => "bulk job",
    webhook_events => "webhook event",
    audit_log => "audit entry",
);

/// The only way to start a query over tenant-owned rows.
pub(crate) fn scoped<E: TenantOwned>(scope: Scope) -> Select<E> {
    scope.filter(E::find(), E::TENANT)
}

/// One row inside the scope; outside it, the row does not exist.
pub(crate) async fn get<E: TenantOwned>(
    conn: &impl ConnectionTrait,
    scope: Scope,
    id: i64,
) -> Result<E::Model, DomainError> {
    scoped::<E>(scope).filter(E::ID.eq(id)).one(conn).await?.ok_or(DomainError::NotFound(E::NAME))
}

/// The query for a keyset page of rows inside the scope that match `filter`, newest first; for
/// callers that read only some columns.
pub(crate) fn page_query<E: TenantOwned>(scope: Scope, filter: Condition, page: PageRequest) -> Select<E> {
    pagination::keyset(scoped::<E>(scope).filter(filter), E::ID, page)
}

/// A keyset page of rows inside the scope that match `filter`, newest first.
pub(crate) async fn list<E: TenantOwned>(
    conn: &impl ConnectionTrait,
    scope: Scope,
    filter: Condition,
    page: PageRequest,
) -> Result<Page<E::Model>, DomainError> {
    Ok(Page::from_rows(page_query::<E>(scope, filter, page).all(conn).await?, page, E::id_of))
}
