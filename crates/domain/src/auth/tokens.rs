//! Integrator tokens: opaque `odk_` secrets stored only as hashes and shown once, carrying
//! roles that grant no more than their creator holds, optionally bound to one tenant, expiring,
//! revocable. Minting one needs the creator's current password.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Select, Set};

use crate::{
    Db, DomainError,
    access::{Actor, Caller, Permission, Scope, permissions_of},
    audit::{self, AuditEvent, RequestMeta, chain::storable_time},
    auth::{
        secrets::{random_secret, sha256_hex},
        totp::step_up,
    },
    config::AuthSettings,
    entities::{api_tokens, enums::Role, tenants, users},
};

pub const TOKEN_PREFIX: &str = "odk_";
pub const MAX_LIFETIME_DAYS: u32 = 365;
pub const DEFAULT_LIFETIME_DAYS: u32 = 90;

pub struct NewToken {
    pub name: String,
    pub roles: Vec<Role>,
    pub tenant_id: Option<i64>,
    pub expires_in_days: Option<u32>,
    /// The creator's current password (step-up: a stolen session alone cannot mint a token).
    pub password: String,
}

/// A token as listed: never the secret, never its hash.
#[derive(Clone, Debug)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub display_prefix: String,
    pub roles: Vec<Role>,
    pub tenant_id: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<api_tokens::Model> for TokenInfo {
    type Error = DomainError;

    fn try_from(token: api_tokens::Model) -> Result<Self, DomainError> {
        Ok(Self {
            roles: serde_json::from_str(&token.roles)
                .map_err(|e| DomainError::Internal(format!("token {} has unreadable roles: {e}", token.id)))?,
            id: token.id,
            name: token.name,
            display_prefix: token.display_prefix,
            tenant_id: token.tenant_id,
            expires_at: token.expires_at,
            last_used_at: token.last_used_at,
            revoked_at: token.revoked_at,
            created_at: token.created_at,
        })
    }
}

/// Only people mint tokens: a token cannot create another (that would outlive its revocation).
fn creating_user(caller: &Caller) -> Result<i64, DomainError> {
    match caller.actor() {
        Actor::User { id, .. } => Ok(*id),
        Actor::Token { .. } => Err(DomainError::Forbidden("tokens:manage")),
    }
}

pub async fn create(
    db: &Db,
    settings: &AuthSettings,
    caller: &Caller,
    new_token: NewToken,
    request: &RequestMeta,
) -> Result<(TokenInfo, String), DomainError> {
    let scope = caller.authorize(Permission::TokensManage)?;
    let user_id = creating_user(caller)?;
    let name = new_token.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(DomainError::invalid_field("name", "give the token a name of 1-200 characters"));
    }
    if new_token.roles.is_empty() {
        return Err(DomainError::invalid_field("roles", "a token needs at least one role"));
    }
    if let Some(role) = new_token.roles.iter().find(|role| !caller.can_delegate(**role)) {
        return Err(DomainError::invalid_field(
            "roles",
            format!("{} grants rights you do not hold; a token never exceeds its creator", role.as_str()),
        ));
    }
    let tenant_id = match (scope, new_token.tenant_id) {
        (Scope::Tenant(own), None) => Some(own.0),
        (Scope::Tenant(own), Some(id)) if id == own.0 => Some(id),
        (Scope::Tenant(_), Some(_)) => return Err(DomainError::invalid_field("tenant_id", "not your tenant")),
        (Scope::All, Some(id)) => {
            tenants::Entity::find_by_id(id)
                .one(db.conn())
                .await?
                .ok_or_else(|| DomainError::invalid_field("tenant_id", format!("no tenant {id}")))?;
            Some(id)
        }
        (Scope::All, None) => None,
    };
    match tenant_id {
        Some(_) => {
            if let Some(role) = new_token.roles.iter().find(|role| administers_platform(**role)) {
                return Err(DomainError::invalid_field(
                    "roles",
                    format!("{} administers the whole platform; it cannot be bound to one tenant", role.as_str()),
                ));
            }
        }
        None if new_token.roles.iter().any(|role| role.is_partner()) => {
            return Err(DomainError::invalid_field("tenant_id", "a partner role needs a tenant"));
        }
        None => {}
    }
    let days = new_token.expires_in_days.unwrap_or(DEFAULT_LIFETIME_DAYS);
    if !(1..=MAX_LIFETIME_DAYS).contains(&days) {
        return Err(DomainError::invalid_field("expires_in_days", format!("between 1 and {MAX_LIFETIME_DAYS}")));
    }
    confirm_password(db, settings, user_id, &new_token.password, request).await?;
    let mut roles = new_token.roles;
    roles.sort_by_key(|role| role.as_str());
    roles.dedup();
    let secret = format!("{TOKEN_PREFIX}{}", random_secret());
    let now = storable_time(Utc::now());
    let txn = db.begin_write().await?;
    let token = api_tokens::ActiveModel {
        user_id: Set(user_id),
        name: Set(name),
        display_prefix: Set(secret.chars().take(12).collect()),
        token_hash: Set(sha256_hex(&secret)),
        roles: Set(serde_json::to_string(&roles).map_err(|e| DomainError::Internal(e.to_string()))?),
        tenant_id: Set(tenant_id),
        expires_at: Set(Some(now + Duration::days(i64::from(days)))),
        last_used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::succeeded("api_token.create")
            .target("api_token", token.id)
            .tenant(tenant_id)
            .metadata(serde_json::json!({"name": token.name, "roles": roles, "expires_in_days": days})),
    )
    .await?;
    txn.commit().await?;
    Ok((token.try_into()?, secret))
}

