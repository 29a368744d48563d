//! TOTP (RFC 6238) second factor: enrol (secret + otpauth URI), confirm, disable.
//!
//! A code is good once: each user keeps the time step of the last code accepted, and a code of
//! that step or an earlier one is refused. Every code check (and every password check of a
//! step-up) counts against the login throttle. Enrolling a new authenticator and turning MFA
//! off need the current password, and a user whose role requires MFA cannot turn it off.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, Set, sea_query::Expr,
};
use totp_rs::{Builder, Secret, Totp};

use crate::{
    Db, DomainError, FieldError,
    access::{Actor, Caller},
    audit::{self, AuditEvent, RequestMeta, chain::storable_time},
    auth::throttle::{self, Keys, Reservation},
    config::AuthSettings,
    entities::users,
    identity::password::check_password,
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

/// The time step `code` belongs to, if it is valid now (one step of clock skew either way).
fn matching_step(secret_base32: &str, account: &str, code: &str) -> Result<Option<i64>, DomainError> {
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    Ok(totp(secret_base32, account)?.check_current(code).and_then(|step| i64::try_from(step).ok()))
}

/// Whether `code` is valid for the user's secret and newer than every code accepted before;
/// if so, its step is recorded. One conditional update, so of two requests carrying the same
/// code only one passes.
pub(crate) async fn accept(conn: &impl ConnectionTrait, user: &users::Model, code: &str) -> Result<bool, DomainError> {
    let Some(secret) = user.totp_secret.as_deref() else { return Ok(false) };
    let Some(step) = matching_step(secret, &user.username, code)? else { return Ok(false) };
    let recorded = users::Entity::update_many()
        .col_expr(users::Column::TotpLastStep, Expr::value(step))
        .filter(users::Column::Id.eq(user.id))
        .filter(Condition::any().add(users::Column::TotpLastStep.is_null()).add(users::Column::TotpLastStep.lt(step)))
        .exec(conn)
        .await?;
    Ok(recorded.rows_affected == 1)
}

fn wrong_code() -> DomainError {
    DomainError::invalid_field("code", "the code is wrong, expired or already used")
}

/// Step-up: `user`'s current password, checked like a login attempt (reserved against the
/// throttle first; a wrong one is counted and refused, naming `field`, the request's field that
/// carried it). The reservation is returned for the caller to settle: `succeed` once the change
/// commits, or `release`.
pub(crate) async fn step_up(
    db: &Db,
    settings: &AuthSettings,
    user: &users::Model,
    field: &'static str,
    password: &str,
    request: &RequestMeta,
) -> Result<(Reservation, Keys), DomainError> {
    let now = storable_time(Utc::now());
    let keys = Keys::new(&user.username, request.ip.as_deref());
    let attempt = throttle::reserve(db.conn(), settings, &keys, now).await?;
    if !check_password(user.password_hash.clone(), password.to_owned()).await? {
        attempt.fail(db.conn(), settings, now).await?;
        return Err(wrong_password(field));
    }
    Ok((attempt, keys))
}

fn wrong_password(field: &'static str) -> DomainError {
    let message = "the current password is wrong";
    DomainError::Invalid {
        code: "wrong_password",
        detail: format!("{field}: {message}"),
        errors: vec![FieldError::new(field, message)],
    }
}

async fn own_user(db: &Db, caller: &Caller) -> Result<users::Model, DomainError> {
    let Actor::User { id, .. } = caller.actor() else {
        return Err(DomainError::invalid("user_only", "two-factor settings belong to users, not tokens"));
    };
    users::Entity::find_by_id(*id).one(db.conn()).await?.ok_or(DomainError::NotFound("user"))
}

/// A new secret for the caller, to confirm with [`confirm`]; needs their current password.
pub async fn enroll(
    db: &Db,
    settings: &AuthSettings,
    caller: &Caller,
    password: &str,
    request: &RequestMeta,
) -> Result<Enrollment, DomainError> {
    let user = own_user(db, caller).await?;
    if user.totp_enabled_at.is_some() {
        return Err(DomainError::conflict("mfa_already_enabled", "two-factor authentication is already on"));
    }
    let (attempt, keys) = step_up(db, settings, &user, "password", password, request).await?;
    let now = storable_time(Utc::now());
    let encoded = Secret::generate().to_base32();
    let uri = totp(&encoded, &user.username)?
        .to_url()
        .map_err(|e| DomainError::Internal(format!("otpauth URI failed: {e}")))?;
    let txn = db.begin_write().await?;
    let (user_id, tenant) = (user.id, caller.scope().tenant_id());
    let mut active = user.into_active_model();
    active.totp_secret = Set(Some(encoded.clone()));
    // Steps are counted anew for a new secret.
    active.totp_last_step = Set(None);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    attempt.succeed(&txn, &keys).await?;
    audit::append(
        &txn,
        &caller.into(),
        request,
        AuditEvent::succeeded("auth.mfa_enroll").target("user", user_id).tenant(tenant),
    )
    .await?;
    txn.commit().await?;
    Ok(Enrollment { secret: encoded, otpauth_uri: uri })
}

/// Turns MFA on with a code from the authenticator just enrolled.
pub async fn confirm(
    db: &Db,
    settings: &AuthSettings,
    caller: &Caller,
    code: &str,
    request: &RequestMeta,
) -> Result<(), DomainError> {
    let user = own_user(db, caller).await?;
    if user.totp_secret.is_none() {
        return Err(DomainError::conflict("mfa_not_enrolled", "enrol an authenticator first"));
    }
    if user.totp_enabled_at.is_some() {
        return Err(DomainError::conflict("mfa_state", "two-factor authentication is already on"));
    }
    let now = storable_time(Utc::now());
    let keys = Keys::new(&user.username, request.ip.as_deref());
    let attempt = throttle::reserve(db.conn(), settings, &keys, now).await?;
    let txn = db.begin_write().await?;
    if !accept(&txn, &user, code).await? {
        txn.rollback().await?;
        attempt.fail(db.conn(), settings, now).await?;
        return Err(wrong_code());
    }
    // A code shows the authenticator works, not who is at the keyboard: earlier failures stay.
    attempt.release(&txn).await?;
    set_enabled(&txn, caller, user, Some(now), request).await?;
    txn.commit().await?;
    Ok(())
}

/// Turns MFA off: needs the current password and a fresh code, and a role that allows it.
pub async fn disable(
    db: &Db,
    settings: &AuthSettings,
    caller: &Caller,
    password: &str,
    code: &str,
    request: &RequestMeta,
) -> Result<(), DomainError> {
    let user = own_user(db, caller).await?;
    if user.totp_enabled_at.is_none() {
        return Err(DomainError::conflict("mfa_state", "two-factor authentication is already off"));
    }
    if let Some(role) =
        caller.roles().iter().find(|role| settings.mfa_required_roles.iter().any(|r| r == role.as_str()))
    {
        return Err(DomainError::conflict(
            "mfa_required_by_role",
            format!("the role {} requires two-factor authentication: it cannot be turned off", role.as_str()),
        ));
    }
    let now = storable_time(Utc::now());
    let keys = Keys::new(&user.username, request.ip.as_deref());
    let attempt = throttle::reserve(db.conn(), settings, &keys, now).await?;
    let password_ok = check_password(user.password_hash.clone(), password.to_owned()).await?;
    let txn = db.begin_write().await?;
    let refusal = if !password_ok {
        Some(wrong_password("password"))
    } else if !accept(&txn, &user, code).await? {
        Some(wrong_code())
    } else {
        None
    };
    if let Some(refusal) = refusal {
        txn.rollback().await?;
        attempt.fail(db.conn(), settings, now).await?;
        return Err(refusal);
    }
    attempt.succeed(&txn, &keys).await?;
    set_enabled(&txn, caller, user, None, request).await?;
    txn.commit().await?;
    Ok(())
}

async fn set_enabled(
    txn: &DatabaseTransaction,
    caller: &Caller,
    user: users::Model,
    enabled_at: Option<DateTime<Utc>>,
    request: &RequestMeta,
) -> Result<(), DomainError> {
    let (user_id, tenant) = (user.id, caller.scope().tenant_id());
    let mut active = user.into_active_model();
    active.totp_enabled_at = Set(enabled_at);
    if enabled_at.is_none() {
        active.totp_secret = Set(None);
        active.totp_last_step = Set(None);
    }
    active.updated_at = Set(storable_time(Utc::now()));
    active.update(txn).await?;
    let action = if enabled_at.is_some() { "auth.mfa_enable" } else { "auth.mfa_disable" };
    audit::append(txn, &caller.into(), request, AuditEvent::succeeded(action).target("user", user_id).tenant(tenant))
        .await?;
    Ok(())
}

/// The code for a secret at `at`; tests use it to play the authenticator.
pub fn code_at(secret_base32: &str, account: &str, at: DateTime<Utc>) -> Result<String, DomainError> {
    let seconds = u64::try_from(at.timestamp()).map_err(|_| DomainError::Internal("time before 1970".to_owned()))?;
    Ok(totp(secret_base32, account)?.generate(seconds).to_string())
}
