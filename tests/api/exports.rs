//! Export jobs as ops staff and partners live them: an export finishes or says why not,
//! retrying never runs a job twice, and a dead worker's job is taken back and completed once.

use std::time::Duration;

use opsdeck_domain::{
    enums::{JobKind, Role},
    jobs,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    helpers::{TestApp, TestResult, eventually, redacted},
    s3::S3Server,
};

/// Polls an export until it reaches `status` (or fails the test after 30 s).
async fn wait_for(app: &TestApp, token: &str, id: i64, status: &str) -> TestResult<Value> {
    let path = format!("/api/v1/export-jobs/{id}");
    eventually(
        &format!("export {id} to be {status}"),
        Duration::from_secs(30),
        async || Ok(app.get_as(token, &path).await?.json::<Value>().await?),
        |job| job["status"] == status,
    )
    .await
}

async fn create(app: &TestApp, token: &str, body: Value) -> TestResult<i64> {
    let response = app.post_as(token, "/api/v1/export-jobs", &body).await?;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let job: Value = response.json().await?;
    assert_eq!(job["status"], "PENDING");
    job["id"].as_i64().ok_or_else(|| "no id".into())
}

#[tokio::test]
async fn a_partner_exports_their_orders_and_downloads_exactly_them() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&[]).await?;
    let tenants = app.seed().await?;
    let (tenant_id, slug) = tenants.first().cloned().ok_or("no tenant")?;
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some(&slug)).await?;

    let id = create(&app, &partner, json!({"dataset": "orders", "filters": {"status": "paid"}})).await?;
    let job = wait_for(&app, &partner, id, "DONE").await?;
    assert_eq!(job["tenant_id"], json!(tenant_id));
    insta::assert_json_snapshot!("export_job_done", job, {
        ".id" => redacted("[id]"),
        ".tenant_id" => redacted("[tenant id]"),
        ".requested_by_user_id" => redacted("[user id]"),
        ".row_count" => redacted("[row count]"),
        ".byte_size" => redacted("[byte size]"),
        ".checksum_sha256" => redacted("[sha-256]"),
        ".expires_at" => redacted("[time]"),
        ".created_at" => redacted("[time]"),
        ".started_at" => redacted("[time]"),
        ".finished_at" => redacted("[time]"),
    });

    let download = app.get_as(&partner, &format!("/api/v1/export-jobs/{id}/download")).await?;
    assert_eq!(download.status(), StatusCode::OK);
    assert!(download.headers()["content-disposition"].to_str()?.contains(&format!("orders-export-{id}.csv")));
    let bytes = download.bytes().await?;
    assert_eq!(job["checksum_sha256"], json!(hex::encode(Sha256::digest(&bytes))));
    assert_eq!(job["byte_size"], json!(bytes.len()));

    let mut reader = csv::Reader::from_reader(bytes.as_ref());
    let mut ids = Vec::new();
    for record in reader.records() {
        let record = record?;
        assert_eq!(record.get(1), Some(tenant_id.to_string().as_str()), "only the partner's tenant");
        assert_eq!(record.get(7), Some("paid"));
        ids.push(record.get(0).ok_or("no id")?.parse::<i64>()?);
    }
    let expected =
        app.count(&format!("SELECT COUNT(*) FROM orders WHERE tenant_id = {tenant_id} AND status = 'paid'")).await?;
    assert!(expected > 0);
    assert_eq!(ids.len() as i64, expected);
    assert_eq!(job["row_count"], json!(expected));
    ids.dedup();
    assert_eq!(ids.len() as i64, expected, "every row exactly once");

    let audited = app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE target_id = '{id}' AND action IN ('export_job.create', 'export_job.download')")).await?;
    assert_eq!(audited, 2);
    let others = tenants.get(1).map(|(id, _)| *id).ok_or("no second tenant")?;
    let foreign =
        app.post_as(&partner, "/api/v1/export-jobs", &json!({"dataset": "orders", "tenant_id": others})).await?;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_failing_export_says_why_and_a_retry_after_the_fix_completes_it() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&[("OPSDECK_JOB_MAX_ATTEMPTS", "2")]).await?;
    // The cause: the export directory cannot be created (a file is in its way). Placed before
    // any data exists, so no export (the demo data has pending ones) gets there first.
    let blocker = app.settings.storage.dir.join("exports");
    std::fs::create_dir_all(&app.settings.storage.dir)?;
    std::fs::write(&blocker, b"in the way")?;
    app.seed().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;

    let id = create(&app, &ops, json!({"dataset": "products"})).await?;
    let failed = wait_for(&app, &ops, id, "FAILED").await?;
    assert_eq!(failed["attempts"], 2, "retried once with backoff, then FAILED");
    assert!(failed["last_error"].as_str().is_some_and(|e| e.contains("writing the export file failed")), "{failed}");
    assert_eq!(failed["downloadable"], false);
    let not_ready = app.get_as(&ops, &format!("/api/v1/export-jobs/{id}/download")).await?;
    assert_eq!(not_ready.status(), StatusCode::CONFLICT);

    std::fs::remove_file(&blocker)?;
    let retried = app.post_as(&ops, &format!("/api/v1/export-jobs/{id}/retry"), &json!({})).await?;
    assert_eq!(retried.status(), StatusCode::ACCEPTED);
    let done = wait_for(&app, &ops, id, "DONE").await?;
    assert_eq!(done["row_count"], json!(app.count("SELECT COUNT(*) FROM products").await?));
    assert_eq!(done["last_error"], Value::Null);
    let outcomes =
        app.count(&format!("SELECT COUNT(*) FROM job_attempts WHERE job_kind = 'export' AND job_id = {id}")).await?;
    assert_eq!(outcomes, 3, "two failed runs and one that succeeded, all on record");
    let retries = app
        .count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'export_job.retry' AND target_id = '{id}'"))
        .await?;
    assert_eq!(retries, 1);

    let again = app.post_as(&ops, &format!("/api/v1/export-jobs/{id}/retry"), &json!({})).await?;
    assert_eq!(again.status(), StatusCode::CONFLICT, "only FAILED jobs are retried");
    worker.shutdown().await;
    Ok(())
}

