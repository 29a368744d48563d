//! Who may call what: the permission matrix over every documented operation, and tenant
//! isolation over every list and detail endpoint.

use std::collections::BTreeMap;

use opsdeck_domain::{
    access::{Permission, permissions_of},
    enums::Role,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult};

struct Operation {
    method: Method,
    path: String,
    id: String,
    permission: String,
}

fn operations() -> TestResult<Vec<Operation>> {
    let document = serde_json::to_value(opsdeck_api::openapi::document())?;
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().ok_or("no paths")? {
        for (method, operation) in item.as_object().ok_or("bad item")? {
            operations.push(Operation {
                method: Method::from_bytes(method.to_uppercase().as_bytes())?,
                path: path.clone(),
                id: operation["operationId"].as_str().unwrap_or_default().to_owned(),
                permission: operation["x-permission"].as_str().unwrap_or_default().to_owned(),
            });
        }
    }
    Ok(operations)
}

fn expected_allowed(permission: &str, role: Option<Role>) -> TestResult<bool> {
    Ok(match (permission, role) {
        ("public", _) => true,
        (_, None) => false,
        ("authenticated", Some(_)) => true,
        (name, Some(role)) => {
            let permission = Permission::from_name(name).ok_or_else(|| format!("unknown permission {name:?}"))?;
            permissions_of(role).contains(&permission)
        }
    })
}

