//! Suspending a tenant shuts its partners out — new logins, live sessions, refresh cookies and
//! integrator tokens — until it is reactivated, while staff keep working on its data.

use opsdeck_domain::enums::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, problem};

async fn set_status(app: &TestApp, root: &str, tenant_id: i64, status: &str) -> TestResult {
    let response = app.patch_as(root, &format!("/api/v1/tenants/{tenant_id}"), &json!({"status": status})).await?;
    assert_eq!(response.status(), StatusCode::OK, "{status}");
    Ok(())
}

#[tokio::test]
async fn a_suspended_tenants_partners_are_shut_out_until_it_is_reactivated() -> TestResult {
    let app = TestApp::spawn().await?;
    let root = app.signed_in("root", Role::Superadmin, None).await?;
    let tenant: Value =
        app.post_as(&root, "/api/v1/tenants", &json!({"slug": "alpha", "name": "Alpha"})).await?.json().await?;
    let tenant_id = tenant["id"].as_i64().ok_or("no tenant id")?;
    let password = app.user("pat", Role::PartnerAdmin, Some("alpha")).await?;
    let login_body = json!({"username": "pat", "password": password});
    // Pat's browser: it keeps the refresh cookie.
    let browser = reqwest::Client::builder().cookie_store(true).build()?;
    let login: Value = browser.post(app.url("/api/v1/auth/login")).json(&login_body).send().await?.json().await?;
    let access = login["access_token"].as_str().ok_or("no access token")?.to_owned();
    assert_eq!(app.get_as(&access, "/api/v1/products").await?.status(), StatusCode::OK);

    set_status(&app, &root, tenant_id, "suspended").await?;

    let live = app.get_as(&access, "/api/v1/products").await?;
    assert_eq!(problem(live).await?, (StatusCode::FORBIDDEN, "tenant_suspended"), "live session");
    let refresh = browser.post(app.url("/api/v1/auth/refresh")).send().await?;
    assert_eq!(problem(refresh).await?, (StatusCode::FORBIDDEN, "tenant_suspended"), "refresh");
    let login = app.post_json("/api/v1/auth/login", &login_body).await?;
    assert_eq!(problem(login).await?, (StatusCode::FORBIDDEN, "tenant_suspended"), "login");
    // Staff keep reading the tenant's data and acting on it.
    let products = app.get_as(&root, &format!("/api/v1/products?tenant_id={tenant_id}")).await?;
    assert_eq!(products.status(), StatusCode::OK);
    let export =
        app.post_as(&root, "/api/v1/export-jobs", &json!({"dataset": "orders", "tenant_id": tenant_id})).await?;
    assert_eq!(export.status(), StatusCode::ACCEPTED);

    set_status(&app, &root, tenant_id, "active").await?;

    assert_eq!(app.get_as(&access, "/api/v1/products").await?.status(), StatusCode::OK, "the session lives on");
    let refresh = browser.post(app.url("/api/v1/auth/refresh")).send().await?;
    assert_eq!(refresh.status(), StatusCode::OK, "the refresh cookie was not spent while suspended");
    assert_eq!(app.post_json("/api/v1/auth/login", &login_body).await?.status(), StatusCode::OK);

    // Integrator tokens of the tenant's partners follow the tenant too.
    let token = app.token_secret(&access, &password, json!({"name": "ci", "roles": ["partner_admin"]})).await?;
    assert_eq!(app.get_as(&token, "/api/v1/products").await?.status(), StatusCode::OK);
    set_status(&app, &root, tenant_id, "suspended").await?;
    let refused = app.get_as(&token, "/api/v1/products").await?;
    assert_eq!(problem(refused).await?, (StatusCode::FORBIDDEN, "tenant_suspended"), "token");
    set_status(&app, &root, tenant_id, "active").await?;
    assert_eq!(app.get_as(&token, "/api/v1/products").await?.status(), StatusCode::OK);

    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'tenant.suspend'").await?, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'tenant.reactivate'").await?, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'tenant.update'").await?, 0);
    Ok(())
}
