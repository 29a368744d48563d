//! Creating staff users and their first role binding.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};

use crate::{
    Db, DomainError,
    audit::chain::storable_time,
    entities::{enums::Role, role_bindings, tenants, users},
    identity::password::{PasswordOwner, generate_password_for, hash_password, validate_new_password},
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

impl NewUser {
    pub fn password_owner(&self) -> PasswordOwner<'_> {
        PasswordOwner {
            username: &self.username,
            display_name: self.display_name.as_deref(),
            email: self.email.as_deref(),
        }
    }
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
/// password that the caller shows once. Returns `None` when users already exist. Safe when
/// several instances start at once: the check and the insert share one write transaction that
/// excludes the others (SQLite's write lock; a transaction-scoped advisory lock on PostgreSQL), so
/// one creates the user and the others see it.
pub async fn ensure_first_superadmin(db: &Db) -> Result<Option<(String, String)>, DomainError> {
    if users::Entity::find().count(db.conn()).await? > 0 {
        return Ok(None);
    }
    let (username, display_name) = ("admin", "Administrator");
    let password = generate_password_for(&PasswordOwner { username, display_name: Some(display_name), email: None });
    let new_user = NewUser {
        username: username.to_owned(),
        display_name: Some(display_name.to_owned()),
        email: None,
        password: password.clone(),
        role: Role::Superadmin,
        tenant_slug: None,
    };
    let password_hash = checked_password_hash(&new_user)?;
    let txn = db.begin_write().await?;
    if db.backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({FIRST_SUPERADMIN_LOCK})")).await?;
    }
    if users::Entity::find().count(&txn).await? > 0 {
        txn.rollback().await?;
        return Ok(None);
    }
    let user = insert(&txn, new_user, password_hash).await?;
    txn.commit().await?;
    Ok(Some((user.username, password)))
}

/// The advisory lock key that serialises first-superadmin creation across instances.
const FIRST_SUPERADMIN_LOCK: i64 = 0x6f70_7364_6563_6b01;

pub async fn create(db: &Db, new_user: NewUser) -> Result<users::Model, DomainError> {
    let password_hash = checked_password_hash(&new_user)?;
    let txn = db.begin_write().await?;
    let user = insert(&txn, new_user, password_hash).await?;
    txn.commit().await?;
    Ok(user)
}

fn checked_password_hash(new_user: &NewUser) -> Result<String, DomainError> {
    validate_username(&new_user.username)?;
    validate_new_password("password", &new_user.password, &new_user.password_owner())?;
    hash_password(&new_user.password)
}

/// The user and its role binding, inside the caller's write transaction.
async fn insert(
    txn: &DatabaseTransaction,
    new_user: NewUser,
    password_hash: String,
) -> Result<users::Model, DomainError> {
    let tenant_id = match (new_user.role.is_partner(), new_user.tenant_slug.as_deref()) {
        (true, Some(slug)) => Some(
            tenants::Entity::find()
                .filter(tenants::Column::Slug.eq(slug))
                .one(txn)
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
    let taken = users::Entity::find().filter(users::Column::Username.eq(&new_user.username)).one(txn).await?;
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
    .insert(txn)
    .await?;
    role_bindings::ActiveModel {
        user_id: Set(user.id),
        role: Set(new_user.role),
        tenant_id: Set(tenant_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(user)
}
