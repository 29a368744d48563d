//! `Idempotency-Key` on POST: a double click or a client's retry acts once, on any instance.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, problem};
use opsdeck_domain::enums::Role;

async fn post_with_key(
    app: &TestApp,
    token: &str,
    key: &str,
    path: &str,
    body: &Value,
) -> TestResult<reqwest::Response> {
    Ok(app.client.post(app.url(path)).bearer_auth(token).header("idempotency-key", key).json(body).send().await?)
}

#[tokio::test]
async fn a_repeated_request_with_its_key_answers_the_first_outcome_and_acts_once() -> TestResult {
    let app = TestApp::spawn().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let body = json!({"dataset": "orders"});

    let first = post_with_key(&app, &ops, "export-orders-1", "/api/v1/export-jobs", &body).await?;
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let created: Value = first.json().await?;
    let again = post_with_key(&app, &ops, "export-orders-1", "/api/v1/export-jobs", &body).await?;
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await?, created, "the first outcome, byte for byte");
    assert_eq!(app.count("SELECT COUNT(*) FROM export_jobs").await?, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'export_job.create'").await?, 1);

    let other_key = post_with_key(&app, &ops, "export-orders-2", "/api/v1/export-jobs", &body).await?;
    assert_eq!(other_key.status(), StatusCode::ACCEPTED, "a new key is a new request");
    let without_key = app.post_as(&ops, "/api/v1/export-jobs", &body).await?;
    assert_eq!(without_key.status(), StatusCode::ACCEPTED, "no key, no deduplication");
    assert_eq!(app.count("SELECT COUNT(*) FROM export_jobs").await?, 3);
    Ok(())
}

#[tokio::test]
async fn a_key_reused_for_another_request_is_refused_and_changes_nothing() -> TestResult {
    let app = TestApp::spawn().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let first = post_with_key(&app, &ops, "k-1", "/api/v1/export-jobs", &json!({"dataset": "orders"})).await?;
    assert_eq!(first.status(), StatusCode::ACCEPTED);

    let reused = post_with_key(&app, &ops, "k-1", "/api/v1/export-jobs", &json!({"dataset": "customers"})).await?;
    assert_eq!(problem(reused).await?, (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"));
    for bad in ["", "a key with spaces", &"k".repeat(256)] {
        let refused = post_with_key(&app, &ops, bad, "/api/v1/export-jobs", &json!({"dataset": "orders"})).await?;
        assert_eq!(problem(refused).await?, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_idempotency_key"), "{bad:?}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM export_jobs").await?, 1);
    Ok(())
}

/// Keys belong to their caller: two callers using the same key are two requests.
#[tokio::test]
async fn keys_are_per_caller() -> TestResult {
    let app = TestApp::spawn().await?;
    let olga = app.signed_in("olga", Role::Ops, None).await?;
    let otto = app.signed_in("otto", Role::Ops, None).await?;
    let body = json!({"dataset": "orders"});
    let ours = post_with_key(&app, &olga, "shared-key", "/api/v1/export-jobs", &body).await?;
    let theirs = post_with_key(&app, &otto, "shared-key", "/api/v1/export-jobs", &body).await?;
    assert_eq!((ours.status(), theirs.status()), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    assert!(theirs.headers().get("idempotent-replayed").is_none());
    assert_eq!(app.count("SELECT COUNT(*) FROM export_jobs").await?, 2);
    Ok(())
}

/// A double submit arriving at once: one acts, the others get its outcome or are told to wait.
#[tokio::test]
async fn concurrent_duplicates_with_one_key_act_once() -> TestResult {
    let app = TestApp::spawn().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let body = json!({"dataset": "orders"});
    let attempts = (0..8).map(|_| post_with_key(&app, &ops, "double-click", "/api/v1/export-jobs", &body));
    let answers = futures_util::future::join_all(attempts).await;
    let mut statuses = Vec::new();
    for answer in answers {
        let answer = answer?;
        let replayed = answer.headers().get("idempotent-replayed").is_some();
        statuses.push((answer.status(), replayed));
    }
    let acted = statuses.iter().filter(|(status, replayed)| *status == StatusCode::ACCEPTED && !replayed).count();
    assert_eq!(acted, 1, "{statuses:?}");
    assert!(
        statuses.iter().all(|(status, _)| [StatusCode::ACCEPTED, StatusCode::CONFLICT].contains(status)),
        "{statuses:?}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM export_jobs").await?, 1);
    Ok(())
}
