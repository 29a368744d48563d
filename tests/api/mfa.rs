//! TOTP as its owner and an attacker meet it (issue 18, point 5): a code is good once, the
//! second factor changes only with the current password, a role that requires it cannot turn it
//! off, and every code check counts against the login throttle.

use chrono::{DateTime, Duration, Utc};
use futures_util::future::join_all;
use opsdeck_domain::{auth::totp::code_at, enums::Role};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, problem};

/// A user with a session and TOTP on; returns (password, access token, secret, the code that
/// turned it on).
async fn with_mfa(app: &TestApp, username: &str, role: Role) -> TestResult<(String, String, String, String)> {
    let password = app.user(username, role, None).await?;
    let token = app.login(username, &password).await?;
    let enrolled = app.post_as(&token, "/api/v1/auth/mfa/enroll", &json!({"password": password})).await?;
    assert_eq!(enrolled.status(), StatusCode::OK);
    let secret = enrolled.json::<Value>().await?["secret"].as_str().ok_or("no secret")?.to_owned();
    let code = code_at(&secret, username, Utc::now())?;
    let confirmed = app.post_as(&token, "/api/v1/auth/mfa/confirm", &json!({"code": code})).await?;
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);
    Ok((password, token, secret, code))
}

/// The code of the next time step: valid now (one step of clock skew), and newer than any yet.
fn next_code(secret: &str, username: &str) -> TestResult<(String, DateTime<Utc>)> {
    let at = Utc::now() + Duration::seconds(30);
    Ok((code_at(secret, username, at)?, at))
}

async fn login_with_code(app: &TestApp, username: &str, password: &str, code: &str) -> TestResult<reqwest::Response> {
    app.post_json("/api/v1/auth/login", &json!({"username": username, "password": password, "totp_code": code})).await
}

async fn disable(app: &TestApp, token: &str, password: &str, code: &str) -> TestResult<reqwest::Response> {
    app.post_as(token, "/api/v1/auth/mfa/disable", &json!({"password": password, "code": code})).await
}

async fn mfa_is_on(app: &TestApp) -> TestResult<bool> {
    Ok(app.count("SELECT COUNT(*) FROM users WHERE totp_enabled_at IS NOT NULL AND totp_secret IS NOT NULL").await?
        == 1)
}

#[tokio::test]
async fn a_totp_code_is_accepted_once() -> TestResult {
    let app = TestApp::spawn().await?;
    let (password, _, secret, confirmation) = with_mfa(&app, "olivia", Role::Ops).await?;

    // The code that turned MFA on, seen over a shoulder, does not sign in.
    let replayed = login_with_code(&app, "olivia", &password, &confirmation).await?;
    assert_eq!(problem(replayed).await?, (StatusCode::UNAUTHORIZED, "invalid_totp"));

    let (fresh, at) = next_code(&secret, "olivia")?;
    assert_eq!(login_with_code(&app, "olivia", &password, &fresh).await?.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT totp_last_step FROM users").await?, at.timestamp() / 30);
    let again = login_with_code(&app, "olivia", &password, &fresh).await?;
    assert_eq!(problem(again).await?, (StatusCode::UNAUTHORIZED, "invalid_totp"));
    let recorded = "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed' AND metadata LIKE '%bad_totp%'";
    assert_eq!(app.count(recorded).await?, 2);
    Ok(())
}

#[tokio::test]
async fn of_parallel_logins_with_one_code_only_one_signs_in() -> TestResult {
    let app = TestApp::spawn().await?;
    let (password, _, secret, _) = with_mfa(&app, "olivia", Role::Ops).await?;
    let (fresh, _) = next_code(&secret, "olivia")?;

    let logins = join_all((0..4).map(|_| login_with_code(&app, "olivia", &password, &fresh))).await;
    let statuses = logins.into_iter().map(|login| login.map(|r| r.status())).collect::<TestResult<Vec<_>>>()?;
    assert_eq!(statuses.iter().filter(|status| **status == StatusCode::OK).count(), 1, "{statuses:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login'").await?, 2);
    Ok(())
}

