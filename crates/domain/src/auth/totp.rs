//! TOTP (RFC 6238) second factor: enrol (secret + otpauth URI), confirm, disable.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use totp_rs::{Builder, Secret, Totp};

use crate::{
    Db, DomainError,
    access::{Actor, Caller},
    audit::{self, AuditEvent, RequestMeta, chain::storable_time},
    entities::users,
};

const ISSUER: &str = "opsdeck";

pub struct Enrollment {
    /// Base32, for typing into an authenticator by hand.
    pub secret: String,
    /// `otpauth://totp/...`, for a QR code.
    pub otpauth_uri: String,
}

fn totp(secret_base32: &str, account: &str) -> Result<Totp, DomainError> {
    let secret = Secret::try_from_base32(secret_base32)
        .map_err(|e| DomainError::Internal(format!("stored TOTP secret is unreadable: {e}")))?;
    Builder::new()
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .map_err(|e| DomainError::Internal(format!("TOTP setup failed: {e}")))
}

/// Whether `code` is valid now (one step of clock skew either way).
pub fn verify(secret_base32: &str, account: &str, code: &str) -> Result<bool, DomainError> {
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(false);
    }
    Ok(totp(secret_base32, account)?.check_current(code).is_some())
}

async fn own_user(db: &Db, caller: &Caller) -> Result<users::Model, DomainError> {
    let Actor::User { id, .. } = caller.actor() else {
        return Err(DomainError::invalid("user_only", "two-factor settings belong to users, not tokens"));
    };
    users::Entity::find_by_id(*id).one(db.conn()).await?.ok_or(DomainError::NotFound("user"))
}

pub async fn enroll(db: &Db, caller: &Caller, request: &RequestMeta) -> Result<Enrollment, DomainError> {
    let user = own_user(db, caller).await?;
    if user.totp_enabled_at.is_some() {
        return Err(DomainError::conflict("mfa_already_enabled", "two-factor authentication is already on"));
    }
    let encoded = Secret::generate().to_base32();
    let uri = totp(&encoded, &user.username)?
        .to_url()
        .map_err(|e| DomainError::Internal(format!("otpauth URI failed: {e}")))?;
    let txn = db.begin_write().await?;
    let (user_id, tenant) = (user.id, caller.scope().tenant_id());
    let mut active = user.into_active_model();
    active.totp_secret = Set(Some(encoded.clone()));
    active.updated_at = Set(storable_time(Utc::now()));
    active.update(&txn).await?;
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::new("auth.mfa_enroll", 200).target("user", user_id).tenant(tenant),
    )
    .await?;
    txn.commit().await?;
    Ok(Enrollment { secret: encoded, otpauth_uri: uri })
}

/// Turns MFA on (`enable = true`, after enrolment) or off, each proven with a current code.
pub async fn set_enabled(
    db: &Db,
    caller: &Caller,
    code: &str,
    enable: bool,
    request: &RequestMeta,
) -> Result<(), DomainError> {
    let user = own_user(db, caller).await?;
    let Some(secret) = user.totp_secret.clone() else {
        return Err(DomainError::conflict("mfa_not_enrolled", "enrol an authenticator first"));
    };
    if enable == user.totp_enabled_at.is_some() {
        let state = if enable { "already on" } else { "already off" };
        return Err(DomainError::conflict("mfa_state", format!("two-factor authentication is {state}")));
    }
    if !verify(&secret, &user.username, code)? {
        return Err(DomainError::invalid_field("code", "the code is wrong or expired"));
    }
    let now = storable_time(Utc::now());
    let txn = db.begin_write().await?;
    let (user_id, tenant) = (user.id, caller.scope().tenant_id());
    let mut active = user.into_active_model();
    active.totp_enabled_at = Set(enable.then_some(now));
    if !enable {
        active.totp_secret = Set(None);
    }
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let action = if enable { "auth.mfa_enable" } else { "auth.mfa_disable" };
    audit::append(&txn, &caller.into(), request, AuditEvent::new(action, 204).target("user", user_id).tenant(tenant))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The current code for a secret; tests use it to play the authenticator.
pub fn current_code(secret_base32: &str, account: &str) -> Result<String, DomainError> {
    Ok(totp(secret_base32, account)?.generate_current().to_string())
}

/// The code for a secret at `at`; tests use it to play the authenticator.
pub fn code_at(secret_base32: &str, account: &str, at: chrono::DateTime<Utc>) -> Result<String, DomainError> {
    let seconds = u64::try_from(at.timestamp()).map_err(|_| DomainError::Internal("time before 1970".to_owned()))?;
    Ok(totp(secret_base32, account)?.generate(seconds).to_string())
}
