//! Login throttling per account and per client IP, kept in the database so every API instance
//! sees the same counts. Beyond the limit even a correct password is refused until the
//! oldest failure in the window ages out.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::{
    DomainError,
    config::AuthSettings,
    entities::{auth_failures, enums::AuthFailureKind},
};

pub struct Keys<'a> {
    pub account: String,
    pub ip: Option<&'a str>,
}

impl<'a> Keys<'a> {
    pub fn new(username: &str, ip: Option<&'a str>) -> Self {
        Self { account: username.trim().to_lowercase(), ip }
    }

    fn pairs(&self) -> Vec<(AuthFailureKind, &str)> {
        let mut pairs = vec![(AuthFailureKind::Account, self.account.as_str())];
        if let Some(ip) = self.ip {
            pairs.push((AuthFailureKind::Ip, ip));
        }
        pairs
    }
}

/// `Err(TooManyRequests)` when either key has used up its failures in the window.
pub async fn check(
    conn: &impl ConnectionTrait,
    settings: &AuthSettings,
    keys: &Keys<'_>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let window_start = now - settings.login_window;
    let limit = u64::from(settings.login_max_failures);
    for (kind, key) in keys.pairs() {
        let recent: Vec<DateTime<Utc>> = auth_failures::Entity::find()
            .select_only()
            .column(auth_failures::Column::OccurredAt)
            .filter(auth_failures::Column::KeyKind.eq(kind))
            .filter(auth_failures::Column::Key.eq(key))
            .filter(auth_failures::Column::OccurredAt.gt(window_start))
            .order_by_desc(auth_failures::Column::OccurredAt)
            .limit(limit)
            .into_tuple()
            .all(conn)
            .await?;
        if recent.len() as u64 >= limit {
            // The window frees up when the oldest of the last `limit` failures expires.
            let oldest = recent.last().copied().unwrap_or(now);
            let wait = (oldest + settings.login_window - now).to_std().unwrap_or(Duration::from_secs(1));
            return Err(DomainError::TooManyRequests { retry_after: wait.max(Duration::from_secs(1)) });
        }
    }
    Ok(())
}

pub async fn record_failure(
    conn: &impl ConnectionTrait,
    settings: &AuthSettings,
    keys: &Keys<'_>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    for (kind, key) in keys.pairs() {
        auth_failures::ActiveModel {
            key_kind: Set(kind),
            key: Set(key.chars().take(255).collect()),
            occurred_at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    // Old failures no longer count; keep the table small.
    auth_failures::Entity::delete_many()
        .filter(auth_failures::Column::OccurredAt.lt(now - settings.login_window))
        .exec(conn)
        .await?;
    Ok(())
}

/// A successful login clears the account's failures (not the IP's).
pub async fn clear_account(conn: &impl ConnectionTrait, keys: &Keys<'_>) -> Result<(), DomainError> {
    auth_failures::Entity::delete_many()
        .filter(auth_failures::Column::KeyKind.eq(AuthFailureKind::Account))
        .filter(auth_failures::Column::Key.eq(keys.account.as_str()))
        .exec(conn)
        .await?;
    Ok(())
}
