//! Staff login: password (argon2id), optional TOTP, throttling, and an audit entry for every
//! outcome. An unknown user and a wrong password get the same answer in the same time. The
//! attempt is reserved with the throttle before anything is checked (see `throttle`).

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
    identity::password::{MAX_PASSWORD_LENGTH, check_password, generate_password, hash_password},
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
    let attempt = match throttle::reserve(db.conn(), settings, &throttle_keys, now).await {
        Ok(attempt) => attempt,
        Err(throttled) => return Err(audited_failure(db, &credentials, request, "throttled", throttled).await),
    };
    let user = match check(db, &credentials).await? {
        Checked::Passed(user) => user,
        Checked::CodeMissing => {
            // The password was right: not a failure, and no proof of identity yet either.
            attempt.release(db.conn()).await?;
            return Err(DomainError::unauthenticated(
                "mfa_required",
                "enter the code from your authenticator app (`totp_code`)",
            ));
        }
        Checked::Failed(reason, error) => {
            attempt.fail(db.conn(), settings, now).await?;
            return Err(audited_failure(db, &credentials, request, reason, error).await);
        }
    };

    let txn = db.begin_write().await?;
    attempt.succeed(&txn, &throttle_keys).await?;
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
        AuditEvent::succeeded("auth.login").target("user", user_id),
    )
    .await?;
    txn.commit().await?;
    Ok(session)
}

enum Checked {
    Passed(users::Model),
    /// The password is right, and TOTP is on, but no code came with it.
    CodeMissing,
    Failed(&'static str, DomainError),
}

/// The password (argon2 on the blocking pool), then the TOTP code where one is due.
async fn check(db: &Db, credentials: &Credentials) -> Result<Checked, DomainError> {
    if credentials.password.len() > MAX_PASSWORD_LENGTH * 4 || credentials.username.len() > 100 {
        return Ok(Checked::Failed("bad_credentials", bad_credentials()));
    }
    let user =
        users::Entity::find().filter(users::Column::Username.eq(credentials.username.trim())).one(db.conn()).await?;
    let stored = user.as_ref().map_or(DUMMY_HASH.as_str(), |u| u.password_hash.as_str()).to_owned();
    let password_ok = check_password(stored, credentials.password.clone()).await?;
    let user = match user {
        Some(user) if password_ok && user.is_active => user,
        _ => return Ok(Checked::Failed("bad_credentials", bad_credentials())),
    };
    if user.totp_enabled_at.is_some() {
        match credentials.totp_code.as_deref() {
            None | Some("") => return Ok(Checked::CodeMissing),
            Some(code) if !totp::accept(db.conn(), &user, code).await? => {
                let error = DomainError::unauthenticated("invalid_totp", "the code is wrong, expired or already used");
                return Ok(Checked::Failed("bad_totp", error));
            }
            Some(_) => {}
        }
    }
    Ok(Checked::Passed(user))
}

/// Records a failed login (`auth.login_failed`, with its reason) and hands back its error.
async fn audited_failure(
    db: &Db,
    credentials: &Credentials,
    request: &RequestMeta,
    reason: &'static str,
    error: DomainError,
) -> DomainError {
    let username: String = credentials.username.chars().take(100).collect();
    let metadata = serde_json::json!({ "username": username, "reason": reason });
    let recorded = async {
        let txn = db.begin_write().await?;
        let actor = AuditActor::anonymous(username.trim().to_lowercase());
        let event = AuditEvent::refused("auth.login_failed", reason).metadata(metadata);
        audit::append(&txn, &actor, &request.ended_by(&error), event).await?;
        txn.commit().await?;
        Ok::<_, DomainError>(())
    };
    match recorded.await {
        Ok(()) => error,
        Err(failure) => failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_dummy_hash_is_a_valid_argon2id_hash() -> Result<(), DomainError> {
        assert!(DUMMY_HASH.starts_with("$argon2id$"));
        assert!(!check_password(DUMMY_HASH.clone(), "anything".to_owned()).await?);
        Ok(())
    }
}
