//! Turning a bearer credential (an access JWT or an `odk_` integrator token) into a
//! [`Caller`]. The user row is read on every request, so deactivating a user or changing their
//! roles takes effect at once, for their JWTs and their tokens alike.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

use crate::{
    Db, DomainError,
    access::{Actor, Caller},
    audit::chain::storable_time,
    auth::{jwt::KeyRing, secrets::sha256_hex, tokens::TOKEN_PREFIX},
    config::AuthSettings,
    entities::{api_tokens, enums::Role, role_bindings, users},
};

fn invalid_token() -> DomainError {
    DomainError::unauthenticated("invalid_token", "the access token is invalid or expired")
}

/// How often `last_used_at` is written for a busy token.
const LAST_USED_GRANULARITY: Duration = Duration::minutes(1);

pub async fn caller_from_bearer(
    db: &Db,
    keys: &KeyRing,
    settings: &AuthSettings,
    bearer: &str,
) -> Result<Caller, DomainError> {
    if bearer.starts_with(TOKEN_PREFIX) {
        caller_from_api_token(db, bearer).await
    } else {
        let user_id = keys.verify(bearer)?;
        let (user, bindings) = active_user(db, user_id).await?;
        let pending = user.totp_enabled_at.is_none()
            && bindings.iter().any(|(role, _)| settings.mfa_required_roles.iter().any(|r| r == role.as_str()));
        let actor = Actor::User { id: user.id, username: user.username };
        Ok(Caller::new(actor, &bindings).with_mfa_enrollment_pending(pending))
    }
}

async fn caller_from_api_token(db: &Db, secret: &str) -> Result<Caller, DomainError> {
    let now = storable_time(Utc::now());
    let token = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(sha256_hex(secret)))
        .one(db.conn())
        .await?
        .ok_or_else(invalid_token)?;
    if token.revoked_at.is_some() || token.expires_at.is_some_and(|at| at <= now) {
        return Err(invalid_token());
    }
    let roles: Vec<Role> = serde_json::from_str(&token.roles).map_err(|_| invalid_token())?;
    let (user, bindings) = active_user(db, token.user_id).await?;
    let creator = Caller::new(Actor::User { id: user.id, username: user.username }, &bindings);
    let actor = Actor::Token { id: token.id, name: token.name.clone(), user_id: token.user_id };
    let caller = creator.restricted_to(actor, &roles, token.tenant_id);
    if token.last_used_at.is_none_or(|at| now - at > LAST_USED_GRANULARITY) {
        let mut active = token.into_active_model();
        active.last_used_at = Set(Some(now));
        active.update(db.conn()).await?;
    }
    Ok(caller)
}

/// The user and their role bindings, if the user exists and is active: one query (a LEFT JOIN),
/// since it runs on every authenticated request.
pub(crate) async fn active_user(
    db: &Db,
    user_id: i64,
) -> Result<(users::Model, Vec<(Role, Option<i64>)>), DomainError> {
    let (user, bindings) = users::Entity::find_by_id(user_id)
        .find_with_related(role_bindings::Entity)
        .all(db.conn())
        .await?
        .into_iter()
        .next()
        .filter(|(user, _)| user.is_active)
        .ok_or_else(invalid_token)?;
    Ok((user, bindings.into_iter().map(|binding| (binding.role, binding.tenant_id)).collect()))
}
