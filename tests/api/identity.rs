//! Staff sign-in as people and integrators experience it: login, sessions, tokens, MFA,
//! throttling, and every way a credential can be wrong.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use opsdeck_domain::{auth::totp::code_at, enums::Role};
use reqwest::{StatusCode, header};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{SIGNING_KEY, TestApp, TestResult, problem};

#[tokio::test]
async fn a_user_logs_in_and_sees_who_they_are() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;

    let response = app.post_json("/api/v1/auth/login", &json!({"username": "olivia", "password": password})).await?;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(cookie.starts_with("opsdeck_refresh="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(cookie.contains(attribute), "{attribute} missing in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP in tests: Secure only when configured");
    let body: Value = response.json().await?;
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_u64().is_some_and(|s| s <= 900));
    let token = body["access_token"].as_str().ok_or("no token")?;

    let me: Value = app.get_as(token, "/api/v1/me").await?.json().await?;
    assert_eq!(me["kind"], "user");
    assert_eq!(me["name"], "olivia");
    assert_eq!(me["roles"], json!([{"role": "ops", "tenant_id": null}]));
    assert_eq!(me["tenant_id"], Value::Null);
    let permissions: Vec<&str> =
        me["permissions"].as_array().ok_or("no permissions")?.iter().filter_map(Value::as_str).collect();
    assert!(permissions.contains(&"exports:retry"));
    assert!(!permissions.contains(&"users:write"), "ops do not manage users");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login'").await?, 1);
    Ok(())
}

#[tokio::test]
async fn a_partner_sees_the_name_of_their_tenant_staff_none() -> TestResult {
    let app = TestApp::spawn().await?;
    let root = app.signed_in("root", Role::Superadmin, None).await?;
    let created = app.post_as(&root, "/api/v1/tenants", &json!({"slug": "alpha", "name": "Alpha Trading"})).await?;
    assert_eq!(created.status(), StatusCode::CREATED);
    let partner = app.signed_in("pat", Role::PartnerViewer, Some("alpha")).await?;

    let me: Value = app.get_as(&partner, "/api/v1/me").await?.json().await?;
    assert_eq!((me["tenant_id"].is_i64(), &me["tenant_name"]), (true, &json!("Alpha Trading")));
    let staff: Value = app.get_as(&root, "/api/v1/me").await?.json().await?;
    assert_eq!((&staff["tenant_id"], &staff["tenant_name"]), (&Value::Null, &Value::Null));
    Ok(())
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_answer() -> TestResult {
    let app = TestApp::spawn().await?;
    app.user("olivia", Role::Ops, None).await?;

    let wrong_password =
        app.post_json("/api/v1/auth/login", &json!({"username": "olivia", "password": "nope"})).await?;
    let unknown_user = app.post_json("/api/v1/auth/login", &json!({"username": "nobody", "password": "nope"})).await?;
    let first: Value = wrong_password.json().await?;
    let second: Value = unknown_user.json().await?;
    assert_eq!(first["status"], 401);
    assert_eq!((&first["code"], &first["detail"]), (&second["code"], &second["detail"]));
    let refused = "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed' \
                   AND status = 401 AND outcome = 'refused' AND reason = 'bad_credentials'";
    assert_eq!(app.count(refused).await?, 2);
    Ok(())
}

#[tokio::test]
async fn malformed_login_bodies_are_refused_and_change_nothing() -> TestResult {
    let app = TestApp::spawn().await?;
    let not_json = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{username")
        .send()
        .await?;
    assert_eq!(problem(not_json).await?, (StatusCode::BAD_REQUEST, "malformed_json"));

    let wrong_type = app.client.post(app.url("/api/v1/auth/login")).body("username=a&password=b").send().await?;
    assert_eq!(problem(wrong_type).await?, (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));

    // Checked against the documented schema: the problem names the missing field.
    let missing_field = app.post_json("/api/v1/auth/login", &json!({"username": "a"})).await?;
    assert_eq!(problem(missing_field).await?, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await?, 0);
    Ok(())
}

fn forged(claims: Value, kid: &str, key: &str) -> TestResult<String> {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.to_owned());
    header.typ = Some("at+jwt".to_owned());
    Ok(encode(&header, &claims, &EncodingKey::from_secret(key.as_bytes()))?)
}

#[tokio::test]
async fn every_bad_access_token_is_a_401_problem() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    app.login("olivia", &password).await?;
    let user_id = app.count("SELECT id FROM users WHERE username = 'olivia'").await?;
    let sid = app.string("SELECT family_id FROM refresh_sessions").await?;
    let now = chrono::Utc::now().timestamp();
    let claims = |iat: i64, exp: i64| json!({"sub": user_id.to_string(), "iss": "opsdeck", "aud": "opsdeck-api", "sid": sid, "iat": iat, "exp": exp});
    let valid_claims = claims(now, now + 600);

    let expired = forged(claims(now - 2000, now - 1000), "k1", SIGNING_KEY)?;
    let bad_signature = forged(valid_claims.clone(), "k1", "another-key-another-key-another-key-!!")?;
    let unknown_kid = forged(valid_claims.clone(), "k9", SIGNING_KEY)?;
    let unsigned = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.",
            b64.encode(r#"{"alg":"none","typ":"at+jwt","kid":"k1"}"#),
            b64.encode(valid_claims.to_string())
        )
    };
    let sanity = forged(valid_claims.clone(), "k1", SIGNING_KEY)?;
    assert_eq!(app.get_as(&sanity, "/api/v1/me").await?.status(), StatusCode::OK, "the forging itself is right");

    for (case, token) in
        [("expired", expired), ("bad signature", bad_signature), ("unknown kid", unknown_kid), ("alg none", unsigned)]
    {
        let response = app.get_as(&token, "/api/v1/me").await?;
        assert_eq!(problem(response).await?, (StatusCode::UNAUTHORIZED, "invalid_token"), "{case}");
    }
    let anonymous = app.get("/api/v1/me").await?;
    assert_eq!(problem(anonymous).await?, (StatusCode::UNAUTHORIZED, "authentication_required"));
    Ok(())
}

