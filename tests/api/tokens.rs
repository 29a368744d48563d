//! Integrator tokens as their creators and their victims see them: roles checked by rights,
//! confined to one tenant when bound to it, created only with the current password, and
//! refused whenever their creator would be.

use opsdeck_domain::enums::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, problem};

async fn tenant(app: &TestApp, root: &str, slug: &str) -> TestResult<i64> {
    let created: Value =
        app.post_as(root, "/api/v1/tenants", &json!({"slug": slug, "name": slug})).await?.json().await?;
    created["id"].as_i64().ok_or_else(|| format!("no tenant: {created}").into())
}

fn strings(value: &Value) -> Vec<&str> {
    value.as_array().map(|items| items.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

#[tokio::test]
async fn a_partner_admin_mints_a_read_only_token_for_their_tenant() -> TestResult {
    let app = TestApp::spawn().await?;
    let root = app.signed_in("root", Role::Superadmin, None).await?;
    let alpha = tenant(&app, &root, "alpha").await?;
    let password = app.user("pat", Role::PartnerAdmin, Some("alpha")).await?;
    let pat = app.login("pat", &password).await?;
    let me: Value = app.get_as(&pat, "/api/v1/me").await?.json().await?;
    assert_eq!(strings(&me["delegable_roles"]), ["partner_admin", "partner_viewer"], "what the SPA may offer");

    let created = app.create_token(&pat, &password, json!({"name": "reporting", "roles": ["partner_viewer"]})).await?;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await?;
    assert_eq!(created["token"]["tenant_id"], alpha);
    let secret = created["secret"].as_str().ok_or("no secret")?;

    let me: Value = app.get_as(secret, "/api/v1/me").await?.json().await?;
    assert_eq!(me["roles"], json!([{"role": "partner_viewer", "tenant_id": alpha}]));
    let permissions = strings(&me["permissions"]);
    assert!(permissions.contains(&"catalog:read") && !permissions.contains(&"exports:create"), "{permissions:?}");
    assert_eq!(app.get_as(secret, "/api/v1/products").await?.status(), StatusCode::OK);
    let export = app.post_as(secret, "/api/v1/export-jobs", &json!({"dataset": "orders"})).await?;
    assert_eq!(problem(export).await?, (StatusCode::FORBIDDEN, "forbidden"), "read-only");

    // A viewer cannot mint more than it holds; nor can anyone reach a role by naming it.
    let viewer_password = app.user("vic", Role::PartnerViewer, Some("alpha")).await?;
    let viewer = app.login("vic", &viewer_password).await?;
    let beyond =
        app.create_token(&viewer, &viewer_password, json!({"name": "more", "roles": ["partner_admin"]})).await?;
    assert_eq!(problem(beyond).await?, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    let staff_role = app.create_token(&pat, &password, json!({"name": "more", "roles": ["support"]})).await?;
    assert_eq!(problem(staff_role).await?, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await?, 1);
    Ok(())
}

#[tokio::test]
async fn creating_a_token_needs_the_current_password() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let olivia = app.login("olivia", &password).await?;

    let wrong = app.create_token(&olivia, "not-her-password", json!({"name": "ci", "roles": ["ops"]})).await?;
    assert_eq!(problem(wrong).await?, (StatusCode::UNPROCESSABLE_ENTITY, "wrong_password"));
    let missing = app.post_as(&olivia, "/api/v1/tokens", &json!({"name": "ci", "roles": ["ops"]})).await?;
    assert_eq!(problem(missing).await?, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await?, 0, "nothing was created");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'api_token.create'").await?, 0);

    let right = app.create_token(&olivia, &password, json!({"name": "ci", "roles": ["ops"]})).await?;
    assert_eq!(right.status(), StatusCode::CREATED);
    Ok(())
}

/// The password step-up is a password check like a login: guessing through it counts against
/// the same throttle, so a stolen access token cannot be used to try passwords without limit.
#[tokio::test]
async fn guessing_the_password_through_token_creation_is_throttled_like_a_login() -> TestResult {
    let app = TestApp::spawn_with(&[("OPSDECK_LOGIN_MAX_FAILURES", "2")]).await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let olivia = app.login("olivia", &password).await?;

    for guess in ["guess-one", "guess-two"] {
        let wrong = app.create_token(&olivia, guess, json!({"name": "ci", "roles": ["ops"]})).await?;
        assert_eq!(problem(wrong).await?, (StatusCode::UNPROCESSABLE_ENTITY, "wrong_password"));
    }
    let throttled = app.create_token(&olivia, &password, json!({"name": "ci", "roles": ["ops"]})).await?;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS, "the account's failures are spent");
    let login = app.post_json("/api/v1/auth/login", &json!({"username": "olivia", "password": password})).await?;
    assert_eq!(login.status(), StatusCode::TOO_MANY_REQUESTS, "and they are the login's failures too");
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await?, 0);
    Ok(())
}