/// Whether a role carries platform administration, which only makes sense unbound.
fn administers_platform(role: Role) -> bool {
    permissions_of(role).into_iter().any(Permission::is_platform_wide)
}

/// Step-up: the password is checked on the blocking pool (argon2 takes a core for a while).
/// Step-up: the creator's current password, throttled like a login attempt; a right one is not
/// counted.
async fn confirm_password(
    db: &Db,
    settings: &AuthSettings,
    user_id: i64,
    password: &str,
    request: &RequestMeta,
) -> Result<(), DomainError> {
    let user = users::Entity::find_by_id(user_id).one(db.conn()).await?.ok_or(DomainError::NotFound("user"))?;
    let (attempt, _) = step_up(db, settings, &user, "password", password, request).await?;
    attempt.release(db.conn()).await
}

/// The tokens a caller manages, inside its scope: administrators (`users:write`) see everyone's,
/// others their own; a caller bound to a tenant sees only tokens bound to it.
fn managed(caller: &Caller, scope: Scope) -> Select<api_tokens::Entity> {
    let query = scope.filter(api_tokens::Entity::find(), api_tokens::Column::TenantId);
    if caller.holds(Permission::UsersWrite) {
        query
    } else {
        query.filter(api_tokens::Column::UserId.eq(caller.user_id()))
    }
}

/// The tokens the caller manages, newest first.
pub async fn list(db: &Db, caller: &Caller) -> Result<Vec<TokenInfo>, DomainError> {
    let scope = caller.authorize(Permission::TokensManage)?;
    let query = managed(caller, scope).order_by_desc(api_tokens::Column::Id);
    query.all(db.conn()).await?.into_iter().map(TokenInfo::try_from).collect()
}

/// Revokes at once; revoking a revoked token is a no-op. A token the caller does not manage
/// is a 404.
pub async fn revoke(db: &Db, caller: &Caller, token_id: i64, request: &RequestMeta) -> Result<(), DomainError> {
    let scope = caller.authorize(Permission::TokensManage)?;
    let txn = db.begin_write().await?;
    let token = managed(caller, scope)
        .filter(api_tokens::Column::Id.eq(token_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("token"))?;
    if token.revoked_at.is_some() {
        return Ok(());
    }
    let tenant_id = token.tenant_id;
    let mut active = token.into_active_model();
    active.revoked_at = Set(Some(storable_time(Utc::now())));
    active.update(&txn).await?;
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::succeeded("api_token.revoke").target("api_token", token_id).tenant(tenant_id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