#[tokio::test]
async fn deactivating_a_user_stops_their_tokens_at_once() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.signed_in("root", Role::Superadmin, None).await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let olivia = app.login("olivia", &password).await?;
    let olivia_id = app.count("SELECT id FROM users WHERE username = 'olivia'").await?;
    let integrator = app.token_secret(&olivia, &password, json!({"name": "ci", "roles": ["ops"]})).await?;
    assert_eq!(app.get_as(&integrator, "/api/v1/me").await?.status(), StatusCode::OK);

    let patched = app
        .client
        .patch(app.url(&format!("/api/v1/users/{olivia_id}")))
        .bearer_auth(&admin)
        .json(&json!({"is_active": false}))
        .send()
        .await?;
    assert_eq!(patched.status(), StatusCode::OK);

    assert_eq!(problem(app.get_as(&olivia, "/api/v1/me").await?).await?.status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem(app.get_as(&integrator, "/api/v1/me").await?).await?.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await?, 2, "deactivated, never deleted");
    Ok(())
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_ends_the_whole_session() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let login = app.post_json("/api/v1/auth/login", &json!({"username": "olivia", "password": password})).await?;
    let first_cookie =
        login.cookies().find(|c| c.name() == "opsdeck_refresh").map(|c| c.value().to_owned()).ok_or("no cookie")?;

    // app.client keeps cookies: this refresh rotates to a second token.
    let refreshed = app.client.post(app.url("/api/v1/auth/refresh")).send().await?;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let second_cookie =
        refreshed.cookies().find(|c| c.name() == "opsdeck_refresh").map(|c| c.value().to_owned()).ok_or("no cookie")?;
    assert_ne!(first_cookie, second_cookie);

    // Someone replays the first (spent) token: refused, and the family is revoked.
    let replay = reqwest::Client::new()
        .post(app.url("/api/v1/auth/refresh"))
        .header(header::COOKIE, format!("opsdeck_refresh={first_cookie}"))
        .send()
        .await?;
    assert_eq!(problem(replay).await?, (StatusCode::UNAUTHORIZED, "invalid_refresh_token"));
    let legitimate = app.client.post(app.url("/api/v1/auth/refresh")).send().await?;
    assert_eq!(legitimate.status(), StatusCode::UNAUTHORIZED, "the newest token of the family died too");
    let detected = "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.refresh_reuse_detected' \
                    AND status = 401 AND outcome = 'refused' AND reason = 'refresh_token_reused'";
    assert_eq!(app.count(detected).await?, 1);
    Ok(())
}

