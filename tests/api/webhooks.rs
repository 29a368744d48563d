//! Webhook events as providers and ops staff live them: signed deliveries are stored once,
//! forged or stale ones are refused and audited, every effect happens exactly once however
//! often an event arrives or is replayed, and a failure retries, fails, and is fixed by a
//! reprocess.

use std::{
    io::{Read, Write},
    time::Duration,
};

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use opsdeck_domain::enums::Role;
use reqwest::{StatusCode, header};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, TestResult, eventually, problem};

const PAYMENTS: &str = "whsec_cGF5bWVudHMtc2VjcmV0LWZvci10ZXN0cy0wMDAx";
const PAYMENTS_ROTATED: &str = "whsec_cGF5bWVudHMtc2VjcmV0LXJvdGF0ZWQtMDAwMg==";
const CRM: &str = "whsec_Y3JtLXNlY3JldC1mb3ItdGVzdHMtMDAwMDAwMDM=";
const FORGED: &str = "whsec_YW4tYXR0YWNrZXItZ3Vlc3Npbmctc2VjcmV0cw==";

/// `webhook-*` header names and values.
type WebhookHeaders = Vec<(&'static str, String)>;

/// The provider secrets most tests run with.
fn secrets() -> [(&'static str, &'static str); 2] {
    [("OPSDECK_WEBHOOK_SECRET_PAYMENTS", PAYMENTS), ("OPSDECK_WEBHOOK_SECRET_CRM", CRM)]
}

/// A Standard Webhooks `v1,` signature, computed independently of the server's code.
pub(crate) fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> TestResult<String> {
    let key = STANDARD.decode(secret.trim_start_matches("whsec_"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An event body, as a provider writes it.
pub(crate) fn event(kind: &str, data: Value) -> String {
    json!({"type": kind, "timestamp": "2026-03-01T12:00:00Z", "data": data}).to_string()
}

/// Sends `body` as it is, with exactly these webhook headers.
async fn post_raw(
    app: &TestApp,
    provider: &str,
    headers: &[(&str, String)],
    body: String,
) -> TestResult<reqwest::Response> {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/webhooks/{provider}")))
        .header(header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    Ok(request.body(body).send().await?)
}

/// A correctly signed delivery.
async fn deliver(app: &TestApp, provider: &str, secret: &str, id: &str, body: &str) -> TestResult<reqwest::Response> {
    let at = now();
    let headers = [
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", at.to_string()),
        ("webhook-signature", sign(secret, id, at, body)?),
    ];
    post_raw(app, provider, &headers, body.to_owned()).await
}

/// Delivers and expects a new event; returns its id.
async fn accepted(app: &TestApp, provider: &str, secret: &str, id: &str, body: &str) -> TestResult<i64> {
    let response = deliver(app, provider, secret, id, body).await?;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let receipt: Value = response.json().await?;
    assert_eq!(receipt["duplicate"], false);
    receipt["id"].as_i64().ok_or_else(|| "no id".into())
}

/// Polls an event until its status is one of `statuses` (or fails after 60 s: the worker also
/// runs the demo data's pending jobs, which may come first on a busy machine).
async fn wait_for(app: &TestApp, token: &str, id: i64, statuses: &[&str]) -> TestResult<Value> {
    let path = format!("/api/v1/webhook-events/{id}");
    eventually(
        &format!("webhook event {id} to be one of {statuses:?}"),
        Duration::from_secs(60),
        async || Ok(app.get_as(token, &path).await?.json::<Value>().await?),
        |event| statuses.iter().any(|status| event["status"] == *status),
    )
    .await
}

async fn text(app: &TestApp, sql: &str) -> TestResult<String> {
    let statement = Statement::from_string(app.db.backend(), sql.to_owned());
    let row = app.db.conn().query_one_raw(statement).await?.ok_or("no row")?;
    Ok(row.try_get_by_index::<String>(0)?)
}

/// A pending order of the first tenant: (tenant slug, order id, its external reference).
async fn pending_order(app: &TestApp, tenants: &[(i64, String)]) -> TestResult<(String, i64, String)> {
    // A pending order of our own: the demo data's pending orders depend on the clock.
    let (tenant_id, slug) = tenants.first().cloned().ok_or("no tenant")?;
    let shop = app.count(&format!("SELECT MIN(id) FROM shops WHERE tenant_id = {tenant_id}")).await?;
    let reference = format!("ord_webhook_test_{}", std::process::id());
    let created = chrono::Utc::now().to_rfc3339();
    app.db
        .conn()
        .execute_unprepared(&format!(
            "INSERT INTO orders (tenant_id, shop_id, external_ref, amount_minor, currency, status, created_at) \
             VALUES ({tenant_id}, {shop}, '{reference}', 1200, 'EUR', 'pending', '{created}')"
        ))
        .await?;
    let order = app.count(&format!("SELECT id FROM orders WHERE external_ref = '{reference}'")).await?;
    Ok((slug, order, reference))
}

#[tokio::test]
async fn a_signed_delivery_is_stored_before_the_answer_and_processed_once() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&secrets()).await?;
    let tenants = app.seed().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let (slug, order, reference) = pending_order(&app, &tenants).await?;
    let body = event("order.paid", json!({"tenant": slug, "order_id": reference, "amount_minor": 1200}));

    let id = accepted(&app, "payments", PAYMENTS, "msg_paid_1", &body).await?;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM webhook_events WHERE id = {id}")).await?, 1, "committed first");
    let processed = wait_for(&app, &ops, id, &["PROCESSED"]).await?;
    assert_eq!(processed["provider"], "payments");
    assert_eq!(processed["event_id"], "msg_paid_1");
    assert_eq!(processed["event_type"], "order.paid");
    assert_eq!(processed["tenant_id"], json!(tenants[0].0));
    assert_eq!(processed["payload_raw"], body, "stored exactly as received");
    assert_eq!(processed["payload"]["data"]["order_id"], json!(reference));
    assert_eq!(processed["attempts"], 1);
    assert!(processed["processed_at"].is_string());
    let history = processed["attempt_history"].as_array().ok_or("no history")?;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["outcome"], "succeeded");
    assert!(history[0]["worker"].as_str().is_some_and(|w| w.starts_with("opsdeck-")));

    let paid: Value = app.get_as(&ops, &format!("/api/v1/orders/{order}")).await?.json().await?;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["paid_at"], "2026-03-01T12:00:00Z", "the event's time, as it carried no paid_at");
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn forged_stale_and_malformed_deliveries_are_refused_audited_and_not_stored() -> TestResult {
    let app = TestApp::spawn_with(&secrets()).await?;
    let body = event("customer.created", json!({"tenant": "acme", "customer_id": "c-1"}));
    let at = now();
    let good = |id: &str, at: i64| sign(PAYMENTS, id, at, &body);
    let headers = |id: &str, at: i64, signature: String| {
        vec![("webhook-id", id.to_owned()), ("webhook-timestamp", at.to_string()), ("webhook-signature", signature)]
    };

    let refused: Vec<(&str, WebhookHeaders, String)> = vec![
        ("wrong secret", headers("m1", at, sign(FORGED, "m1", at, &body)?), body.clone()),
        ("stale", headers("m2", at - 360, good("m2", at - 360)?), body.clone()),
        ("from the future", headers("m3", at + 360, good("m3", at + 360)?), body.clone()),
        ("tampered body", headers("m4", at, good("m4", at)?), body.replace("c-1", "c-2")),
        ("another event's signature", headers("m5", at, good("m6", at)?), body.clone()),
        ("no id", headers("m7", at, good("m7", at)?)[1..].to_vec(), body.clone()),
        ("no timestamp", vec![("webhook-id", "m8".into()), ("webhook-signature", good("m8", at)?)], body.clone()),
        ("no signature", headers("m9", at, String::new())[..2].to_vec(), body.clone()),
        ("not a v1 signature", headers("m10", at, "v2,abc".into()), body.clone()),
    ];
    for (case, headers, body) in &refused {
        let response = post_raw(&app, "payments", headers, body.clone()).await?;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(problem(response).await?.code, "invalid_signature", "{case}");
    }

    let unknown = deliver(&app, "nobody", PAYMENTS, "m11", &body).await?;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(problem(unknown).await?.code, "not_found");

    let garbage = deliver(&app, "payments", PAYMENTS, "m12", "this is not JSON").await?;
    assert_eq!(garbage.status(), StatusCode::UNPROCESSABLE_ENTITY, "signed, but the provider sent garbage");
    assert_eq!(problem(garbage).await?.code, "invalid_payload");
    let shapeless = deliver(&app, "payments", PAYMENTS, "m13", r#"{"type": "order.paid"}"#).await?;
    assert_eq!(shapeless.status(), StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(app.count("SELECT COUNT(*) FROM webhook_events").await?, 0, "nothing refused is stored");
    let rejected = "SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.signature_rejected' \
                    AND status = 401 AND outcome = 'refused'";
    let rejected = app.count(rejected).await?;
    // One source within a minute: the first is on record at once, the others are counted into
    // one entry when the minute ends (hardening.rs, refusal_digest.rs).
    assert_eq!(rejected, 1, "the first forged delivery is on record at once");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'request.%' AND status = 401").await?, 0);
    let entry = text(
        &app,
        "SELECT metadata FROM audit_log WHERE action = 'webhook.signature_rejected' AND path = '/api/v1/webhooks/payments' \
         ORDER BY id LIMIT 1",
    )
    .await?;
    let metadata: Value = serde_json::from_str(&entry)?;
    assert_eq!(metadata["provider"], "payments");
    assert_eq!(metadata["webhook_id"], "m1");
    assert!(metadata["reason"].as_str().is_some_and(|r| r.contains("no signature matches")), "{metadata}");
    let payload_rejected =
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.payload_rejected'").await?;
    assert_eq!(payload_rejected, 1, "the second is counted with the first");

    // The same content, correctly signed, is accepted: the refusals were about the signatures.
    accepted(&app, "payments", PAYMENTS, "m1", &body).await?;
    Ok(())
}

#[tokio::test]
async fn while_secrets_rotate_either_one_verifies() -> TestResult {
    let rotating = format!("{PAYMENTS} {PAYMENTS_ROTATED}");
    let app = TestApp::spawn_with(&[("OPSDECK_WEBHOOK_SECRET_PAYMENTS", &rotating)]).await?;
    let body = event("order.paid", json!({"tenant": "acme", "order_id": "o-1"}));
    accepted(&app, "payments", PAYMENTS, "old-secret", &body).await?;
    accepted(&app, "payments", PAYMENTS_ROTATED, "new-secret", &body).await?;

    // A sender mid-rotation signs with both; an unknown entry in the list does no harm.
    let at = now();
    let both = format!("v1,AAAA {} {}", sign(FORGED, "both", at, &body)?, sign(PAYMENTS_ROTATED, "both", at, &body)?);
    let headers =
        [("webhook-id", "both".to_owned()), ("webhook-timestamp", at.to_string()), ("webhook-signature", both)];
    assert_eq!(post_raw(&app, "payments", &headers, body.clone()).await?.status(), StatusCode::ACCEPTED);
    assert_eq!(app.count("SELECT COUNT(*) FROM webhook_events").await?, 3);
    Ok(())
}

/// Sends a chunked request (no Content-Length) over a plain socket; returns the raw answer.
fn post_chunked(address: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> TestResult<String> {
    let mut stream = std::net::TcpStream::connect(address.trim_start_matches("http://"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    for chunk in body.chunks(1000) {
        bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        bytes.extend_from_slice(chunk);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"0\r\n\r\n");
    stream.write_all(&bytes)?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

#[tokio::test]
async fn a_body_over_the_webhook_limit_is_refused_with_413_with_or_without_a_length() -> TestResult {
    let mut vars = secrets().to_vec();
    vars.push(("OPSDECK_WEBHOOK_MAX_BODY_BYTES", "2048"));
    let app = TestApp::spawn_with(&vars).await?;
    let padded = |size: usize| {
        let body = event("order.paid", json!({"tenant": "acme", "order_id": "o-1"}));
        format!("{body}{}", " ".repeat(size - body.len()))
    };

    let at_limit = padded(2048);
    accepted(&app, "payments", PAYMENTS, "fits", &at_limit).await?;

    let over = padded(2049);
    let response = deliver(&app, "payments", PAYMENTS, "too-big", &over).await?;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(problem(response).await?.code, "payload_too_large");

    let at = now();
    let headers = [
        ("webhook-id", "too-big-chunked".to_owned()),
        ("webhook-timestamp", at.to_string()),
        ("webhook-signature", sign(PAYMENTS, "too-big-chunked", at, &over)?),
    ];
    let (address, body) = (app.address.clone(), over.clone());
    let answer = tokio::task::spawn_blocking(move || {
        post_chunked(&address, "/api/v1/webhooks/payments", &headers, body.as_bytes())
    })
    .await??;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json") && answer.contains("payload_too_large"), "{answer}");
    assert_eq!(app.count("SELECT COUNT(*) FROM webhook_events").await?, 1, "only the one that fit");
    Ok(())
}

#[tokio::test]
async fn a_duplicate_delivery_answers_200_and_changes_nothing() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&secrets()).await?;
    let tenants = app.seed().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let (slug, _, reference) = pending_order(&app, &tenants).await?;
    let body = event("order.paid", json!({"tenant": slug, "order_id": reference}));
    let id = accepted(&app, "payments", PAYMENTS, "msg_dup", &body).await?;
    let first = wait_for(&app, &ops, id, &["PROCESSED"]).await?;

    // Redelivered later (a fresh timestamp and signature), even with other content.
    for body in [body.clone(), event("order.refunded", json!({"tenant": slug, "order_id": reference}))] {
        let again = deliver(&app, "payments", PAYMENTS, "msg_dup", &body).await?;
        assert_eq!(again.status(), StatusCode::OK);
        assert_eq!(again.json::<Value>().await?, json!({"id": id, "duplicate": true}));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = wait_for(&app, &ops, id, &["PROCESSED"]).await?;
    assert_eq!(after, first, "nothing changed");
    assert_eq!(app.count("SELECT COUNT(*) FROM webhook_events WHERE event_id = 'msg_dup'").await?, 1);

    // The same id from another provider is another event.
    let crm = event("customer.churned", json!({"tenant": slug, "customer_id": "nobody"}));
    accepted(&app, "crm", CRM, "msg_dup", &crm).await?;
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn twenty_simultaneous_copies_leave_one_event_processed_once() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&secrets()).await?;
    let tenants = app.seed().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let slug = &tenants[0].1;
    let body =
        event("customer.created", json!({"tenant": slug, "customer_id": "cus_storm", "email": "storm@example.com"}));
    let at = now();
    let signature = sign(CRM, "msg_storm", at, &body)?;

    let mut copies = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let request = app
            .client
            .post(app.url("/api/v1/webhooks/crm"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("webhook-id", "msg_storm")
            .header("webhook-timestamp", at.to_string())
            .header("webhook-signature", signature.clone())
            .body(body.clone());
        copies.spawn(async move {
            let response = request.send().await?;
            Ok::<_, reqwest::Error>((response.status(), response.json::<Value>().await?))
        });
    }
    let mut answers = Vec::new();
    for answer in copies.join_all().await {
        answers.push(answer?);
    }
    let new = answers.iter().filter(|(status, _)| *status == StatusCode::ACCEPTED).count();
    let duplicates =
        answers.iter().filter(|(status, body)| *status == StatusCode::OK && body["duplicate"] == true).count();
    assert_eq!((new, duplicates), (1, 19), "{answers:?}");
    let id = answers[0].1["id"].as_i64().ok_or("no id")?;
    assert!(answers.iter().all(|(_, body)| body["id"] == json!(id)), "every copy names the one event");

    wait_for(&app, &ops, id, &["PROCESSED"]).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM webhook_events WHERE event_id = 'msg_storm'").await?, 1);
    let runs =
        app.count(&format!("SELECT COUNT(*) FROM job_attempts WHERE job_kind = 'webhook' AND job_id = {id}")).await?;
    assert_eq!(runs, 1, "processed once");
    assert_eq!(app.count("SELECT COUNT(*) FROM customers WHERE external_ref = 'cus_storm'").await?, 1);
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn replaying_processed_events_ten_times_applies_their_effects_once() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&secrets()).await?;
    let tenants = app.seed().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let (slug, order, reference) = pending_order(&app, &tenants).await?;
    let signup = event(
        "customer.created",
        json!({"tenant": slug, "customer_id": "cus_replay", "name": "Rae Play", "signed_up_at": "2026-02-01T08:00:00Z"}),
    );
    let payment =
        event("order.paid", json!({"tenant": slug, "order_id": reference, "paid_at": "2026-02-02T09:30:00Z"}));
    let signup_id = accepted(&app, "crm", CRM, "msg_signup", &signup).await?;
    let payment_id = accepted(&app, "payments", PAYMENTS, "msg_payment", &payment).await?;
    for id in [signup_id, payment_id] {
        wait_for(&app, &ops, id, &["PROCESSED"]).await?;
    }

    for round in 0..10 {
        // One by one and in bulk, alternately: both paths are the same reprocess.
        if round % 2 == 0 {
            for id in [signup_id, payment_id] {
                let response = app.post_as(&ops, &format!("/api/v1/webhook-events/{id}/reprocess"), &json!({})).await?;
                assert_eq!(response.status(), StatusCode::ACCEPTED);
                let event: Value = response.json().await?;
                assert_eq!((event["status"].clone(), event["attempts"].clone()), (json!("PENDING"), json!(0)));
            }
        } else {
            let report: Value = app
                .post_as(&ops, "/api/v1/webhook-events/reprocess", &json!({"ids": [payment_id, signup_id]}))
                .await?
                .json()
                .await?;
            assert_eq!(report, json!({"enqueued": [signup_id, payment_id], "skipped": [], "truncated": false}));
        }
        for id in [signup_id, payment_id] {
            let event = wait_for(&app, &ops, id, &["PROCESSED", "IGNORED", "FAILED"]).await?;
            assert_eq!(event["status"], "IGNORED", "round {round}: {event}");
            assert!(event["last_error"].as_str().is_some_and(|e| e.starts_with("nothing to do")), "{event}");
        }
    }

    assert_eq!(app.count("SELECT COUNT(*) FROM customers WHERE external_ref = 'cus_replay'").await?, 1);
    let paid: Value = app.get_as(&ops, &format!("/api/v1/orders/{order}")).await?.json().await?;
    assert_eq!((paid["status"].clone(), paid["paid_at"].clone()), (json!("paid"), json!("2026-02-02T09:30:00Z")));
    for id in [signup_id, payment_id] {
        let runs = app
            .count(&format!("SELECT COUNT(*) FROM job_attempts WHERE job_kind = 'webhook' AND job_id = {id}"))
            .await?;
        assert_eq!(runs, 11, "the first run and ten replays");
        let audited = app
            .count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'webhook_event.reprocess' AND target_id = '{id}'"
            ))
            .await?;
        assert_eq!(audited, 10, "every reprocess is audited");
    }
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_failing_event_retries_then_fails_and_a_reprocess_after_the_fix_processes_it() -> TestResult {
    let mut vars = secrets().to_vec();
    vars.push(("OPSDECK_JOB_MAX_ATTEMPTS", "3"));
    let (app, worker) = TestApp::spawn_with_worker(&vars).await?;
    let tenants = app.seed().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let (tenant_id, slug) = tenants[0].clone();
    // The order this payment is for reaches opsdeck later than the payment.
    let body = event("order.paid", json!({"tenant": slug, "order_id": "ord_late"}));
    let id = accepted(&app, "payments", PAYMENTS, "msg_early", &body).await?;

    let failed = wait_for(&app, &ops, id, &["FAILED"]).await?;
    assert_eq!(failed["attempts"], 3, "retried with backoff, then FAILED");
    assert!(failed["last_error"].as_str().is_some_and(|e| e.contains("\"ord_late\" not found")), "{failed}");
    assert!(failed["processed_at"].is_null());
    let outcomes: Vec<&str> = failed["attempt_history"]
        .as_array()
        .ok_or("no history")?
        .iter()
        .filter_map(|a| a["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["retry", "retry", "failed"]);
    let busy = app.post_as(&ops, "/api/v1/webhook-events/reprocess", &json!({"filter": {"status": "PENDING"}})).await?;
    assert_eq!(busy.status(), StatusCode::UNPROCESSABLE_ENTITY, "only finished events are reprocessed");

    app.db
        .conn()
        .execute_unprepared(&format!(
            "INSERT INTO orders (tenant_id, shop_id, external_ref, amount_minor, currency, status, created_at) \
             SELECT tenant_id, shop_id, 'ord_late', 4200, currency, 'pending', created_at FROM orders \
             WHERE tenant_id = {tenant_id} ORDER BY id LIMIT 1"
        ))
        .await?;
    let report: Value = app
        .post_as(&ops, "/api/v1/webhook-events/reprocess", &json!({"filter": {"status": "FAILED", "provider": "payments", "type": "order.paid", "tenant_id": tenant_id}}))
        .await?
        .json()
        .await?;
    assert!(report["enqueued"].as_array().is_some_and(|ids| ids.contains(&json!(id))), "{report}");
    let processed = wait_for(&app, &ops, id, &["PROCESSED"]).await?;
    assert_eq!(processed["attempts"], 1, "attempts start again at a reprocess");
    assert_eq!(processed["last_error"], Value::Null);
    assert_eq!(processed["attempt_history"].as_array().map(Vec::len), Some(4));
    let status = text(&app, "SELECT status FROM orders WHERE external_ref = 'ord_late'").await?;
    assert_eq!(status, "paid");
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn unknown_types_and_unroutable_events_are_kept_and_ignored() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&secrets()).await?;
    let tenants = app.seed().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let unknown = accepted(&app, "payments", PAYMENTS, "msg_invoice", &event("invoice.created", json!({}))).await?;
    let ignored = wait_for(&app, &ops, unknown, &["IGNORED", "FAILED"]).await?;
    assert_eq!(ignored["status"], "IGNORED", "not a failure");
    assert!(ignored["last_error"].as_str().is_some_and(|e| e.contains("no handler")), "{ignored}");

    // Routed by tenant id as well as by slug; a tenant that does not exist routes nowhere.
    let by_id = event("customer.created", json!({"tenant_id": tenants[1].0, "customer_id": "cus_by_id"}));
    let routed = accepted(&app, "crm", CRM, "msg_by_id", &by_id).await?;
    let processed = wait_for(&app, &ops, routed, &["PROCESSED"]).await?;
    assert_eq!(processed["tenant_id"], json!(tenants[1].0));
    let nowhere = event("customer.created", json!({"tenant": "no-such-tenant", "customer_id": "cus_nowhere"}));
    let unroutable = accepted(&app, "crm", CRM, "msg_nowhere", &nowhere).await?;
    let ignored = wait_for(&app, &ops, unroutable, &["IGNORED", "FAILED"]).await?;
    assert_eq!((ignored["status"].clone(), ignored["tenant_id"].clone()), (json!("IGNORED"), Value::Null));
    assert_eq!(app.count("SELECT COUNT(*) FROM customers WHERE external_ref = 'cus_nowhere'").await?, 0);

    // Bad data for a known type can never succeed: FAILED at once, not retried.
    let shapeless =
        accepted(&app, "payments", PAYMENTS, "msg_shapeless", &event("order.paid", json!({"tenant_id": tenants[0].0})))
            .await?;
    let failed = wait_for(&app, &ops, shapeless, &["FAILED"]).await?;
    assert_eq!(failed["attempts"], 1);
    assert!(failed["last_error"].as_str().is_some_and(|e| e.contains("order_id")), "{failed}");
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn ops_list_filter_read_and_reprocess_within_bounds() -> TestResult {
    let app = TestApp::spawn_with(&secrets()).await?;
    let tenants = app.seed().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let support = app.signed_in("sue", Role::Support, None).await?;
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some(&tenants[0].1)).await?;
    let pending = accepted(&app, "payments", PAYMENTS, "msg_listed", &event("refund.requested", json!({}))).await?;

    let page: Value =
        app.get_as(&support, "/api/v1/webhook-events?provider=payments&type=refund.requested").await?.json().await?;
    let items = page["items"].as_array().ok_or("no items")?;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], json!(pending));
    assert!(items[0].get("payload").is_none(), "lists leave payloads out");

    let tenant = tenants[0].0;
    let path =
        format!("/api/v1/webhook-events?status=FAILED&tenant_id={tenant}&received_from=2000-01-01T00:00:00Z&limit=7");
    let failed: Value = app.get_as(&ops, &path).await?.json().await?;
    let items = failed["items"].as_array().ok_or("no items")?;
    assert!(!items.is_empty());
    assert!(items.iter().all(|e| e["status"] == "FAILED" && e["tenant_id"] == json!(tenant)));
    assert!(items.windows(2).all(|pair| pair[0]["id"].as_i64() > pair[1]["id"].as_i64()), "newest first");
    let next = failed["next_cursor"].as_str().ok_or("more than one page expected")?;
    let second: Value = app.get_as(&ops, &format!("{path}&cursor={next}")).await?.json().await?;
    assert!(second["items"][0]["id"].as_i64() < items.last().and_then(|e| e["id"].as_i64()));
    let backwards = app
        .get_as(&ops, "/api/v1/webhook-events?received_from=2030-01-01T00:00:00Z&received_to=2029-01-01T00:00:00Z")
        .await?;
    assert_eq!(backwards.status(), StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(app.get_as(&partner, "/api/v1/webhook-events").await?.status(), StatusCode::FORBIDDEN);
    let read_only = app.post_as(&support, &format!("/api/v1/webhook-events/{pending}/reprocess"), &json!({})).await?;
    assert_eq!(read_only.status(), StatusCode::FORBIDDEN);

    let busy = app.post_as(&ops, &format!("/api/v1/webhook-events/{pending}/reprocess"), &json!({})).await?;
    assert_eq!(busy.status(), StatusCode::CONFLICT);
    assert_eq!(problem(busy).await?.code, "not_finished");
    let missing = app.post_as(&ops, "/api/v1/webhook-events/99999999/reprocess", &json!({})).await?;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let report: Value = app
        .post_as(&ops, "/api/v1/webhook-events/reprocess", &json!({"ids": [pending, 99999999]}))
        .await?
        .json()
        .await?;
    assert_eq!(report["enqueued"], json!([]));
    let codes: Vec<&str> =
        report["skipped"].as_array().ok_or("no skipped")?.iter().filter_map(|s| s["code"].as_str()).collect();
    assert_eq!(codes, ["not_finished", "not_found"]);
    for body in [json!({}), json!({"ids": [pending], "filter": {}}), json!({"ids": []})] {
        let response = app.post_as(&ops, "/api/v1/webhook-events/reprocess", &body).await?;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }

    // The demo data holds more finished events than one call takes: the oldest 1000 go.
    let finished = app.count("SELECT COUNT(*) FROM webhook_events WHERE status <> 'PENDING'").await?;
    assert!(finished > 1000, "{finished}");
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'webhook_event.reprocess'";
    let before = app.count(audited).await?;
    let report: Value =
        app.post_as(&ops, "/api/v1/webhook-events/reprocess", &json!({"filter": {}})).await?.json().await?;
    let enqueued = report["enqueued"].as_array().ok_or("no enqueued")?;
    assert_eq!((enqueued.len(), report["truncated"].clone()), (1000, json!(true)));
    assert!(!enqueued.contains(&json!(pending)), "a PENDING event is not taken by a filter");
    assert_eq!(app.count(audited).await? - before, 1000, "each one audited");
    Ok(())
}