#[tokio::test]
async fn a_token_is_refused_like_its_creator_until_a_required_mfa_enrolment() -> TestResult {
    let app = TestApp::spawn_with(&[("OPSDECK_MFA_REQUIRED_ROLES", "ops")]).await?;
    let root = app.signed_in("root", Role::Superadmin, None).await?;
    let password = app.user("sam", Role::Support, None).await?;
    let sam = app.login("sam", &password).await?;
    let token = app.token_secret(&sam, &password, json!({"name": "reporting", "roles": ["support"]})).await?;
    assert_eq!(app.get_as(&token, "/api/v1/products").await?.status(), StatusCode::OK);

    // Sam now holds a role that requires MFA, and has not enrolled.
    let sam_id = app.count("SELECT id FROM users WHERE username = 'sam'").await?;
    let granted = app.post_as(&root, &format!("/api/v1/users/{sam_id}/roles"), &json!({"role": "ops"})).await?;
    assert_eq!(granted.status(), StatusCode::CREATED);
    let refused = app.get_as(&token, "/api/v1/products").await?;
    assert_eq!(problem(refused).await?, (StatusCode::FORBIDDEN, "mfa_enrollment_required"));

    let user = app.get_as(&sam, "/api/v1/products").await?;
    assert_eq!(problem(user).await?, (StatusCode::FORBIDDEN, "mfa_enrollment_required"), "like sam");

    // Without the role that requires MFA, the token works again.
    let granted: Value = granted.json().await?;
    let binding = granted["id"].as_i64().ok_or_else(|| format!("no binding: {granted}"))?;
    let removed = app
        .client
        .delete(app.url(&format!("/api/v1/users/{sam_id}/roles/{binding}")))
        .bearer_auth(&root)
        .send()
        .await?;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get_as(&token, "/api/v1/products").await?.status(), StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn a_tenant_bound_token_never_reaches_outside_its_tenant() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("root", Role::Superadmin, None).await?;
    let root = app.login("root", &password).await?;
    let alpha = tenant(&app, &root, "alpha").await?;
    let beta = tenant(&app, &root, "beta").await?;

    // Administration is platform-wide: no token bound to a tenant may carry it.
    let bound_admin =
        app.create_token(&root, &password, json!({"name": "a", "roles": ["superadmin"], "tenant_id": alpha})).await?;
    assert_eq!(problem(bound_admin).await?, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    let for_beta =
        app.create_token(&root, &password, json!({"name": "b", "roles": ["ops"], "tenant_id": beta})).await?;
    let for_beta: Value = for_beta.json().await?;
    let beta_token_id = for_beta["token"]["id"].as_i64().ok_or("no beta token")?;

    // A superadmin token bound to alpha before this rule existed.
    let created: Value =
        app.create_token(&root, &password, json!({"name": "legacy", "roles": ["superadmin"]})).await?.json().await?;
    let legacy = created["secret"].as_str().ok_or("no secret")?.to_owned();
    let legacy_id = created["token"]["id"].as_i64().ok_or("no id")?;
    let bind = format!("UPDATE api_tokens SET tenant_id = {alpha} WHERE id = {legacy_id}");
    sea_orm::ConnectionTrait::execute_unprepared(app.db.conn(), &bind).await?;

    let me: Value = app.get_as(&legacy, "/api/v1/me").await?.json().await?;
    let permissions = strings(&me["permissions"]);
    assert!(permissions.contains(&"catalog:read"), "{permissions:?}");
    for platform_wide in ["users:read", "users:write", "tenants:write"] {
        assert!(!permissions.contains(&platform_wide), "{platform_wide} in {permissions:?}");
    }
    let new_user = json!({"username": "mallory", "password": "ember-violin-cascade-72", "role": "superadmin"});
    let root_id = app.count("SELECT id FROM users WHERE username = 'root'").await?;
    let attempts = [
        ("create a user", app.post_as(&legacy, "/api/v1/users", &new_user).await?),
        ("list users", app.get_as(&legacy, "/api/v1/users").await?),
        (
            "grant a role",
            app.post_as(&legacy, &format!("/api/v1/users/{root_id}/roles"), &json!({"role": "ops"})).await?,
        ),
        ("rename beta", app.patch_as(&legacy, &format!("/api/v1/tenants/{beta}"), &json!({"name": "Owned"})).await?),
        (
            "suspend beta",
            app.patch_as(&legacy, &format!("/api/v1/tenants/{beta}"), &json!({"status": "suspended"})).await?,
        ),
        ("create a tenant", app.post_as(&legacy, "/api/v1/tenants", &json!({"slug": "gamma", "name": "G"})).await?),
    ];
    for (case, response) in attempts {
        assert_eq!(problem(response).await?, (StatusCode::FORBIDDEN, "forbidden"), "{case}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await?, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM role_bindings").await?, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM tenants WHERE name = 'beta' AND status = 'active'").await?, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM tenants").await?, 2);

    // Its token list and revocations stay inside alpha.
    let listed: Value = app.get_as(&legacy, "/api/v1/tokens").await?.json().await?;
    let tenants: Vec<Value> =
        listed["items"].as_array().ok_or("no items")?.iter().map(|token| token["tenant_id"].clone()).collect();
    assert_eq!(tenants, [json!(alpha)], "{listed}");
    let revoke =
        app.client.delete(app.url(&format!("/api/v1/tokens/{beta_token_id}"))).bearer_auth(&legacy).send().await?;
    assert_eq!(problem(revoke).await?, (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NOT NULL").await?, 0);
    Ok(())
}