#[tokio::test]
async fn logout_ends_the_session() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    app.post_json("/api/v1/auth/login", &json!({"username": "olivia", "password": password})).await?;

    let logout = app.client.post(app.url("/api/v1/auth/logout")).send().await?;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let refresh = app.client.post(app.url("/api/v1/auth/refresh")).send().await?;
    assert_eq!(refresh.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM refresh_sessions WHERE revoked_at IS NULL").await?, 0);
    Ok(())
}

#[tokio::test]
async fn repeated_failures_throttle_even_the_right_password() -> TestResult {
    let app = TestApp::spawn_with(&[("OPSDECK_LOGIN_MAX_FAILURES", "3")]).await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    for _ in 0..3 {
        let failed = app.post_json("/api/v1/auth/login", &json!({"username": "olivia", "password": "wrong"})).await?;
        assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    }

    let throttled = app.post_json("/api/v1/auth/login", &json!({"username": "olivia", "password": password})).await?;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = throttled
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or("no Retry-After")?;
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(problem(throttled).await?.code, "too_many_requests");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed'").await?, 4);
    let throttled = "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed' \
                     AND status = 429 AND outcome = 'refused' AND reason = 'throttled'";
    assert_eq!(app.count(throttled).await?, 1);
    Ok(())
}

#[tokio::test]
async fn totp_enrolment_then_login_needs_the_code() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let token = app.login("olivia", &password).await?;

    let enrollment: Value =
        app.post_as(&token, "/api/v1/auth/mfa/enroll", &json!({"password": password})).await?.json().await?;
    let secret = enrollment["secret"].as_str().ok_or("no secret")?.to_owned();
    assert!(enrollment["otpauth_uri"].as_str().is_some_and(|uri| uri.starts_with("otpauth://totp/opsdeck:olivia")));
    let wrong = app.post_as(&token, "/api/v1/auth/mfa/confirm", &json!({"code": "000000"})).await?;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let confirmed = app
        .post_as(&token, "/api/v1/auth/mfa/confirm", &json!({"code": code_at(&secret, "olivia", Utc::now())?}))
        .await?;
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);

    let without_code =
        app.post_json("/api/v1/auth/login", &json!({"username": "olivia", "password": password})).await?;
    assert_eq!(problem(without_code).await?, (StatusCode::UNAUTHORIZED, "mfa_required"));
    let with_code = app
        .post_json(
            "/api/v1/auth/login",
            // The next step's code: the one that confirmed enrolment has been used.
            &json!({
                "username": "olivia",
                "password": password,
                "totp_code": code_at(&secret, "olivia", Utc::now() + Duration::seconds(30))?,
            }),
        )
        .await?;
    assert_eq!(with_code.status(), StatusCode::OK);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE totp_secret IS NOT NULL AND totp_enabled_at IS NOT NULL").await?,
        1
    );
    Ok(())
}

