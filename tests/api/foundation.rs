//! The HTTP skeleton as an operator and an integrator meet it: health, readiness, metrics,
//! request ids, documentation, and problem+json for everything that goes wrong.

use reqwest::{StatusCode, header};
use serde_json::Value;

use crate::helpers::{TestApp, TestResult, problem};

#[tokio::test]
async fn liveness_and_readiness_answer_with_a_request_id() -> TestResult {
    let app = TestApp::spawn().await?;

    let live = app.get("/healthz").await?;
    assert_eq!(live.status(), StatusCode::OK);
    let request_id = live.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(request_id.len() >= 32, "request id echoed: {request_id:?}");
    assert_eq!(live.json::<Value>().await?["status"], "ok");

    let ready = app.get("/readyz").await?;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.json::<Value>().await?["status"], "ready");
    Ok(())
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() -> TestResult {
    let app = TestApp::spawn().await?;
    app.lose_the_database().await?;

    let ready = app.get("/readyz").await?;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(problem(ready).await?.code, "database_unavailable");
    Ok(())
}

#[tokio::test]
async fn metrics_count_requests_per_route_template() -> TestResult {
    let app = TestApp::spawn().await?;
    app.get("/healthz").await?;
    app.get("/api/v1/nothing-here/42").await?;

    let metrics = app.get("/metrics").await?.text().await?;
    assert!(
        metrics.contains(r#"opsdeck_http_requests_total{method="GET",route="/healthz",status="200"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"route="unmatched",status="404""#), "{metrics}");
    assert!(metrics.contains("opsdeck_http_request_duration_seconds_bucket"));
    Ok(())
}

#[tokio::test]
async fn unknown_paths_are_404_problems_and_wrong_methods_405() -> TestResult {
    let app = TestApp::spawn().await?;

    let missing = app.get("/api/v1/no-such-collection").await?;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let not_found = problem(missing).await?;
    assert!(not_found.body["request_id"].as_str().is_some_and(|id| !id.is_empty()));
    insta::assert_json_snapshot!("problem_not_found", not_found.body, {".request_id" => "[request id]"});

    let wrong_method = app.client.delete(app.url("/healthz")).send().await?;
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(problem(wrong_method).await?.code, "method_not_allowed");
    Ok(())
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_read() -> TestResult {
    let app = TestApp::spawn_with(&[("OPSDECK_MAX_BODY_BYTES", "2048")]).await?;

    let response = app
        .client
        .post(app.url("/api/v1/anything"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(vec![b' '; 4096])
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(problem(response).await?.code, "payload_too_large");
    Ok(())
}

#[tokio::test]
async fn the_openapi_document_and_swagger_ui_are_served() -> TestResult {
    let app = TestApp::spawn().await?;

    let document: Value = app.get("/api/openapi.json").await?.json().await?;
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["title"], "opsdeck");
    assert!(document["paths"]["/healthz"]["get"].is_object());

    let redirect = app.get("/api/docs").await?;
    assert!(redirect.status().is_redirection());
    assert_eq!(redirect.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/api/docs/"));

    let ui = app.get("/api/docs/").await?;
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(ui.text().await?.contains("swagger-ui"));
    let script = app.get("/api/docs/swagger-initializer.js").await?.text().await?;
    assert!(script.contains("/api/openapi.json"));
    Ok(())
}

/// A bulk target is `ids` or `filter`, never both, so the document must not require `filter`; and the
/// free-form JSON of bulk jobs (params, filters, sample rows) is typed as an open object, which
/// generated clients can fill and read.
#[test]
fn the_bulk_job_schemas_describe_what_clients_send_and_read() -> TestResult {
    let document: Value = serde_json::to_value(opsdeck_api::openapi::document())?;
    let schemas = &document["components"]["schemas"];
    let target = &schemas["BulkTarget"];
    let required = target["required"].as_array().cloned().unwrap_or_default();
    assert!(required.is_empty(), "BulkTarget requires {required:?}");
    for (schema, field) in [
        ("BulkTarget", "filter"),
        ("BulkJobRequest", "params"),
        ("CreateBulkJob", "params"),
        ("BulkPreview", "params"),
        ("BulkJobView", "params"),
        ("BulkJobView", "target"),
        ("SampleRowView", "before"),
        ("SampleRowView", "after"),
    ] {
        let property = &schemas[schema]["properties"][field];
        assert_eq!(property["additionalProperties"], true, "{schema}.{field}: {property}");
    }
    Ok(())
}

/// Operation ids read `verb_resource` (`list_orders`, `create_session`): generated clients and
/// the docs name operations after them, so one convention holds for all.
#[test]
fn operation_ids_are_a_verb_then_a_resource() -> TestResult {
    const VERBS: &[&str] = &[
        "cancel",
        "change",
        "confirm",
        "create",
        "delete",
        "disable",
        "download",
        "enroll",
        "export",
        "get",
        "grant",
        "list",
        "preview",
        "rebuild",
        "receive",
        "refresh",
        "reprocess",
        "retry",
        "revoke",
        "stream",
        "update",
    ];
    let document: Value = serde_json::to_value(opsdeck_api::openapi::document())?;
    let mut wrong = Vec::new();
    for (path, item) in document["paths"].as_object().ok_or("no paths")? {
        for (method, operation) in item.as_object().ok_or("bad path item")? {
            let id = operation["operationId"].as_str().unwrap_or_default();
            let snake = id.split('_').all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase()));
            let verb_then_resource = id.split_once('_').is_some_and(|(verb, _)| VERBS.contains(&verb));
            if !(snake && verb_then_resource) {
                wrong.push(format!("{method} {path}: {id:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "operation ids that are not `verb_resource`: {wrong:#?}");
    Ok(())
}

/// Every operation declares the permission it needs; the permission matrix is built from it.
#[test]
fn every_operation_names_its_permission() -> TestResult {
    let document: Value = serde_json::to_value(opsdeck_api::openapi::document())?;
    let paths = document["paths"].as_object().ok_or("no paths")?;
    for (path, item) in paths {
        for (method, operation) in item.as_object().ok_or("bad path item")? {
            assert!(
                operation["x-permission"].as_str().is_some_and(|p| !p.is_empty()),
                "{method} {path} has no x-permission"
            );
            assert!(operation["operationId"].is_string(), "{method} {path} has no operationId");
        }
    }
    Ok(())
}
