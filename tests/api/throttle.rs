//! Login throttling as an attacker meets it (issue 18, points 3 and 4): parallel guesses
//! check at most the limit, refused attempts do not extend a lockout, one address's typos
//! lock out no one else, and the client address is the one no trusted proxy vouches for.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use opsdeck_domain::enums::Role;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::helpers::{TestApp, TestResult};

const LOGIN: &str = "/api/v1/auth/login";

async fn login_status(app: &TestApp, username: &str, password: &str) -> TestResult<StatusCode> {
    Ok(app.post_json(LOGIN, &json!({"username": username, "password": password})).await?.status())
}

/// A login that came through the trusted proxy at 127.0.0.1 with this `X-Forwarded-For`.
async fn login_via(app: &TestApp, forwarded_for: &str, username: &str, password: &str) -> TestResult<StatusCode> {
    let response = app
        .client
        .post(app.url(LOGIN))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await?;
    Ok(response.status())
}

/// The throttle's counter for a key: attempts counted, and when its window started.
async fn counter(app: &TestApp, kind: &str, key: &str) -> TestResult<Option<(i64, DateTime<Utc>)>> {
    let row = app
        .db
        .conn()
        .query_one_raw(Statement::from_sql_and_values(
            app.db.backend(),
            match app.db.backend() {
                sea_orm::DatabaseBackend::Postgres => {
                    "SELECT CAST(attempts AS BIGINT) AS attempts, window_start FROM attempt_counters \
                     WHERE key_kind = $1 AND key = $2"
                }
                _ => "SELECT attempts, window_start FROM attempt_counters WHERE key_kind = ? AND key = ?",
            },
            [kind.into(), key.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => Some((row.try_get("", "attempts")?, row.try_get("", "window_start")?)),
        None => None,
    })
}

async fn failed_logins(app: &TestApp, reason: &str) -> TestResult<i64> {
    app.count(&format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed' AND metadata LIKE '%\"{reason}\"%'"
    ))
    .await
}

#[tokio::test]
async fn forty_parallel_wrong_passwords_check_at_most_the_limit() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let limit = i64::from(app.settings.auth.login_max_failures);

    let guesses = (0..40).map(|_| login_status(&app, "olivia", "wrong-guess"));
    let statuses = join_all(guesses).await.into_iter().collect::<TestResult<Vec<_>>>()?;

    let checked = statuses.iter().filter(|status| **status == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|status| **status == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked as i64, refused as i64), (limit, 40 - limit), "passwords checked, refused: {statuses:?}");
    // What the throttle recorded: exactly the failures it let through to argon2.
    assert_eq!(counter(&app, "account", "olivia").await?.map(|(attempts, _)| attempts), Some(limit));
    assert_eq!(failed_logins(&app, "bad_credentials").await?, limit);
    assert_eq!(failed_logins(&app, "throttled").await?, 40 - limit);
    assert_eq!(login_status(&app, "olivia", &password).await?, StatusCode::TOO_MANY_REQUESTS);
    Ok(())
}

#[tokio::test]
async fn a_refused_attempt_does_not_extend_the_lockout() -> TestResult {
    let app = TestApp::spawn_with(&[("OPSDECK_LOGIN_MAX_FAILURES", "3"), ("OPSDECK_LOGIN_WINDOW_SECS", "2")]).await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let started = Instant::now();
    for _ in 0..3 {
        assert_eq!(login_status(&app, "olivia", "wrong").await?, StatusCode::UNAUTHORIZED);
    }
    let locked = counter(&app, "account", "olivia").await?;
    assert_eq!(locked.map(|(attempts, _)| attempts), Some(3));

    // An attacker keeps knocking while the window lasts: each knock is refused and moves nothing.
    while started.elapsed() < Duration::from_millis(1500) {
        assert_eq!(login_status(&app, "olivia", "wrong").await?, StatusCode::TOO_MANY_REQUESTS);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(counter(&app, "account", "olivia").await?, locked);

    // The window ends two seconds after it began, knocks or not.
    tokio::time::sleep(Duration::from_millis(2600).saturating_sub(started.elapsed())).await;
    assert_eq!(login_status(&app, "olivia", &password).await?, StatusCode::OK);
    assert_eq!(counter(&app, "account", "olivia").await?, None, "a successful login forgives the account's failures");
    Ok(())
}

#[tokio::test]
async fn a_few_wrong_passwords_from_one_address_lock_out_no_one_else() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let victim_password = app.user("victor", Role::Ops, None).await?;
    for _ in 0..5 {
        assert_eq!(login_status(&app, "victor", "wrong").await?, StatusCode::UNAUTHORIZED);
    }
    for name in ["alice", "bob", "carol"] {
        assert_eq!(login_status(&app, name, "wrong").await?, StatusCode::UNAUTHORIZED);
    }

    // Eight failures from this address: the account they targeted is locked, the office is not.
    assert_eq!(login_status(&app, "victor", &victim_password).await?, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login_status(&app, "olivia", &password).await?, StatusCode::OK);
    assert_eq!(counter(&app, "ip", "127.0.0.1").await?.map(|(attempts, _)| attempts), Some(8));
    Ok(())
}

