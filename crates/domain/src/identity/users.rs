//! Creating staff users and their first role binding.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::{
    Db, DomainError,
    audit::chain::storable_time,
    entities::{enums::Role, role_bindings, tenants, users},
    identity::password::{generate_password, hash_password, validate_new_password},
};

pub struct NewUser {
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub password: String,
    pub role: Role,
    /// The tenant's slug; required for partner roles, refused for staff roles.
    pub tenant_slug: Option<String>,
}

pub fn validate_username(username: &str) -> Result<(), DomainError> {
    let valid = (3..=100).contains(&username.len())
        && username.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
    if valid {
        Ok(())
    } else {
        Err(DomainError::invalid_field("username", "use 3-100 of the characters a-z, A-Z, 0-9, . _ - @"))
    }
}

/// First start: a database without users gets one superadmin, `admin`, with a generated
/// password that the caller shows once. Returns `None` when users already exist.
pub async fn ensure_first_superadmin(db: &Db) -> Result<Option<(String, String)>, DomainError> {
    if users::Entity::find().count(db.conn()).await? > 0 {
        return Ok(None);
    }
    let password = generate_password();
    let user = create(
        db,
        NewUser {
            username: "admin".to_owned(),
            display_name: Some("Administrator".to_owned()),
            email: None,
            password: password.clone(),
            role: Role::Superadmin,
            tenant_slug: None,
        },
    )
    .await?;
    Ok(Some((user.username, password)))
}

pub async fn create(db: &Db, new_user: NewUser) -> Result<users::Model, DomainError> {
    validate_username(&new_user.username)?;
    validate_new_password(&new_user.password)?;
    let password_hash = hash_password(&new_user.password)?;
    let txn = db.begin_write().await?;
    let tenant_id = match (new_user.role.is_partner(), new_user.tenant_slug.as_deref()) {
        (true, Some(slug)) => Some(
            tenants::Entity::find()
                .filter(tenants::Column::Slug.eq(slug))
                .one(&txn)
                .await?
                .ok_or_else(|| DomainError::invalid_field("tenant", format!("no tenant with slug {slug:?}")))?
                .id,
        ),
        (true, None) => return Err(DomainError::invalid_field("tenant", "a partner role needs a tenant")),
        (false, Some(_)) => {
            return Err(DomainError::invalid_field("tenant", "staff roles apply to every tenant; omit the tenant"));
        }
        (false, None) => None,
    };
    let taken = users::Entity::find().filter(users::Column::Username.eq(&new_user.username)).one(&txn).await?;
    if taken.is_some() {
        return Err(DomainError::conflict("username_taken", format!("the username {:?} is taken", new_user.username)));
    }
    let now = storable_time(Utc::now());
    let user = users::ActiveModel {
        username: Set(new_user.username.clone()),
        display_name: Set(new_user.display_name.unwrap_or_else(|| new_user.username.clone())),
        email: Set(new_user.email),
        password_hash: Set(password_hash),
        is_active: Set(true),
        totp_secret: Set(None),
        totp_enabled_at: Set(None),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    role_bindings::ActiveModel {
        user_id: Set(user.id),
        role: Set(new_user.role),
        tenant_id: Set(tenant_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(user)
}
