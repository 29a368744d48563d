//! Staff users as administrators see them.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};

use crate::{
    Db, DomainError,
    access::{Caller, Permission},
    audit::{self, AuditEvent, RequestMeta, chain::storable_time},
    auth::sessions::revoke_all_of_user,
    entities::{enums::Role, role_bindings, tenants, users},
    identity::users::{self as identity_users, NewUser},
};

/// A user without secrets, with their role bindings.
#[derive(Clone, Debug)]
pub struct UserView {
    pub user: users::Model,
    pub bindings: Vec<role_bindings::Model>,
}

#[derive(Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub email: Option<Option<String>>,
    pub is_active: Option<bool>,
}

pub(crate) async fn view(db: &Db, user: users::Model) -> Result<UserView, DomainError> {
    let bindings = role_bindings::Entity::find()
        .filter(role_bindings::Column::UserId.eq(user.id))
        .order_by_asc(role_bindings::Column::Id)
        .all(db.conn())
        .await?;
    Ok(UserView { user, bindings })
}

pub async fn list(db: &Db, caller: &Caller) -> Result<Vec<UserView>, DomainError> {
    caller.authorize(Permission::UsersRead)?;
    let users = users::Entity::find().order_by_asc(users::Column::Username).all(db.conn()).await?;
    let mut bindings = role_bindings::Entity::find().order_by_asc(role_bindings::Column::Id).all(db.conn()).await?;
    Ok(users
        .into_iter()
        .map(|user| {
            let (own, rest): (Vec<_>, Vec<_>) =
                std::mem::take(&mut bindings).into_iter().partition(|b| b.user_id == user.id);
            bindings = rest;
            UserView { user, bindings: own }
        })
        .collect())
}

pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<UserView, DomainError> {
    caller.authorize(Permission::UsersRead)?;
    let user = users::Entity::find_by_id(id).one(db.conn()).await?.ok_or(DomainError::NotFound("user"))?;
    view(db, user).await
}

pub struct CreateUser {
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub password: String,
    pub role: Role,
    pub tenant_id: Option<i64>,
}

pub async fn create(db: &Db, caller: &Caller, new: CreateUser, request: &RequestMeta) -> Result<UserView, DomainError> {
    caller.authorize(Permission::UsersWrite)?;
    let tenant_slug = match new.tenant_id {
        Some(id) => Some(
            tenants::Entity::find_by_id(id)
                .one(db.conn())
                .await?
                .ok_or_else(|| DomainError::invalid_field("tenant_id", format!("no tenant {id}")))?
                .slug,
        ),
        None => None,
    };
    let user = identity_users::create(
        db,
        NewUser {
            username: new.username,
            display_name: new.display_name,
            email: new.email,
            password: new.password,
            role: new.role,
            tenant_slug,
        },
    )
    .await?;
    let txn = db.begin_write().await?;
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::succeeded("user.create")
            .target("user", user.id)
            .tenant(new.tenant_id)
            .metadata(serde_json::json!({"username": user.username, "role": new.role.as_str()})),
    )
    .await?;
    txn.commit().await?;
    view(db, user).await
}

/// Changes profile fields or (de)activates. Deactivation ends every session at once; access
/// tokens stop working on their next request because each request re-reads the user.
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    changes: UserChanges,
    request: &RequestMeta,
) -> Result<UserView, DomainError> {
    caller.authorize(Permission::UsersWrite)?;
    if changes.is_active == Some(false) && id == caller.user_id() {
        return Err(DomainError::conflict("cannot_deactivate_self", "you cannot deactivate yourself"));
    }
    if let Some(name) = &changes.display_name
        && (name.trim().is_empty() || name.chars().count() > 200)
    {
        return Err(DomainError::invalid_field("display_name", "1-200 characters"));
    }
    if let Some(Some(email)) = &changes.email
        && (email.len() > 320 || !email.contains('@'))
    {
        return Err(DomainError::invalid_field("email", "not an email address"));
    }
    let txn = db.begin_write().await?;
    let user = users::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound("user"))?;
    let mut active = user.into_active_model();
    if let Some(name) = &changes.display_name {
        active.display_name = Set(name.trim().to_owned());
    }
    if let Some(email) = &changes.email {
        active.email = Set(email.clone());
    }
    if let Some(is_active) = changes.is_active {
        active.is_active = Set(is_active);
        if !is_active {
            revoke_all_of_user(&txn, id).await?;
        }
    }
    active.updated_at = Set(storable_time(Utc::now()));
    let user = active.update(&txn).await?;
    let action = match changes.is_active {
        Some(false) => "user.deactivate",
        Some(true) => "user.activate",
        None => "user.update",
    };
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::succeeded(action).target("user", id).metadata(serde_json::json!({
            "display_name": changes.display_name,
            "email_changed": changes.email.is_some(),
            "is_active": changes.is_active,
        })),
    )
    .await?;
    txn.commit().await?;
    view(db, user).await
}
