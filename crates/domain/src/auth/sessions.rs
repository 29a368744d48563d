//! Refresh sessions: rotating refresh tokens grouped in families. Each refresh spends the
//! presented token and issues its successor; presenting a spent token again means it was
//! stolen or replayed, so the whole family is revoked. A family is a session: its id is the
//! access tokens' `sid`, so they die with it, and it ends `session_lifetime` after its login
//! however often it is refreshed.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Set,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    Db, DomainError,
    audit::{self, AuditActor, AuditEvent, RequestMeta, chain::storable_time},
    auth::{
        authenticate::Account,
        jwt::KeyRing,
        secrets::{random_id, random_secret, sha256_hex},
    },
    config::AuthSettings,
    entities::{refresh_sessions, users},
};

/// What a successful login or refresh hands out.
pub struct Session {
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

pub(crate) struct Client<'a> {
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// Starts a new family (a login) or continues one (a refresh). A partner of a suspended tenant
/// gets neither; the caller's transaction is then dropped, so nothing it did is kept.
pub(crate) async fn open(
    txn: &DatabaseTransaction,
    keys: &KeyRing,
    settings: &AuthSettings,
    user_id: i64,
    family_id: Option<String>,
    client: &Client<'_>,
) -> Result<Session, DomainError> {
    Account::load(txn, user_id, None).await?.refuse_if_suspended()?;
    let now = storable_time(Utc::now());
    let refresh_token = random_secret();
    let refresh_expires_at = now + settings.refresh_token_ttl;
    let family_id = family_id.unwrap_or_else(random_id);
    refresh_sessions::ActiveModel {
        user_id: Set(user_id),
        family_id: Set(family_id.clone()),
        token_hash: Set(sha256_hex(&refresh_token)),
        expires_at: Set(refresh_expires_at),
        rotated_at: Set(None),
        revoked_at: Set(None),
        ip: Set(client.ip.map(|ip| ip.chars().take(64).collect())),
        user_agent: Set(client.user_agent.map(|ua| ua.chars().take(512).collect())),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(Session {
        access_token: keys.issue(user_id, &family_id)?,
        expires_in: keys.ttl().as_secs(),
        refresh_token,
        refresh_expires_at,
    })
}

fn invalid_refresh() -> DomainError {
    DomainError::unauthenticated("invalid_refresh_token", "the session has ended; log in again")
}

async fn revoke_family(conn: &impl ConnectionTrait, family_id: &str, now: DateTime<Utc>) -> Result<(), DomainError> {
    refresh_sessions::Entity::update_many()
        .col_expr(refresh_sessions::Column::RevokedAt, Expr::value(now))
        .filter(refresh_sessions::Column::FamilyId.eq(family_id))
        .filter(refresh_sessions::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Spends `presented` and returns the next session of its family.
pub async fn refresh(
    db: &Db,
    keys: &KeyRing,
    settings: &AuthSettings,
    presented: &str,
    request: &RequestMeta,
    user_agent: Option<&str>,
) -> Result<Session, DomainError> {
    let now = storable_time(Utc::now());
    let txn = db.begin_write().await?;
    let session = refresh_sessions::Entity::find()
        .filter(refresh_sessions::Column::TokenHash.eq(sha256_hex(presented)))
        .one(&txn)
        .await?
        .ok_or_else(invalid_refresh)?;
    let user = users::Entity::find_by_id(session.user_id).one(&txn).await?.ok_or_else(invalid_refresh)?;
    // Spend the token only if nobody spent it first: the conditional update is the claim.
    let spent = refresh_sessions::Entity::update_many()
        .col_expr(refresh_sessions::Column::RotatedAt, Expr::value(now))
        .filter(refresh_sessions::Column::Id.eq(session.id))
        .filter(refresh_sessions::Column::RotatedAt.is_null())
        .filter(refresh_sessions::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !spent && session.rotated_at.is_none() && session.revoked_at.is_some() {
        // Ended by logout, deactivation or an earlier reuse: simply over.
        return Err(invalid_refresh());
    }
    if !spent {
        // Spent before (or concurrently): the token was copied. End the whole family.
        revoke_family(&txn, &session.family_id, now).await?;
        let error = invalid_refresh();
        audit::append(
            &txn,
            &AuditActor::user(user.id, &user.username),
            &request.ended_by(&error),
            AuditEvent::refused("auth.refresh_reuse_detected", "refresh_token_reused")
                .target("user", user.id)
                .metadata(serde_json::json!({"family": session.family_id})),
        )
        .await?;
        txn.commit().await?;
        return Err(error);
    }
    if session.expires_at <= now
        || !user.is_active
        || session_started(&txn, &session.family_id).await? <= now - settings.session_lifetime
    {
        return Err(invalid_refresh());
    }
    let client = Client { ip: request.ip.as_deref(), user_agent };
    let next = open(&txn, keys, settings, user.id, Some(session.family_id), &client).await?;
    audit::append(
        &txn,
        &AuditActor::user(user.id, &user.username),
        request,
        AuditEvent::succeeded("auth.refresh").target("user", user.id),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

/// When the family's login was: its first refresh token's creation.
async fn session_started(conn: &impl ConnectionTrait, family_id: &str) -> Result<DateTime<Utc>, DomainError> {
    refresh_sessions::Entity::find()
        .select_only()
        .expr(Expr::col(refresh_sessions::Column::CreatedAt).min())
        .filter(refresh_sessions::Column::FamilyId.eq(family_id))
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(conn)
        .await?
        .flatten()
        .ok_or_else(invalid_refresh)
}

/// Ends the session the token belongs to (its whole family). Unknown tokens change nothing.
pub async fn logout(db: &Db, presented: &str, request: &RequestMeta) -> Result<(), DomainError> {
    let now = storable_time(Utc::now());
    let txn = db.begin_write().await?;
    let Some(session) = refresh_sessions::Entity::find()
        .filter(refresh_sessions::Column::TokenHash.eq(sha256_hex(presented)))
        .one(&txn)
        .await?
    else {
        return Ok(());
    };
    revoke_family(&txn, &session.family_id, now).await?;
    if let Some(user) = users::Entity::find_by_id(session.user_id).one(&txn).await? {
        audit::append(
            &txn,
            &AuditActor::user(user.id, &user.username),
            request,
            AuditEvent::succeeded("auth.logout").target("user", user.id),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Deactivation ends every session of the user.
pub(crate) async fn revoke_all_of_user(conn: &impl ConnectionTrait, user_id: i64) -> Result<(), DomainError> {
    refresh_sessions::Entity::update_many()
        .col_expr(refresh_sessions::Column::RevokedAt, Expr::value(storable_time(Utc::now())))
        .filter(refresh_sessions::Column::UserId.eq(user_id))
        .filter(refresh_sessions::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// A password change ends every other session of the user: whoever knew the old password and
/// signed in with it is signed out.
pub(crate) async fn revoke_others_of_user(
    conn: &impl ConnectionTrait,
    user_id: i64,
    kept_session_id: Option<&str>,
) -> Result<(), DomainError> {
    let mut others = refresh_sessions::Entity::update_many()
        .col_expr(refresh_sessions::Column::RevokedAt, Expr::value(storable_time(Utc::now())))
        .filter(refresh_sessions::Column::UserId.eq(user_id))
        .filter(refresh_sessions::Column::RevokedAt.is_null());
    if let Some(kept) = kept_session_id {
        others = others.filter(refresh_sessions::Column::FamilyId.ne(kept));
    }
    others.exec(conn).await?;
    Ok(())
}
