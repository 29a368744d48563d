//! Tenants.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::{
    Db, DomainError,
    access::{Caller, Permission},
    audit::{self, AuditEvent, RequestMeta, chain::storable_time},
    entities::{enums::TenantStatus, tenants},
};

pub use tenants::Model as Tenant;

pub struct NewTenant {
    pub slug: String,
    pub name: String,
}

#[derive(Default)]
pub struct TenantChanges {
    pub name: Option<String>,
    pub status: Option<TenantStatus>,
}

fn validate_slug(slug: &str) -> Result<(), DomainError> {
    let valid = (2..=63).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if valid { Ok(()) } else { Err(DomainError::invalid_field("slug", "2-63 of a-z, 0-9 and inner hyphens")) }
}

fn validate_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(DomainError::invalid_field("name", "1-200 characters"));
    }
    Ok(name.to_owned())
}

/// Tenants the caller can see: all for staff, their own for partners.
pub async fn list(db: &Db, caller: &Caller) -> Result<Vec<Tenant>, DomainError> {
    let scope = caller.authorize(Permission::TenantsRead)?;
    Ok(scope
        .filter(tenants::Entity::find(), tenants::Column::Id)
        .order_by_asc(tenants::Column::Slug)
        .all(db.conn())
        .await?)
}

pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Tenant, DomainError> {
    let scope = caller.authorize(Permission::TenantsRead)?;
    scope
        .filter(tenants::Entity::find_by_id(id), tenants::Column::Id)
        .one(db.conn())
        .await?
        .ok_or(DomainError::NotFound("tenant"))
}

/// The name of the one tenant the caller is confined to; `None` for staff. No permission is
/// needed: whoever works in a tenant may know its name.
pub async fn own_name(db: &Db, caller: &Caller) -> Result<Option<String>, DomainError> {
    let Some(id) = caller.scope().tenant_id() else { return Ok(None) };
    Ok(tenants::Entity::find_by_id(id)
        .select_only()
        .column(tenants::Column::Name)
        .into_tuple::<String>()
        .one(db.conn())
        .await?)
}

pub async fn create(db: &Db, caller: &Caller, new: NewTenant, request: &RequestMeta) -> Result<Tenant, DomainError> {
    caller.authorize(Permission::TenantsWrite)?;
    validate_slug(&new.slug)?;
    let name = validate_name(&new.name)?;
    let txn = db.begin_write().await?;
    if tenants::Entity::find().filter(tenants::Column::Slug.eq(&new.slug)).one(&txn).await?.is_some() {
        return Err(DomainError::conflict("slug_taken", format!("a tenant with slug {:?} exists", new.slug)));
    }
    let now = storable_time(Utc::now());
    let tenant = tenants::ActiveModel {
        slug: Set(new.slug),
        name: Set(name),
        status: Set(TenantStatus::Active),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::succeeded("tenant.create")
            .target("tenant", tenant.id)
            .tenant(Some(tenant.id))
            .metadata(serde_json::json!({"slug": tenant.slug, "name": tenant.name})),
    )
    .await?;
    txn.commit().await?;
    Ok(tenant)
}

pub async fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    changes: TenantChanges,
    request: &RequestMeta,
) -> Result<Tenant, DomainError> {
    caller.authorize(Permission::TenantsWrite)?;
    let name = changes.name.as_deref().map(validate_name).transpose()?;
    let txn = db.begin_write().await?;
    let tenant = tenants::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound("tenant"))?;
    // Suspension shuts the tenant's partners out at their next request (see `auth::authenticate`),
    // so it and its undoing are audited as what they are.
    let action = match (tenant.status, changes.status) {
        (TenantStatus::Active, Some(TenantStatus::Suspended)) => "tenant.suspend",
        (TenantStatus::Suspended, Some(TenantStatus::Active)) => "tenant.reactivate",
        _ => "tenant.update",
    };
    let mut active = tenant.into_active_model();
    if let Some(name) = &name {
        active.name = Set(name.clone());
    }
    if let Some(status) = changes.status {
        active.status = Set(status);
    }
    active.updated_at = Set(storable_time(Utc::now()));
    let tenant = active.update(&txn).await?;
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::succeeded(action)
            .target("tenant", id)
            .tenant(Some(id))
            .metadata(serde_json::json!({"name": name, "status": changes.status})),
    )
    .await?;
    txn.commit().await?;
    Ok(tenant)
}
