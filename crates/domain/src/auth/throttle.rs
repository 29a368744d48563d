//! Throttling of password and TOTP checks, per account and per client address, in the database
//! so every API instance sees the same counts.
//!
//! An attempt is reserved before anything is checked: one statement per key reads the key's
//! counter and bumps it, and refuses (changing nothing) once the window holds the limit. So any
//! number of parallel guesses check at most the limit, and a refused attempt never extends a
//! lockout. A check that succeeds hands its reservation back ([`Reservation::release`]); a
//! failed one keeps it, so the count is the failures in the window. The window is fixed: it
//! starts with the first attempt and, once over, the next attempt starts a new one.

use std::{net::IpAddr, time::Duration};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};

use crate::{
    DomainError,
    config::AuthSettings,
    entities::{attempt_counters, enums::AttemptKind},
};

/// What an attempt is counted against: the account it names, and the client's address (an
/// IPv6 client by its /64, the smallest network a client is commonly given).
pub struct Keys {
    account: String,
    ip: Option<String>,
}

impl Keys {
    pub fn new(username: &str, ip: Option<&str>) -> Self {
        let account = username.trim().to_lowercase().chars().take(255).collect();
        Self { account, ip: ip.map(address_key) }
    }

    fn limited(&self, settings: &AuthSettings) -> Vec<(AttemptKind, &str, u32)> {
        let mut keys = vec![(AttemptKind::Account, self.account.as_str(), settings.login_max_failures)];
        if let Some(ip) = &self.ip {
            keys.push((AttemptKind::Ip, ip.as_str(), settings.login_max_failures_per_ip));
        }
        keys
    }
}

/// The throttling key of a client address: an IPv4 address (also when written IPv4-mapped), or
/// the /64 network of an IPv6 one.
fn address_key(ip: &str) -> String {
    match ip.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V6(v6)) => {
            let network = u128::from(v6) & !(u128::MAX >> 64);
            format!("{}/64", std::net::Ipv6Addr::from(network))
        }
        Ok(v4) => v4.to_string(),
        Err(_) => ip.chars().take(255).collect(),
    }
}

/// An attempt counted against each key (and the window it was counted in).
#[must_use = "a reservation is a failure unless released"]
pub struct Reservation {
    held: Vec<(AttemptKind, String, DateTime<Utc>)>,
}

/// Counts an attempt against every key, or none: `Err(TooManyRequests)` when a key's window is
/// full, with the time until it ends.
pub async fn reserve(
    conn: &impl ConnectionTrait,
    settings: &AuthSettings,
    keys: &Keys,
    now: DateTime<Utc>,
) -> Result<Reservation, DomainError> {
    let mut reservation = Reservation { held: Vec::new() };
    for (kind, key, limit) in keys.limited(settings) {
        match reserve_one(conn, settings, kind, key, limit, now).await {
            Ok(window_start) => reservation.held.push((kind, key.to_owned(), window_start)),
            Err(refused) => {
                reservation.release(conn).await?;
                return Err(refused);
            }
        }
    }
    Ok(reservation)
}

async fn reserve_one(
    conn: &impl ConnectionTrait,
    settings: &AuthSettings,
    kind: AttemptKind,
    key: &str,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, DomainError> {
    use attempt_counters::Column as C;
    let window_ended = Expr::col((attempt_counters::Entity, C::WindowStart)).lte(now - settings.login_window);
    let attempts = Expr::col((attempt_counters::Entity, C::Attempts));
    let window_start = Expr::col((attempt_counters::Entity, C::WindowStart));
    let upsert = Query::insert()
        .into_table(attempt_counters::Entity)
        .columns([C::KeyKind, C::Key, C::WindowStart, C::Attempts])
        .values([Expr::value(kind), key.into(), now.into(), 1.into()])
        .map_err(|e| DomainError::Internal(e.to_string()))?
        .on_conflict(
            OnConflict::columns([C::KeyKind, C::Key])
                .value(C::Attempts, Expr::case(window_ended.clone(), 1).finally(attempts.clone().add(1)))
                .value(C::WindowStart, Expr::case(window_ended.clone(), now).finally(window_start))
                // A full window is left as it is: no row comes back, and nothing moves.
                .action_and_where(window_ended.or(attempts.lt(limit)))
                .to_owned(),
        )
        .returning_col(C::WindowStart)
        .to_owned();
    if let Some(row) = conn.query_one(&upsert).await? {
        return Ok(row.try_get("", "window_start")?);
    }
    let window_start: Option<DateTime<Utc>> = attempt_counters::Entity::find()
        .select_only()
        .column(C::WindowStart)
        .filter(C::KeyKind.eq(kind))
        .filter(C::Key.eq(key))
        .into_tuple()
        .one(conn)
        .await?;
    let ends = window_start.unwrap_or(now) + settings.login_window;
    let wait = (ends - now).to_std().unwrap_or_default();
    Err(DomainError::TooManyRequests { retry_after: wait.max(Duration::from_secs(1)) })
}

impl Reservation {
    /// The check passed: the attempt was no failure. Counters whose window has since been reset
    /// are left alone (the reservation went with it).
    pub async fn release(self, conn: &impl ConnectionTrait) -> Result<(), DomainError> {
        use attempt_counters::Column as C;
        for (kind, key, window_start) in self.held {
            attempt_counters::Entity::update_many()
                .col_expr(C::Attempts, Expr::col(C::Attempts).sub(1))
                .filter(C::KeyKind.eq(kind))
                .filter(C::Key.eq(key))
                .filter(C::WindowStart.eq(window_start))
                .filter(C::Attempts.gt(0))
                .exec(conn)
                .await?;
        }
        Ok(())
    }

    /// The user proved who they are (password, and code where one is due): their account's
    /// earlier failures are forgiven; the address's count only gets this attempt back.
    pub async fn succeed(self, conn: &impl ConnectionTrait, keys: &Keys) -> Result<(), DomainError> {
        use attempt_counters::Column as C;
        attempt_counters::Entity::delete_many()
            .filter(C::KeyKind.eq(AttemptKind::Account))
            .filter(C::Key.eq(keys.account.as_str()))
            .exec(conn)
            .await?;
        let held = self.held.into_iter().filter(|(kind, ..)| *kind != AttemptKind::Account).collect();
        Reservation { held }.release(conn).await
    }

    /// The check failed: the attempt stays counted. Counters of ended windows are removed on
    /// the way, which keeps the table small.
    pub async fn fail(
        self,
        conn: &impl ConnectionTrait,
        settings: &AuthSettings,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        attempt_counters::Entity::delete_many()
            .filter(attempt_counters::Column::WindowStart.lte(now - settings.login_window))
            .exec(conn)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_per_64_and_ipv4_per_address() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_eq!(address_key("203.0.113.9"), "203.0.113.9");
        assert_eq!(address_key("::ffff:203.0.113.9"), "203.0.113.9");
    }
}
