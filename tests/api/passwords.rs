//! Passwords people can trust: new ones are judged for strength (zxcvbn) and against the owner's
//! names and the product's name, and a user changes their own with the current one, which ends
//! their other sessions.

use opsdeck_domain::enums::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, problem};

const STRONG: &str = "velvet-harbor-quiet-lantern";

/// The 422's code and its one field error, as `(code, field, message)`.
async fn refusal(response: reqwest::Response) -> TestResult<(String, String, String)> {
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await?;
    let errors = body["errors"].as_array().ok_or_else(|| format!("no field errors: {body}"))?;
    assert_eq!(errors.len(), 1, "{body}");
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    Ok((text(&body["code"]), text(&errors[0]["field"]), text(&errors[0]["message"])))
}

fn validation_failed(field: &str, message: &str) -> (String, String, String) {
    ("validation_failed".to_owned(), field.to_owned(), message.to_owned())
}

async fn login_status(app: &TestApp, username: &str, password: &str) -> TestResult<StatusCode> {
    let response = app.post_json("/api/v1/auth/login", &json!({"username": username, "password": password})).await?;
    Ok(response.status())
}

async fn change_password(app: &TestApp, bearer: &str, current: &str, new: &str) -> TestResult<reqwest::Response> {
    app.post_as(bearer, "/api/v1/me/password", &json!({"current_password": current, "new_password": new})).await
}

async fn stored_hash(app: &TestApp, username: &str) -> TestResult<String> {
    app.string(&format!("SELECT password_hash FROM users WHERE username = '{username}'")).await
}

