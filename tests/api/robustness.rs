//! Bad input gets a clear 4xx problem and changes nothing; the document states every refusal.
//! One test per defect the schemathesis run (scripts/schemathesis.sh) found, plus the limits
//! that protect the service.

use opsdeck_domain::enums::Role;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, problem};

/// The problem expected of a refusal: its status, `code` and the fields its `errors` name.
fn refused<'a>(status: StatusCode, code: &'a str, fields: &'a [&'a str]) -> (StatusCode, &'a str, &'a [&'a str]) {
    (status, code, fields)
}

async fn staff(app: &TestApp) -> TestResult<String> {
    app.signed_in("root", Role::Superadmin, None).await
}

/// Found: a query value that does not parse answered 400 `invalid_query`, undocumented and
/// without naming the parameter. Now 422, naming it, as the document says.
#[tokio::test]
async fn a_bad_query_value_is_a_documented_422_that_names_the_parameter() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = staff(&app).await?;
    for (query, field) in [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("tenant_id=601184088564292504256512", "tenant_id"),
        ("status=nonsense", "status"),
        ("created_from=yesterday", "created_from"),
        ("cursor=%00", "cursor"),
    ] {
        let response = app.get_as(&token, &format!("/api/v1/orders?{query}")).await?;
        assert_eq!(problem(response).await?, refused(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", &[field]));
    }
    let long = format!("/api/v1/audit-logs?actor_label={}", "x".repeat(256));
    let response = app.get_as(&token, &long).await?;
    assert_eq!(
        problem(response).await?,
        refused(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", &["actor_label"])
    );
    // PostgreSQL refuses NUL in text: it never reaches the database.
    let response = app.get_as(&token, "/api/v1/audit-logs?target_type=a%00b").await?;
    assert_eq!(
        problem(response).await?,
        refused(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", &["target_type"])
    );
    Ok(())
}

/// Found: `POST /export-jobs` with a tenant id that does not exist (staff may name any)
/// failed on the foreign key: 500. Now 404, and no job is created.
#[tokio::test]
async fn an_export_for_a_tenant_that_does_not_exist_is_a_404() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = staff(&app).await?;
    for tenant_id in [0, 999_999, -5] {
        let body = json!({"dataset": "orders", "tenant_id": tenant_id});
        let response = app.post_as(&token, "/api/v1/export-jobs", &body).await?;
        assert_eq!(problem(response).await?, refused(StatusCode::NOT_FOUND, "not_found", &[]));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM export_jobs").await?, 0);
    Ok(())
}

/// Found: serde reads a JSON array as a struct (fields in order), so `PATCH /tenants/{id}`
/// with `[null, null]` answered 200. Bodies are now checked against their schema first.
#[tokio::test]
async fn an_array_where_an_object_belongs_is_refused_and_changes_nothing() -> TestResult {
    let app = TestApp::spawn().await?;
    let tenants = app.seed().await?;
    let (tenant_id, _) = tenants.first().cloned().ok_or("no tenant")?;
    let token = staff(&app).await?;
    let before = app.get_as(&token, &format!("/api/v1/tenants/{tenant_id}")).await?.text().await?;
    let exports_before = app.count("SELECT COUNT(*) FROM export_jobs").await?;

    let response = app
        .client
        .patch(app.url(&format!("/api/v1/tenants/{tenant_id}")))
        .bearer_auth(&token)
        .json(&json!(["renamed", "suspended"]))
        .send()
        .await?;
    assert_eq!(problem(response).await?, refused(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", &["body"]));
    let nested = json!({"dataset": "orders", "filters": ["paid", null, null]});
    let response = app.post_as(&token, "/api/v1/export-jobs", &nested).await?;
    assert_eq!(problem(response).await?, refused(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", &["filters"]));

    let after = app.get_as(&token, &format!("/api/v1/tenants/{tenant_id}")).await?.text().await?;
    assert_eq!(before, after);
    assert_eq!(app.count("SELECT COUNT(*) FROM export_jobs").await?, exports_before);
    Ok(())
}

/// Every documented `maxLength`, `maxItems`, `pattern`, range and format is enforced at the
/// edge (some were checked only in the domain, others only documented), field by field.
#[tokio::test]
async fn documented_limits_are_enforced_and_nothing_is_stored() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = staff(&app).await?;
    let tenants_before = app.count("SELECT COUNT(*) FROM tenants").await?;
    let cases = [
        ("/api/v1/tenants", json!({"slug": "acme", "name": "x".repeat(201)}), vec!["name"]),
        ("/api/v1/tenants", json!({"slug": "Not A Slug", "name": "Acme"}), vec!["slug"]),
        ("/api/v1/tenants", json!({"slug": "acme", "name": "A\u{0}cme"}), vec!["name"]),
        ("/api/v1/tenants", json!({"slug": "acme", "name": "Acme", "extra": 1}), vec!["extra"]),
        (
            "/api/v1/tokens",
            json!({"name": "t", "roles": ["ops"], "expires_in_days": 366, "password": "x"}),
            vec!["expires_in_days"],
        ),
        ("/api/v1/tokens", json!({"name": "", "roles": [], "password": ""}), vec!["name", "password", "roles"]),
        ("/api/v1/export-jobs/retry", json!({"ids": (1..=501).collect::<Vec<i64>>()}), vec!["ids"]),
        ("/api/v1/export-jobs/retry", json!({"ids": [1e30]}), vec!["ids[0]"]),
        // An id past i64 (`format: int64`) was let through to serde: 422 `invalid_body`, no field named.
        ("/api/v1/export-jobs/retry", json!({"ids": [u64::MAX]}), vec!["ids[0]"]),
        ("/api/v1/export-jobs", json!({"dataset": "orders", "filters": {"from": "soon"}}), vec!["filters.from"]),
    ];
    for (path, body, fields) in cases {
        let response = app.post_as(&token, path, &body).await?;
        assert_eq!(
            problem(response).await?,
            refused(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", &fields),
            "{path} {body}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM tenants").await?, tenants_before);
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await?, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM export_jobs").await?, 0);
    Ok(())
}

/// JSON nested deeper than 32 levels, a body that is not JSON, or one sent as another media
/// type: each its own documented refusal.
#[tokio::test]
async fn deep_malformed_and_mistyped_bodies_are_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = staff(&app).await?;
    let send = |body: String, content_type: &'static str| {
        app.client
            .post(app.url("/api/v1/tenants"))
            .bearer_auth(&token)
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
    };
    let deep = format!(r#"{{"slug": "acme", "name": "Acme", "x": {}1{}}}"#, "[".repeat(40), "]".repeat(40));
    assert_eq!(
        problem(send(deep, "application/json").await?).await?,
        refused(StatusCode::BAD_REQUEST, "json_too_deep", &[])
    );
    let very_deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        problem(send(very_deep, "application/json").await?).await?,
        refused(StatusCode::BAD_REQUEST, "malformed_json", &[])
    );
    assert_eq!(
        problem(send("{\"slug\": \"ac".to_owned(), "application/json").await?).await?,
        refused(StatusCode::BAD_REQUEST, "malformed_json", &[])
    );
    assert_eq!(
        problem(send(r#"{"slug": "acme", "name": "Acme"}"#.to_owned(), "text/plain").await?).await?,
        refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", &[])
    );
    let huge = format!(r#"{{"slug": "acme", "name": "{}"}}"#, "x".repeat(2 << 20));
    assert_eq!(
        problem(send(huge, "application/json").await?).await?,
        refused(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", &[])
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM tenants WHERE slug = 'acme'").await?, 0);
    Ok(())
}

/// A refused caller learns nothing about its input: authorization comes before validation.
#[tokio::test]
async fn authorization_still_comes_before_validation() -> TestResult {
    let app = TestApp::spawn().await?;
    let viewer = app.signed_in("sue", Role::Support, None).await?;
    let response = app.post_as(&viewer, "/api/v1/tenants", &json!({"slug": "-", "name": ""})).await?;
    assert_eq!(problem(response).await?, refused(StatusCode::FORBIDDEN, "forbidden", &[]));
    let response = app.get("/api/v1/orders?limit=abc").await?;
    assert_eq!(problem(response).await?, refused(StatusCode::UNAUTHORIZED, "authentication_required", &[]));
    Ok(())
}

/// Found: 400/413/415 from the body extractor, 422 from the query extractor and 404 for a
/// partner's foreign `tenant_id` on catalog lists were answered but not documented.
#[tokio::test]
async fn the_document_lists_the_refusals_the_extractors_give() -> TestResult {
    let document: Value = serde_json::to_value(opsdeck_api::openapi::document())?;
    let paths = document["paths"].as_object().ok_or("no paths")?;
    let mut checked = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().ok_or("no operations")? {
            let responses = operation["responses"].as_object().ok_or("no responses")?;
            let label = format!("{method} {path}");
            if operation.pointer("/requestBody/content/application~1json").is_some()
                && path != "/api/v1/webhooks/{provider}"
            {
                for status in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{label} does not document {status}");
                }
                checked += 1;
            }
            let params = operation["parameters"].as_array().cloned().unwrap_or_default();
            if params.iter().any(|p| p["in"] == "query") {
                assert!(responses.contains_key("422"), "{label} does not document 422");
                checked += 1;
            }
            // Partners read the catalog; their foreign `tenant_id` is answered as not found.
            let catalog = operation["tags"].as_array().is_some_and(|tags| tags.iter().any(|t| t == "catalog"));
            if catalog && params.iter().any(|p| p["in"] == "query" && p["name"] == "tenant_id") {
                assert!(responses.contains_key("404"), "{label} does not document 404");
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} operations take input?");
    Ok(())
}