/// Marks a job FAILED, as a run that gave up would.
async fn fail(app: &TestApp, id: i64) -> TestResult {
    use sea_orm::ConnectionTrait;
    app.db
        .conn()
        .execute_unprepared(&format!(
            "UPDATE export_jobs SET status = 'FAILED', last_error = 'disk full', attempts = 5 WHERE id = {id}"
        ))
        .await?;
    Ok(())
}

#[tokio::test]
async fn two_simultaneous_retries_run_the_job_once() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&[]).await?;
    app.seed().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let id = create(&app, &ops, json!({"dataset": "customers"})).await?;
    wait_for(&app, &ops, id, "DONE").await?;
    fail(&app, id).await?;

    let path = format!("/api/v1/export-jobs/{id}/retry");
    let empty = json!({});
    let (first, second) = tokio::join!(app.post_as(&ops, &path, &empty), app.post_as(&ops, &path, &empty));
    let mut statuses = vec![first?.status(), second?.status()];
    statuses.sort();
    assert_eq!(statuses, vec![StatusCode::ACCEPTED, StatusCode::CONFLICT]);
    wait_for(&app, &ops, id, "DONE").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let runs =
        app.count(&format!("SELECT COUNT(*) FROM job_attempts WHERE job_kind = 'export' AND job_id = {id}")).await?;
    assert_eq!(runs, 2, "the first run and exactly one retry");
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_bulk_retry_reports_what_was_retried_and_what_was_skipped() -> TestResult {
    let app = TestApp::spawn().await?;
    let tenants = app.seed().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let failed = create(&app, &ops, json!({"dataset": "products"})).await?;
    let pending = create(&app, &ops, json!({"dataset": "products"})).await?;
    fail(&app, failed).await?;

    let report: Value = app
        .post_as(&ops, "/api/v1/export-jobs/retry", &json!({"ids": [failed, pending, 99_999_999]}))
        .await?
        .json()
        .await?;
    assert_eq!(report["retried"][0]["id"], json!(failed));
    assert_eq!(report["retried"][0]["status"], "PENDING");
    let skipped: Vec<(i64, &str)> = report["skipped"]
        .as_array()
        .ok_or("no skipped")?
        .iter()
        .map(|s| (s["id"].as_i64().unwrap_or_default(), s["code"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(skipped, vec![(pending, "not_failed"), (99_999_999, "not_found")]);

    let empty = app.post_as(&ops, "/api/v1/export-jobs/retry", &json!({"ids": []})).await?;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A partner cannot retry another tenant's job: it does not exist for them.
    let (_, own_slug) = tenants.first().cloned().ok_or("no tenant")?;
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some(&own_slug)).await?;
    fail(&app, failed).await?;
    let foreign = app.post_as(&partner, &format!("/api/v1/export-jobs/{failed}/retry"), &json!({})).await?;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND, "a staff export (all tenants) is not the partner's");
    Ok(())
}

#[tokio::test]
async fn a_job_whose_worker_died_is_taken_back_and_completed_once() -> TestResult {
    // Without a worker, claim the job as a worker would, then "die": no heartbeat ever again.
    // That is what a SIGKILLed worker leaves behind.
    let app = TestApp::spawn_with(&[("OPSDECK_WORKER_POLL_MS", "100"), ("OPSDECK_JOB_LEASE_SECS", "2")]).await?;
    app.seed().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let id = create(&app, &ops, json!({"dataset": "customers"})).await?;
    let dead = jobs::claim(&app.db, JobKind::Export, id, "worker-that-died").await?.ok_or("not claimed")?;
    assert!(
        jobs::claim(&app.db, JobKind::Export, id, "another").await?.is_none(),
        "a claimed job is not claimed twice"
    );

    let worker = app.start_worker().await?;
    let done = wait_for(&app, &ops, id, "DONE").await?;
    assert_eq!(done["attempts"], 2);
    let lost = app
        .count(&format!(
            "SELECT COUNT(*) FROM job_attempts WHERE job_id = {id} AND outcome = 'lost' AND worker = 'worker-that-died'"
        ))
        .await?;
    assert_eq!(lost, 1);
    let succeeded =
        app.count(&format!("SELECT COUNT(*) FROM job_attempts WHERE job_id = {id} AND outcome = 'succeeded'")).await?;
    assert_eq!(succeeded, 1);

    // The dead run comes back to life and tries to finish: its stale claim changes nothing.
    assert!(!jobs::heartbeat(&app.db, &dead).await?);
    let txn = app.db.begin_write().await?;
    let stale = jobs::finish(
        &txn,
        &dead,
        &jobs::Outcome::Permanent(jobs::RunError::shared("late")),
        Duration::ZERO,
        Vec::new(),
    )
    .await?;
    txn.commit().await?;
    assert!(!stale);
    let after: Value = app.get_as(&ops, &format!("/api/v1/export-jobs/{id}")).await?.json().await?;
    assert_eq!(after["status"], "DONE");
    assert_eq!(after["checksum_sha256"], done["checksum_sha256"]);
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn two_workers_on_one_database_run_every_job_once() -> TestResult {
    let (app, first) = TestApp::spawn_with_worker(&[]).await?;
    let second = app.start_worker().await?;
    app.seed().await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let mut ids = Vec::new();
    for dataset in ["orders", "products", "customers", "audit_log", "orders", "products"] {
        ids.push(create(&app, &ops, json!({"dataset": dataset})).await?);
    }
    for id in &ids {
        wait_for(&app, &ops, *id, "DONE").await?;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let listed = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let runs = app
        .count(&format!("SELECT COUNT(*) FROM job_attempts WHERE job_kind = 'export' AND job_id IN ({listed})"))
        .await?;
    assert_eq!(runs, ids.len() as i64, "one run per job, whichever worker took it");
    first.shutdown().await;
    second.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn every_demo_export_has_filters_the_worker_can_read() -> TestResult {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await?;
    app.seed().await?;
    let rows = app
        .db
        .conn()
        .query_all_raw(sea_orm::Statement::from_string(app.db.backend(), "SELECT filters FROM export_jobs"))
        .await?;
    assert!(!rows.is_empty());
    for row in rows {
        let filters: String = row.try_get("", "filters")?;
        serde_json::from_str::<opsdeck_domain::exports::ExportFilters>(&filters)
            .map_err(|e| format!("unreadable demo filters {filters}: {e}"))?;
    }
    Ok(())
}

/// With exports in S3-compatible object storage, the file goes up to the bucket (and nowhere on
/// the worker's disk), and a download streams it back byte for byte, audited like any other.
#[tokio::test]
async fn an_export_in_object_storage_is_uploaded_and_streams_back_on_download() -> TestResult {
    let s3 = S3Server::start()?;
    let store = s3.bucket("exports-test").await?;
    let vars: Vec<(&str, &str)> = store.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let (app, worker) = TestApp::spawn_with_worker(&vars).await?;
    let tenants = app.seed().await?;
    let (_, slug) = tenants.first().cloned().ok_or("no tenant")?;
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some(&slug)).await?;

    let id = create(&app, &partner, json!({"dataset": "orders"})).await?;
    let job = wait_for(&app, &partner, id, "DONE").await?;
    // The demo data's pending exports run too: look at this job's object.
    let keys = s3.keys("exports-test").await?;
    let ours: Vec<&String> = keys.iter().filter(|key| key.starts_with(&format!("exports/{id}-"))).collect();
    assert_eq!(ours.len(), 1, "one object: {keys:?}");
    let key = ours.first().map(|key| key.to_string()).unwrap_or_default();
    assert!(key.ends_with(".csv"), "{key}");
    // Only this job's staged copy: the demo exports may still be writing theirs.
    let staging = app.settings.storage.dir.join("exports-staging");
    let staged_copies_of_ours = std::fs::read_dir(&staging)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_name().to_string_lossy().starts_with(&format!("{id}-")))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(staged_copies_of_ours, 0, "no staged copy left behind");

    let download = app.get_as(&partner, &format!("/api/v1/export-jobs/{id}/download")).await?;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(download.headers()["content-length"].to_str()?, job["byte_size"].to_string());
    let bytes = download.bytes().await?;
    assert_eq!(job["checksum_sha256"], json!(hex::encode(Sha256::digest(&bytes))));
    assert!(bytes.starts_with(b"id,tenant_id"), "a CSV with its header");
    let audited = app
        .count(&format!("SELECT COUNT(*) FROM audit_log WHERE target_id = '{id}' AND action = 'export_job.download'"))
        .await?;
    assert_eq!(audited, 1);
    worker.shutdown().await;
    Ok(())
}

/// An export stopped by opsdeck's own failure (here, storage it cannot write) shows staff the
/// cause; the partner whose export it is reads only that one happened: no path, no OS error.
#[tokio::test]
async fn a_partner_reads_that_their_export_failed_but_not_the_internal_cause() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&[("OPSDECK_JOB_MAX_ATTEMPTS", "1")]).await?;
    let exports_dir = app.settings.storage.dir.join("exports");
    std::fs::create_dir_all(&app.settings.storage.dir)?;
    let _ = std::fs::remove_dir_all(&exports_dir);
    std::fs::write(&exports_dir, b"a file where the export directory belongs")?;
    let tenants = app.seed().await?;
    let (_, slug) = tenants.first().cloned().ok_or("no tenant")?;
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some(&slug)).await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;

    let id = create(&app, &partner, json!({"dataset": "customers"})).await?;
    let seen_by_partner = wait_for(&app, &partner, id, "FAILED").await?;
    assert_eq!(seen_by_partner["last_error"], jobs::INTERNAL_FAILURE);
    let listed: Value = app.get_as(&partner, "/api/v1/export-jobs").await?.json().await?;
    let ours = listed["items"].as_array().into_iter().flatten().find(|job| job["id"] == id).ok_or("not listed")?;
    assert_eq!(ours["last_error"], jobs::INTERNAL_FAILURE);
    let board: Value = app.get_as(&partner, "/api/v1/dashboard").await?.json().await?;
    let texts: Vec<&Value> =
        board["failed_exports"].as_array().into_iter().flatten().map(|job| &job["last_error"]).collect();
    assert!(!texts.is_empty() && texts.iter().all(|text| *text == jobs::INTERNAL_FAILURE), "{texts:?}");

    let seen_by_staff: Value = app.get_as(&ops, &format!("/api/v1/export-jobs/{id}")).await?.json().await?;
    let cause = seen_by_staff["last_error"].as_str().unwrap_or_default();
    assert!(cause.starts_with("writing the export file failed"), "{cause}");
    worker.shutdown().await;
    Ok(())
}