#[tokio::test]
async fn an_administrator_creating_a_user_with_a_weak_password_is_told_why_and_nothing_is_created() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.signed_in("root", Role::Superadmin, None).await?;
    let users_before = app.count("SELECT COUNT(*) FROM users").await?;
    let create = |username: &str, display_name: Option<&str>, password: &str| json!({"username": username, "display_name": display_name, "password": password, "role": "support"});

    let common = app.post_as(&admin, "/api/v1/users", &create("nina", None, "password1234")).await?;
    assert_eq!(
        refusal(common).await?,
        validation_failed(
            "password",
            "is too easy to guess: This is a very common password. Add another word or two. Uncommon words are better."
        )
    );
    let sequence = app.post_as(&admin, "/api/v1/users", &create("nina", None, "123456789012")).await?;
    let (_, _, message) = refusal(sequence).await?;
    assert!(message.starts_with("is too easy to guess: Sequences like abc or 6543 are easy to guess."), "{message}");
    // Strong for a stranger, but the new user's own display name makes it guessable.
    let own_name =
        app.post_as(&admin, "/api/v1/users", &create("omarsh", Some("Olivia Marsh"), "Olivia Marsh 2024")).await?;
    let (_, field, message) = refusal(own_name).await?;
    assert_eq!(field, "password");
    assert!(message.starts_with("is too easy to guess"), "{message}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await?, users_before, "nothing was created");

    let strong = app.post_as(&admin, "/api/v1/users", &create("nina", None, STRONG)).await?;
    assert_eq!(strong.status(), StatusCode::CREATED);
    assert_eq!(login_status(&app, "nina", STRONG).await?, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn a_password_containing_the_username_or_the_product_name_is_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.signed_in("root", Role::Superadmin, None).await?;
    let users_before = app.count("SELECT COUNT(*) FROM users").await?;

    for (password, reason) in [
        ("velvet-NINA-harbor-lantern", "is too easy to guess: it contains your username. Leave it out."),
        ("velvet-OpsDeck-harbor-lantern", "is too easy to guess: it contains the product's name. Leave it out."),
    ] {
        let response = app
            .post_as(&admin, "/api/v1/users", &json!({"username": "nina", "password": password, "role": "support"}))
            .await?;
        assert_eq!(refusal(response).await?, validation_failed("password", reason), "{password}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await?, users_before, "nothing was created");
    Ok(())
}

#[tokio::test]
async fn a_wrong_current_password_changes_nothing() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let token = app.login("olivia", &password).await?;
    let hash_before = stored_hash(&app, "olivia").await?;

    let wrong = change_password(&app, &token, "not-my-password", STRONG).await?;
    assert_eq!(
        refusal(wrong).await?,
        ("wrong_password".to_owned(), "current_password".to_owned(), "the current password is wrong".to_owned())
    );

    assert_eq!(stored_hash(&app, "olivia").await?, hash_before);
    assert_eq!(login_status(&app, "olivia", &password).await?, StatusCode::OK);
    assert_eq!(login_status(&app, "olivia", STRONG).await?, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.password_change'").await?, 0);
    Ok(())
}

#[tokio::test]
async fn a_weak_new_password_is_refused_with_the_reason_and_changes_nothing() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let token = app.login("olivia", &password).await?;
    let hash_before = stored_hash(&app, "olivia").await?;

    for (new, reason) in [
        (
            "password1234",
            "is too easy to guess: This is a very common password. Add another word or two. Uncommon words are better.",
        ),
        ("olivia-velvet-harbor", "is too easy to guess: it contains your username. Leave it out."),
        // The declared input rules come first.
        ("short", "must be at least 12 characters long"),
        (password.as_str(), "is the same as the current password"),
    ] {
        let refused = change_password(&app, &token, &password, new).await?;
        assert_eq!(refusal(refused).await?, validation_failed("new_password", reason), "{new}");
    }

    assert_eq!(stored_hash(&app, "olivia").await?, hash_before);
    assert_eq!(login_status(&app, "olivia", &password).await?, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn a_changed_password_signs_out_the_other_sessions_and_keeps_this_one() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let (laptop, laptop_access) = app.browser_login("olivia", &password).await?;
    let (phone, phone_access) = app.browser_login("olivia", &password).await?;

    let changed = change_password(&app, &laptop_access, &password, STRONG).await?;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);

    assert_eq!(login_status(&app, "olivia", &password).await?, StatusCode::UNAUTHORIZED, "the old password is over");
    assert_eq!(login_status(&app, "olivia", STRONG).await?, StatusCode::OK, "the new one signs in");

    let phone_refresh = phone.post(app.url("/api/v1/auth/refresh")).send().await?;
    assert_eq!(problem(phone_refresh).await?, (StatusCode::UNAUTHORIZED, "invalid_refresh_token"));
    let phone_me = app.get_as(&phone_access, "/api/v1/me").await?;
    assert_eq!(problem(phone_me).await?, (StatusCode::UNAUTHORIZED, "invalid_token"));

    assert_eq!(app.get_as(&laptop_access, "/api/v1/me").await?.status(), StatusCode::OK, "this session stays");
    assert_eq!(laptop.post(app.url("/api/v1/auth/refresh")).send().await?.status(), StatusCode::OK);

    let user_id = app.count("SELECT id FROM users WHERE username = 'olivia'").await?;
    let audited = format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.password_change' AND target_type = 'user' \
         AND target_id = '{user_id}' AND actor_label = 'olivia'"
    );
    assert_eq!(app.count(&audited).await?, 1);
    Ok(())
}

#[tokio::test]
async fn an_integrator_token_cannot_change_its_creators_password() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let token = app.login("olivia", &password).await?;
    let integrator = app.token_secret(&token, &password, json!({"name": "ci", "roles": ["ops"]})).await?;
    let hash_before = stored_hash(&app, "olivia").await?;

    let refused = change_password(&app, &integrator, &password, STRONG).await?;
    assert_eq!(problem(refused).await?, (StatusCode::FORBIDDEN, "user_only"));

    assert_eq!(stored_hash(&app, "olivia").await?, hash_before);
    assert_eq!(login_status(&app, "olivia", &password).await?, StatusCode::OK);
    Ok(())
}