#[tokio::test]
async fn enrolling_an_authenticator_needs_the_current_password() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let token = app.login("olivia", &password).await?;

    let wrong = app.post_as(&token, "/api/v1/auth/mfa/enroll", &json!({"password": "not-my-password"})).await?;
    assert_eq!(problem(wrong).await?, (StatusCode::UNPROCESSABLE_ENTITY, "wrong_password"));
    let none = app.post_as(&token, "/api/v1/auth/mfa/enroll", &json!({})).await?;
    assert_eq!(none.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE totp_secret IS NOT NULL").await?, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.mfa_enroll'").await?, 0);

    let enrolled = app.post_as(&token, "/api/v1/auth/mfa/enroll", &json!({"password": password})).await?;
    assert_eq!(enrolled.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE totp_secret IS NOT NULL").await?, 1);
    Ok(())
}

#[tokio::test]
async fn turning_mfa_off_needs_the_current_password_and_a_fresh_code() -> TestResult {
    let app = TestApp::spawn().await?;
    let (password, token, secret, confirmation) = with_mfa(&app, "olivia", Role::Ops).await?;

    let (fresh, _) = next_code(&secret, "olivia")?;
    let wrong_password = disable(&app, &token, "not-my-password", &fresh).await?;
    assert_eq!(problem(wrong_password).await?, (StatusCode::UNPROCESSABLE_ENTITY, "wrong_password"));
    assert!(mfa_is_on(&app).await?);
    let replayed = disable(&app, &token, &password, &confirmation).await?;
    assert_eq!(problem(replayed).await?, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    assert!(mfa_is_on(&app).await?);

    assert_eq!(disable(&app, &token, &password, &fresh).await?.status(), StatusCode::NO_CONTENT);
    assert!(!mfa_is_on(&app).await?);
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE totp_last_step IS NOT NULL").await?, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.mfa_disable'").await?, 1);
    Ok(())
}

#[tokio::test]
async fn a_user_whose_role_requires_mfa_cannot_turn_it_off() -> TestResult {
    let app = TestApp::spawn_with(&[("OPSDECK_MFA_REQUIRED_ROLES", "ops")]).await?;
    let (password, token, secret, _) = with_mfa(&app, "olivia", Role::Ops).await?;
    let (fresh, _) = next_code(&secret, "olivia")?;

    let refused = disable(&app, &token, &password, &fresh).await?;
    assert_eq!(problem(refused).await?, (StatusCode::CONFLICT, "mfa_required_by_role"));
    assert!(mfa_is_on(&app).await?);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.mfa_disable'").await?, 0);
    Ok(())
}

#[tokio::test]
async fn every_totp_check_counts_against_the_login_throttle() -> TestResult {
    let app = TestApp::spawn_with(&[("OPSDECK_LOGIN_MAX_FAILURES", "3")]).await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let token = app.login("olivia", &password).await?;
    let enrolled: Value =
        app.post_as(&token, "/api/v1/auth/mfa/enroll", &json!({"password": password})).await?.json().await?;
    let secret = enrolled["secret"].as_str().ok_or("no secret")?;

    // One wrong code at each place a code is checked.
    let confirm = app.post_as(&token, "/api/v1/auth/mfa/confirm", &json!({"code": "000000"})).await?;
    assert_eq!(confirm.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let code = code_at(secret, "olivia", Utc::now())?;
    let confirmed = app.post_as(&token, "/api/v1/auth/mfa/confirm", &json!({"code": code})).await?;
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);
    let login = login_with_code(&app, "olivia", &password, "000000").await?;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
    let wrong = disable(&app, &token, &password, "000000").await?;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Three failures: even the right password with a fresh code waits now.
    let (fresh, _) = next_code(secret, "olivia")?;
    let locked = disable(&app, &token, &password, &fresh).await?;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login_with_code(&app, "olivia", &password, &fresh).await?.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(mfa_is_on(&app).await?);
    Ok(())
}
