//! Changing one's own password: the current one is checked like a login attempt (step-up), the
//! new one must pass the password policy, and every other session of the user ends, so that
//! whoever signed in with the old password is signed out. The session that made the change stays.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

use crate::{
    Db, DomainError,
    access::{Actor, Caller},
    audit::{self, AuditEvent, RequestMeta, chain::storable_time},
    auth::{sessions::revoke_others_of_user, totp::step_up},
    config::AuthSettings,
    entities::users,
    identity::password::{PasswordOwner, hash_password, validate_new_password},
};

pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

pub async fn change_own_password(
    db: &Db,
    settings: &AuthSettings,
    caller: &Caller,
    change: PasswordChange,
    request: &RequestMeta,
) -> Result<(), DomainError> {
    let Actor::User { id, .. } = caller.actor() else { return Err(DomainError::UserOnly) };
    let user = users::Entity::find_by_id(*id).one(db.conn()).await?.ok_or(DomainError::NotFound("user"))?;
    let owner = PasswordOwner {
        username: &user.username,
        display_name: Some(&user.display_name),
        email: user.email.as_deref(),
    };
    validate_new_password("new_password", &change.new_password, &owner)?;
    if change.new_password == change.current_password {
        return Err(DomainError::invalid_field("new_password", "is the same as the current password"));
    }
    let (attempt, keys) = step_up(db, settings, &user, "current_password", &change.current_password, request).await?;
    let password_hash = hash_password(&change.new_password)?;
    let user_id = user.id;
    let txn = db.begin_write().await?;
    let mut active = user.into_active_model();
    active.password_hash = Set(password_hash);
    active.updated_at = Set(storable_time(Utc::now()));
    active.update(&txn).await?;
    revoke_others_of_user(&txn, user_id, caller.session_id()).await?;
    attempt.succeed(&txn, &keys).await?;
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::succeeded("auth.password_change").target("user", user_id).tenant(caller.scope().tenant_id()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