/// The status, and whether the answer was an authorization refusal (401/403 for want of
/// credentials or permission, as opposed to e.g. a missing refresh cookie).
async fn call(app: &TestApp, operation: &Operation, token: Option<&str>) -> TestResult<(StatusCode, bool)> {
    // Path parameters get an id that exists nowhere: authorization must answer first anyway.
    let path = operation.path.replace("{id}", "999999").replace("{binding_id}", "999999");
    let mut request = app.client.request(operation.method.clone(), app.url(&path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if [Method::POST, Method::PATCH, Method::PUT].contains(&operation.method) {
        request = request.json(&json!({}));
    }
    let response = request.send().await?;
    let status = response.status();
    // An event stream never ends: its status and headers are the answer.
    let streaming =
        response.headers().get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if streaming {
        return Ok((status, false));
    }
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let refused =
        ["authentication_required", "invalid_token", "forbidden"].contains(&body["code"].as_str().unwrap_or(""));
    Ok((status, refused && (status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN)))
}

#[tokio::test]
async fn the_permission_matrix_holds_for_every_operation_and_role() -> TestResult {
    let app = TestApp::spawn().await?;
    let tenants = app.seed().await?;
    let own = tenants.first().map(|(_, slug)| slug.clone()).ok_or("no tenant")?;
    let mut callers: Vec<(&str, Option<Role>, Option<String>)> = vec![("anonymous", None, None)];
    for (name, role, tenant) in [
        ("superadmin", Role::Superadmin, None),
        ("ops", Role::Ops, None),
        ("support", Role::Support, None),
        ("partner_admin", Role::PartnerAdmin, Some(own.as_str())),
        ("partner_viewer", Role::PartnerViewer, Some(own.as_str())),
    ] {
        callers.push((name, Some(role), Some(app.signed_in(name, role, tenant).await?)));
    }

    let mut table = BTreeMap::new();
    let mut wrong = Vec::new();
    for operation in operations()? {
        // Signing out would end the caller's session for the rest of the walk; it is public anyway.
        if operation.id == "delete_session" {
            continue;
        }
        let mut row = Vec::new();
        for (name, role, token) in &callers {
            let (status, denied) = call(&app, &operation, token.as_deref()).await?;
            let allowed = expected_allowed(&operation.permission, *role)?;
            if allowed == denied || status.is_server_error() {
                wrong.push(format!("{} {} as {name}: {status}", operation.method, operation.path));
            }
            row.push(if allowed { "yes" } else { "-" });
        }
        table.insert(format!("{:<24} {:<6} {}", operation.permission, operation.method, operation.path), row);
    }

    let header: Vec<&str> = callers.iter().map(|(name, _, _)| *name).collect();
    eprintln!("permission / operation | {}", header.join(" | "));
    for (operation, row) in &table {
        eprintln!("{operation} | {}", row.join(" | "));
    }
    assert!(wrong.is_empty(), "unexpected outcomes:\n{}", wrong.join("\n"));
    Ok(())
}

/// Every collection and item a partner can reach, with the table its rows come from.
const TENANT_RESOURCES: &[(&str, &str)] = &[
    ("/api/v1/shops", "shops"),
    ("/api/v1/products", "products"),
    ("/api/v1/orders", "orders"),
    ("/api/v1/customers", "customers"),
    ("/api/v1/articles", "articles"),
    ("/api/v1/comments", "comments"),
    ("/api/v1/export-jobs", "export_jobs"),
    ("/api/v1/bulk-jobs", "bulk_jobs"),
];

#[tokio::test]
async fn a_partner_never_sees_another_tenants_rows() -> TestResult {
    let app = TestApp::spawn().await?;
    let tenants = app.seed().await?;
    let [(own_id, own_slug), (foreign_id, _)] = &tenants[..2] else { return Err("two tenants expected".into()) };
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some(own_slug)).await?;
    let staff = app.signed_in("olga", Role::Ops, None).await?;

    // Every documented collection a partner may list is covered here.
    for operation in operations()? {
        let is_collection = operation.method == Method::GET && !operation.path.contains('{');
        let tenant_owned = TENANT_RESOURCES.iter().any(|(path, _)| *path == operation.path);
        if is_collection && operation.path.starts_with("/api/v1/") && !tenant_owned {
            // tests/api/audit.rs checks the audit log's isolation (its list, entries and export).
            // tests/api/bulk.rs checks that the event stream carries only the caller's tenant.
            // tests/api/kpis.rs checks the dashboard's widgets and the KPI series per tenant.
            let elsewhere = [
                "/api/v1/audit-logs",
                "/api/v1/audit-logs/export",
                "/api/v1/events",
                "/api/v1/dashboard",
                "/api/v1/kpis/daily",
            ];
            // Staff-only collections: partners lack the permission (the matrix test proves it).
            let staff_only = ["/api/v1/tenants", "/api/v1/users", "/api/v1/webhook-events"];
            assert!(
                ["/api/v1/me", "/api/v1/tokens"].contains(&operation.path.as_str())
                    || staff_only.contains(&operation.path.as_str())
                    || elsewhere.contains(&operation.path.as_str()),
                "{} is not covered by the cross-tenant test",
                operation.path
            );
        }
    }

    for (path, table) in TENANT_RESOURCES {
        let page: Value = app.get_as(&partner, &format!("{path}?limit=500")).await?.json().await?;
        let items = page["items"].as_array().ok_or_else(|| format!("{path}: {page}"))?;
        assert!(!items.is_empty(), "{path}: the seed gives every tenant rows");
        assert!(items.iter().all(|item| item["tenant_id"] == json!(own_id)), "{path} leaked a foreign row");

        let asked_foreign = app.get_as(&partner, &format!("{path}?tenant_id={foreign_id}")).await?;
        assert_eq!(asked_foreign.status(), StatusCode::NOT_FOUND, "{path}?tenant_id=foreign");

        let foreign_row = app.count(&format!("SELECT MIN(id) FROM {table} WHERE tenant_id = {foreign_id}")).await?;
        let detail = app.get_as(&partner, &format!("{path}/{foreign_row}")).await?;
        assert_eq!(detail.status(), StatusCode::NOT_FOUND, "{path}/{{foreign id}} must not exist for the partner");
        assert_eq!(app.get_as(&staff, &format!("{path}/{foreign_row}")).await?.status(), StatusCode::OK);

        let narrowed: Value =
            app.get_as(&staff, &format!("{path}?tenant_id={foreign_id}&limit=500")).await?.json().await?;
        let items = narrowed["items"].as_array().ok_or("no items")?;
        assert!(items.iter().all(|item| item["tenant_id"] == json!(foreign_id)), "{path}: staff narrowing");
    }

    // Tenant administration is staff-only: partners are refused outright.
    assert_eq!(app.get_as(&partner, "/api/v1/tenants").await?.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get_as(&partner, &format!("/api/v1/tenants/{foreign_id}")).await?.status(), StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn keyset_pages_walk_a_collection_without_gaps_or_repeats() -> TestResult {
    let app = TestApp::spawn().await?;
    app.seed().await?;
    let staff = app.signed_in("olga", Role::Ops, None).await?;
    let total = app.count("SELECT COUNT(*) FROM orders").await?;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/v1/orders?limit=97&cursor={cursor}"),
            None => "/api/v1/orders?limit=97".to_owned(),
        };
        let page: Value = app.get_as(&staff, &path).await?.json().await?;
        seen.extend(page["items"].as_array().ok_or("no items")?.iter().filter_map(|o| o["id"].as_i64()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, total);
    assert!(seen.windows(2).all(|pair| pair[0] > pair[1]), "strictly newest first, no repeats");

    let bad = app.get_as(&staff, "/api/v1/orders?cursor=not-a-cursor").await?;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let too_big = app.get_as(&staff, "/api/v1/orders?limit=501").await?;
    assert_eq!(too_big.status(), StatusCode::UNPROCESSABLE_ENTITY);
    Ok(())
}
