//! Role bindings. A user is either staff (staff roles, every tenant) or a partner of exactly
//! one tenant; mixing would make their scope ambiguous, so it is refused.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, ModelTrait, QueryFilter, QueryOrder, Set};

use crate::{
    Db, DomainError,
    access::{Caller, Permission},
    audit::{self, AuditEvent, RequestMeta, chain::storable_time},
    entities::{enums::Role, role_bindings, tenants, users},
};

pub async fn list(db: &Db, caller: &Caller, user_id: i64) -> Result<Vec<role_bindings::Model>, DomainError> {
    caller.authorize(Permission::UsersRead)?;
    users::Entity::find_by_id(user_id).one(db.conn()).await?.ok_or(DomainError::NotFound("user"))?;
    Ok(role_bindings::Entity::find()
        .filter(role_bindings::Column::UserId.eq(user_id))
        .order_by_asc(role_bindings::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn add(
    db: &Db,
    caller: &Caller,
    user_id: i64,
    role: Role,
    tenant_id: Option<i64>,
    request: &RequestMeta,
) -> Result<role_bindings::Model, DomainError> {
    caller.authorize(Permission::UsersWrite)?;
    match (role.is_partner(), tenant_id) {
        (true, None) => return Err(DomainError::invalid_field("tenant_id", "a partner role needs a tenant")),
        (false, Some(_)) => {
            return Err(DomainError::invalid_field("tenant_id", "staff roles apply to every tenant; omit tenant_id"));
        }
        _ => {}
    }
    let txn = db.begin_write().await?;
    users::Entity::find_by_id(user_id).one(&txn).await?.ok_or(DomainError::NotFound("user"))?;
    if let Some(id) = tenant_id {
        tenants::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::invalid_field("tenant_id", format!("no tenant {id}")))?;
    }
    let existing = role_bindings::Entity::find().filter(role_bindings::Column::UserId.eq(user_id)).all(&txn).await?;
    if existing.iter().any(|b| b.role == role && b.tenant_id == tenant_id) {
        return Err(DomainError::conflict("binding_exists", "the user already has this role"));
    }
    if existing
        .iter()
        .any(|b| b.role.is_partner() != role.is_partner() || (role.is_partner() && b.tenant_id != tenant_id))
    {
        return Err(DomainError::conflict(
            "mixed_scope",
            "a user is either staff or a partner of one tenant; remove the other bindings first",
        ));
    }
    let binding = role_bindings::ActiveModel {
        user_id: Set(user_id),
        role: Set(role),
        tenant_id: Set(tenant_id),
        created_at: Set(storable_time(Utc::now())),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::succeeded("user.role_grant")
            .target("user", user_id)
            .tenant(tenant_id)
            .metadata(serde_json::json!({"role": role.as_str(), "binding_id": binding.id})),
    )
    .await?;
    txn.commit().await?;
    Ok(binding)
}

pub async fn remove(
    db: &Db,
    caller: &Caller,
    user_id: i64,
    binding_id: i64,
    request: &RequestMeta,
) -> Result<(), DomainError> {
    caller.authorize(Permission::UsersWrite)?;
    let txn = db.begin_write().await?;
    let binding = role_bindings::Entity::find_by_id(binding_id)
        .filter(role_bindings::Column::UserId.eq(user_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("role binding"))?;
    if user_id == caller.user_id() && binding.role == Role::Superadmin {
        return Err(DomainError::conflict("cannot_demote_self", "you cannot remove your own superadmin role"));
    }
    let (role, tenant_id) = (binding.role, binding.tenant_id);
    binding.delete(&txn).await?;
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::succeeded("user.role_revoke")
            .target("user", user_id)
            .tenant(tenant_id)
            .metadata(serde_json::json!({"role": role.as_str(), "binding_id": binding_id})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