#[tokio::test]
async fn the_per_address_limit_counts_failures_for_every_account() -> TestResult {
    let app = TestApp::spawn_with(&[("OPSDECK_LOGIN_MAX_FAILURES_PER_IP", "4")]).await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    for name in ["alice", "bob", "carol", "dave"] {
        assert_eq!(login_status(&app, name, "wrong").await?, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login_status(&app, "olivia", &password).await?, StatusCode::TOO_MANY_REQUESTS);
    let account = counter(&app, "account", "olivia").await?;
    assert_eq!(account.map_or(0, |(attempts, _)| attempts), 0, "a refused attempt counts against nothing");
    Ok(())
}

#[tokio::test]
async fn a_correct_password_is_never_counted_as_a_failure() -> TestResult {
    let app =
        TestApp::spawn_with(&[("OPSDECK_LOGIN_MAX_FAILURES", "3"), ("OPSDECK_LOGIN_MAX_FAILURES_PER_IP", "3")]).await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    for _ in 0..2 {
        assert_eq!(login_status(&app, "alice", "wrong").await?, StatusCode::UNAUTHORIZED);
    }
    // Each right password was reserved as an attempt like any other, and handed back.
    for _ in 0..5 {
        assert_eq!(login_status(&app, "olivia", &password).await?, StatusCode::OK);
    }
    assert_eq!(counter(&app, "ip", "127.0.0.1").await?.map(|(attempts, _)| attempts), Some(2));
    assert_eq!(counter(&app, "account", "olivia").await?, None);
    Ok(())
}

#[tokio::test]
async fn the_client_is_the_first_address_from_the_right_that_no_trusted_proxy_is() -> TestResult {
    let app =
        TestApp::spawn_with(&[("OPSDECK_TRUSTED_PROXIES", "127.0.0.1"), ("OPSDECK_LOGIN_MAX_FAILURES_PER_IP", "3")])
            .await?;
    let password = app.user("olivia", Role::Ops, None).await?;

    // The client wrote 203.0.113.66 itself; the proxy appended the address it saw.
    let status = login_via(&app, "203.0.113.66, 198.51.100.7", "alice", "wrong").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let recorded = "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed' AND ip = ";
    assert_eq!(app.count(&format!("{recorded} '198.51.100.7'")).await?, 1);
    assert_eq!(app.count(&format!("{recorded} '203.0.113.66'")).await?, 0);

    // Forging a new address for every guess does not get around the address's limit.
    for (forged, name) in [("203.0.113.67", "bob"), ("203.0.113.68", "carol")] {
        let status = login_via(&app, &format!("{forged}, 198.51.100.7"), name, "wrong").await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let status = login_via(&app, "192.0.2.200, 198.51.100.7", "olivia", &password).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login_via(&app, "198.51.100.8", "olivia", &password).await?, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn trusted_proxies_may_be_given_as_networks() -> TestResult {
    let app = TestApp::spawn_with(&[("OPSDECK_TRUSTED_PROXIES", "127.0.0.0/8, 10.0.0.0/8")]).await?;
    let status = login_via(&app, "203.0.113.66, 198.51.100.7, 10.1.2.3", "alice", "wrong").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let recorded = "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed' AND ip = '198.51.100.7'";
    assert_eq!(app.count(recorded).await?, 1);
    Ok(())
}

#[tokio::test]
async fn ipv6_clients_are_throttled_per_64() -> TestResult {
    let app =
        TestApp::spawn_with(&[("OPSDECK_TRUSTED_PROXIES", "127.0.0.1"), ("OPSDECK_LOGIN_MAX_FAILURES_PER_IP", "3")])
            .await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    for (address, name) in [("2001:db8:1:2::a", "alice"), ("2001:db8:1:2::b", "bob"), ("2001:db8:1:2:ffff::c", "carol")]
    {
        assert_eq!(login_via(&app, address, name, "wrong").await?, StatusCode::UNAUTHORIZED);
    }

    // Any address of that /64 is the same client; the next /64 is another one.
    assert_eq!(login_via(&app, "2001:db8:1:2::d", "olivia", &password).await?, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login_via(&app, "2001:db8:1:3::1", "olivia", &password).await?, StatusCode::OK);
    assert_eq!(counter(&app, "ip", "2001:db8:1:2::/64").await?.map(|(attempts, _)| attempts), Some(3));
    // The audit log keeps the full address.
    let recorded = "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed' AND ip = '2001:db8:1:2::a'";
    assert_eq!(app.count(recorded).await?, 1);
    Ok(())
}