#[tokio::test]
async fn a_role_that_requires_mfa_can_only_enrol_until_it_does() -> TestResult {
    let app = TestApp::spawn_with(&[("OPSDECK_MFA_REQUIRED_ROLES", "ops")]).await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let token = app.login("olivia", &password).await?;

    let me: Value = app.get_as(&token, "/api/v1/me").await?.json().await?;
    assert_eq!(me["mfa_enrollment_required"], true);
    let refused = app.get_as(&token, "/api/v1/products").await?;
    assert_eq!(problem(refused).await?, (StatusCode::FORBIDDEN, "mfa_enrollment_required"));

    let enrollment: Value =
        app.post_as(&token, "/api/v1/auth/mfa/enroll", &json!({"password": password})).await?.json().await?;
    let secret = enrollment["secret"].as_str().ok_or("no secret")?;
    app.post_as(&token, "/api/v1/auth/mfa/confirm", &json!({"code": code_at(secret, "olivia", Utc::now())?})).await?;
    assert_eq!(app.get_as(&token, "/api/v1/products").await?.status(), StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn integrator_tokens_are_shown_once_and_never_exceed_their_creator() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("sam", Role::Support, None).await?;
    let support = app.login("sam", &password).await?;

    let beyond = app.create_token(&support, &password, json!({"name": "ci", "roles": ["ops"]})).await?;
    assert_eq!(problem(beyond).await?, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    let unknown_role = app.create_token(&support, &password, json!({"name": "ci", "roles": ["root"]})).await?;
    assert_eq!(problem(unknown_role).await?, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await?, 0);

    let created = app.create_token(&support, &password, json!({"name": "reporting", "roles": ["support"]})).await?;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await?;
    let secret = created["secret"].as_str().ok_or("no secret")?.to_owned();
    assert!(secret.starts_with("odk_") && secret.len() > 40);
    let stored = app.count(&format!("SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{secret}'")).await?;
    assert_eq!(stored, 0, "only a hash is stored");

    let me: Value = app.get_as(&secret, "/api/v1/me").await?.json().await?;
    assert_eq!(me["kind"], "token");
    let listed: Value = app.get_as(&support, "/api/v1/tokens").await?.json().await?;
    assert!(!listed.to_string().contains(&secret), "the secret is never listed");
    assert!(listed["items"][0]["last_used_at"].is_string());
    let refused = app.create_token(&secret, &password, json!({"name": "child", "roles": ["support"]})).await?;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "a token cannot mint tokens");

    let id = created["token"]["id"].as_i64().ok_or("no id")?;
    let revoked = app.client.delete(app.url(&format!("/api/v1/tokens/{id}"))).bearer_auth(&support).send().await?;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(problem(app.get_as(&secret, "/api/v1/me").await?).await?, (StatusCode::UNAUTHORIZED, "invalid_token"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('api_token.create', 'api_token.revoke')").await?,
        2
    );
    Ok(())
}

#[tokio::test]
async fn an_expired_token_is_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let ops = app.login("olivia", &password).await?;
    let secret =
        &app.token_secret(&ops, &password, json!({"name": "old", "roles": ["ops"], "expires_in_days": 1})).await?;
    app.db.conn().execute_unprepared("UPDATE api_tokens SET expires_at = created_at").await?;

    assert_eq!(problem(app.get_as(secret, "/api/v1/me").await?).await?.status, StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn role_bindings_are_validated_and_bad_input_changes_nothing() -> TestResult {
    let app = TestApp::spawn().await?;
    let tenants = app.seed().await?;
    let admin = app.signed_in("root", Role::Superadmin, None).await?;
    let created: Value = app
        .post_as(
            &admin,
            "/api/v1/users",
            &json!({"username": "pat", "password": "a long enough passphrase", "role": "support"}),
        )
        .await?
        .json()
        .await?;
    let pat = created["id"].as_i64().ok_or("no id")?;
    let roles_path = format!("/api/v1/users/{pat}/roles");
    let bindings_before = app.count("SELECT COUNT(*) FROM role_bindings").await?;

    let no_tenant = app.post_as(&admin, &roles_path, &json!({"role": "partner_admin"})).await?;
    assert_eq!(problem(no_tenant).await?.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = app.post_as(&admin, &roles_path, &json!({"role": "root"})).await?;
    assert_eq!(problem(unknown).await?.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (tenant_id, _) = tenants.first().ok_or("no tenant")?;
    let mixed = app.post_as(&admin, &roles_path, &json!({"role": "partner_admin", "tenant_id": tenant_id})).await?;
    assert_eq!(problem(mixed).await?, (StatusCode::CONFLICT, "mixed_scope"));
    let duplicate = app.post_as(&admin, &roles_path, &json!({"role": "support"})).await?;
    assert_eq!(problem(duplicate).await?.status, StatusCode::CONFLICT);
    assert_eq!(app.count("SELECT COUNT(*) FROM role_bindings").await?, bindings_before);

    let granted = app.post_as(&admin, &roles_path, &json!({"role": "ops"})).await?;
    assert_eq!(granted.status(), StatusCode::CREATED);
    Ok(())
}
