//! Staff login: password (argon2id), optional TOTP, throttling, and an audit entry for every
//! outcome. An unknown user and a wrong password get the same answer in the same time.

use std::sync::LazyLock;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

use crate::{
    Db, DomainError,
    audit::{self, AuditActor, AuditEvent, RequestMeta, chain::storable_time},
    auth::{
        jwt::KeyRing,
        sessions::{self, Client, Session},
        throttle::{self, Keys},
        totp,
    },
    config::AuthSettings,
    entities::users,
    identity::password::{MAX_PASSWORD_LENGTH, generate_password, hash_password, verify_password},
};

pub struct Credentials {
    pub username: String,
    pub password: String,
    pub totp_code: Option<String>,
}

/// A hash of a random password: unknown users are checked against it so that they cost the
/// same time as known ones.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password(&generate_password()).unwrap_or_default());

fn bad_credentials() -> DomainError {
    DomainError::unauthenticated("invalid_credentials", "the username or password is wrong")
}

pub async fn login(
    db: &Db,
    keys: &KeyRing,
    settings: &AuthSettings,
    credentials: Credentials,
    request: &RequestMeta,
    user_agent: Option<&str>,
) -> Result<Session, DomainError> {
    let now = storable_time(Utc::now());
    let throttle_keys = Keys::new(&credentials.username, request.ip.as_deref());
    let attempted = serde_json::json!({ "username": credentials.username.chars().take(100).collect::<String>() });
    let throttle_keys = &throttle_keys;
    let attempted = &attempted;
    let fail = |reason: &'static str, error: DomainError| async move {
        let txn = db.begin_write().await?;
        throttle::record_failure(&txn, settings, throttle_keys, now).await?;
        let status = if matches!(error, DomainError::TooManyRequests { .. }) { 429 } else { 401 };
        let mut metadata = attempted.clone();
        metadata["reason"] = reason.into();
        audit::append(
            &txn,
            &AuditActor::anonymous(throttle_keys.account.chars().take(100).collect::<String>()),
            request,
            AuditEvent::new("auth.login_failed", status).metadata(metadata),
        )
        .await?;
        txn.commit().await?;
        Err::<Session, _>(error)
    };

    if let Err(throttled) = throttle::check(db.conn(), settings, throttle_keys, now).await {
        return fail("throttled", throttled).await;
    }
    if credentials.password.len() > MAX_PASSWORD_LENGTH * 4 || credentials.username.len() > 100 {
        return fail("bad_credentials", bad_credentials()).await;
    }
    let user =
        users::Entity::find().filter(users::Column::Username.eq(credentials.username.trim())).one(db.conn()).await?;
    let password_ok =
        verify_password(user.as_ref().map_or(DUMMY_HASH.as_str(), |u| u.password_hash.as_str()), &credentials.password);
    let user = match user {
        Some(user) if password_ok && user.is_active => user,
        _ => return fail("bad_credentials", bad_credentials()).await,
    };
    if let (Some(_), Some(secret)) = (user.totp_enabled_at, user.totp_secret.as_deref()) {
        match credentials.totp_code.as_deref() {
            None | Some("") => {
                return Err(DomainError::unauthenticated(
                    "mfa_required",
                    "enter the code from your authenticator app (`totp_code`)",
                ));
            }
            Some(code) if !totp::verify(secret, &user.username, code)? => {
                return fail("bad_totp", DomainError::unauthenticated("invalid_totp", "the code is wrong or expired"))
                    .await;
            }
            Some(_) => {}
        }
    }

    let txn = db.begin_write().await?;
    throttle::clear_account(&txn, throttle_keys).await?;
    let (user_id, username) = (user.id, user.username.clone());
    let mut active = user.into_active_model();
    active.last_login_at = Set(Some(now));
    active.update(&txn).await?;
    let client = Client { ip: request.ip.as_deref(), user_agent };
    let session = sessions::open(&txn, keys, settings, user_id, None, &client).await?;
    audit::append(
        &txn,
        &AuditActor::user(user_id, &username),
        request,
        AuditEvent::new("auth.login", 200).target("user", user_id),
    )
    .await?;
    txn.commit().await?;
    Ok(session)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_is_a_valid_argon2id_hash() {
        assert!(DUMMY_HASH.starts_with("$argon2id$"));
        assert!(!verify_password(&DUMMY_HASH, "anything"));
    }
}
