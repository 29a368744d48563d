//! The production topology as real processes: two `opsdeck serve --no-worker` and two
//! `opsdeck worker` on one PostgreSQL database and one S3-compatible store, each with a storage
//! directory of its own (as on separate hosts). Exports, webhook deliveries and a bulk job are
//! driven through both APIs; one worker is killed (SIGKILL) in the middle of the bulk job, the
//! other stopped (SIGTERM) in the middle of its takeover, and a fresh one finishes. Every job
//! finishes exactly once, every download works from either API, and the audit chain verifies.

use std::time::{Duration, Instant};

use opsdeck_domain::enums::Role;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    bulk::{discount, discounted, prices, shop_with_products},
    helpers::{SIGNING_KEY, TestApp, TestResult, eventually},
    process::{Server, opsdeck},
    s3::S3Server,
    webhooks::{event, now, sign},
};

const SECRET: &str = "whsec_cGF5bWVudHMtc2VjcmV0LWZvci10ZXN0cy0wMDAx";
const EXPORTS: usize = 10;
const EVENTS: usize = 20;
const PRODUCTS: i64 = 20_000;
const CHUNK: &str = "100";

/// An API process, as a client sees it.
struct Api {
    address: String,
    client: reqwest::Client,
}

impl Api {
    async fn get(&self, token: &str, path: &str) -> TestResult<reqwest::Response> {
        Ok(self.client.get(format!("{}{path}", self.address)).bearer_auth(token).send().await?)
    }

    async fn get_json(&self, token: &str, path: &str) -> TestResult<Value> {
        let response = self.get(token, path).await?;
        let status = response.status();
        let body: Value = response.json().await?;
        if status.is_success() { Ok(body) } else { Err(format!("GET {path}: {status} {body}").into()) }
    }

    async fn post(&self, token: &str, path: &str, body: &Value) -> TestResult<Value> {
        let response = self.client.post(format!("{}{path}", self.address)).bearer_auth(token).json(body).send().await?;
        let status = response.status();
        let body: Value = response.json().await?;
        if status.is_success() { Ok(body) } else { Err(format!("POST {path}: {status} {body}").into()) }
    }

    async fn deliver(&self, id: &str, body: &str) -> TestResult<Value> {
        let at = now();
        let response = self
            .client
            .post(format!("{}/api/v1/webhooks/payments", self.address))
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", at.to_string())
            .header("webhook-signature", sign(SECRET, id, at, body)?)
            .body(body.to_owned())
            .send()
            .await?;
        Ok(response.json().await?)
    }
}

fn as_refs(vars: &[(String, String)]) -> Vec<(&str, &str)> {
    vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The worker process (by pid, from its apalis name `opsdeck-<host>-<pid>-<n>`) that made the
/// job's latest attempt.
async fn latest_runner(app: &TestApp, kind: &str, id: i64) -> TestResult<u32> {
    let row = app
        .db
        .conn()
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.backend(),
            format!(
                "SELECT worker FROM job_attempts WHERE job_kind = '{kind}' AND job_id = {id} ORDER BY id DESC LIMIT 1"
            ),
        ))
        .await?
        .ok_or("no attempt yet")?;
    let worker: String = row.try_get_by_index(0)?;
    let pid = worker.rsplit('-').nth(1).ok_or("unexpected worker name")?;
    Ok(pid.parse()?)
}

#[tokio::test]
async fn two_apis_and_two_workers_finish_every_job_once_through_a_killed_and_a_stopped_worker() -> TestResult {
    let started = Instant::now();
    // The test's own handle on a fresh database (seeding, assertions); its in-process server
    // is never called. The cluster's processes are started below.
    let app = TestApp::spawn().await?;
    if app.db.backend() != DbBackend::Postgres {
        eprintln!("the cluster test runs on PostgreSQL only (set OPSDECK_TEST_POSTGRES_URL)");
        return Ok(());
    }
    let s3 = S3Server::start()?;
    let store = s3.bucket("cluster").await?;
    let tenants = app.seed().await?;
    let (tenant_id, _) = tenants.first().cloned().ok_or("no tenant")?;
    let shop = shop_with_products(&app, tenant_id, PRODUCTS).await?;
    let before = prices(&app, &format!("shop_id = {shop}")).await?;
    let password = app.user("olga", Role::Ops, None).await?;
    let reference = |n: usize| format!("ord_cluster_{n}");
    let shop_of_tenant = app.count(&format!("SELECT MIN(id) FROM shops WHERE tenant_id = {tenant_id}")).await?;
    for n in 0..EVENTS {
        app.db
            .conn()
            .execute_unprepared(&format!(
                "INSERT INTO orders (tenant_id, shop_id, external_ref, amount_minor, currency, status, created_at) \
                 VALUES ({tenant_id}, {shop_of_tenant}, '{}', 1500, 'EUR', 'pending', '{}')",
                reference(n),
                chrono::Utc::now().to_rfc3339()
            ))
            .await?;
    }

    let database_url = app.settings.database.url.expose_secret().to_owned();
    let scratch = std::env::temp_dir().join(format!("opsdeck-cluster-{}", std::process::id()));
    let storage = |name: &str| scratch.join(name).display().to_string();
    let common: Vec<(&str, String)> = [
        ("OPSDECK_DATABASE_URL", database_url),
        ("OPSDECK_JWT_SIGNING_KEY", SIGNING_KEY.to_owned()),
        ("OPSDECK_MIGRATE_ON_START", "false".to_owned()),
        ("OPSDECK_DATABASE_MAX_CONNECTIONS", "4".to_owned()),
        ("OPSDECK_WEBHOOK_SECRET_PAYMENTS", SECRET.to_owned()),
        ("OPSDECK_KPI_SCHEDULE", "0 0 0 1 1 * 2099".to_owned()),
        ("OPSDECK_WORKER_POLL_MS", "100".to_owned()),
        ("OPSDECK_JOB_LEASE_SECS", "2".to_owned()),
        ("OPSDECK_JOB_BACKOFF_SECS", "0".to_owned()),
        ("OPSDECK_BULK_CHUNK_SIZE", CHUNK.to_owned()),
    ]
    .into_iter()
    .chain(store)
    .collect();
    let process_vars = |bind: &'static str, name: &str| -> Vec<(String, String)> {
        common
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .chain([(bind.to_owned(), "127.0.0.1:0".to_owned()), ("OPSDECK_STORAGE_DIR".to_owned(), storage(name))])
            .collect()
    };
    let api_vars = [process_vars("OPSDECK_BIND", "api-1"), process_vars("OPSDECK_BIND", "api-2")];
    let worker_vars = |name: &str| process_vars("OPSDECK_WORKER_BIND", name);
    let mut servers = Vec::new();
    for api in &api_vars {
        servers.push(Server::start(&["--no-worker"], &as_refs(api)).await?);
    }
    let first_worker_vars = worker_vars("worker-1");
    let second_worker_vars = worker_vars("worker-2");
    let mut workers = vec![
        Server::start_worker(&[], &as_refs(&first_worker_vars)).await?,
        Server::start_worker(&[], &as_refs(&second_worker_vars)).await?,
    ];
    let cluster_up = started.elapsed();
    for worker in &workers {
        let ready = reqwest::get(format!("{}/readyz", worker.address)).await?;
        assert_eq!(ready.status(), StatusCode::OK, "the worker's own readiness probe");
        let metrics = reqwest::get(format!("{}/metrics", worker.address)).await?.text().await?;
        assert!(metrics.contains("opsdeck_jobs"), "the worker's metrics: {metrics}");
    }
    let apis: Vec<Api> =
        servers.iter().map(|s| Api { address: s.address.clone(), client: reqwest::Client::new() }).collect();
    let token = {
        let login = apis[0]
            .client
            .post(format!("{}/api/v1/auth/login", apis[0].address))
            .json(&json!({"username": "olga", "password": password}))
            .send()
            .await?;
        let body: Value = login.json().await?;
        body["access_token"].as_str().ok_or("login failed")?.to_owned()
    };

    // The bulk job, through the first API; preview and confirmation through the second.
    let work_started = Instant::now();
    let request = discount(shop, tenant_id);
    let preview = apis[1].post(&token, "/api/v1/bulk-jobs/preview", &request).await?;
    let mut confirmed = request.clone();
    confirmed["confirmation_token"] = preview["confirmation_token"].clone();
    let bulk = apis[0].post(&token, "/api/v1/bulk-jobs", &confirmed).await?;
    let bulk_id = bulk["id"].as_i64().ok_or("no bulk id")?;
    let bulk_path = format!("/api/v1/bulk-jobs/{bulk_id}");

    // Exports and webhook deliveries, alternating between the APIs; every delivery is sent
    // again to the other API, which answers it as a duplicate.
    let mut exports = Vec::new();
    for n in 0..EXPORTS {
        let dataset = ["orders", "products", "customers"][n % 3];
        let job = apis[n % 2]
            .post(&token, "/api/v1/export-jobs", &json!({"dataset": dataset, "tenant_id": tenant_id}))
            .await?;
        exports.push(job["id"].as_i64().ok_or("no export id")?);
    }
    let mut events = Vec::new();
    for n in 0..EVENTS {
        let body = event("order.paid", json!({"tenant": tenants[0].1, "order_id": reference(n), "amount_minor": 1500}));
        let id = format!("msg_cluster_{n}");
        let receipt = apis[n % 2].deliver(&id, &body).await?;
        assert_eq!(receipt["duplicate"], false, "{receipt}");
        events.push(receipt["id"].as_i64().ok_or("no event id")?);
        let again = apis[(n + 1) % 2].deliver(&id, &body).await?;
        assert_eq!(again["duplicate"], true, "{again}");
    }

    // SIGKILL the worker running the bulk job, mid-way.
    eventually(
        "the bulk job to process a row",
        Duration::from_secs(60),
        async || apis[0].get_json(&token, &bulk_path).await,
        |job| job["processed"].as_i64().unwrap_or(0) > 0,
    )
    .await?;
    let runner = latest_runner(&app, "bulk", bulk_id).await?;
    let killed = workers.iter().position(|w| w.pid() == runner).ok_or("the bulk job's runner is no worker of ours")?;
    workers.remove(killed).kill()?;
    let killed_at = Instant::now();
    let processed_at_kill = apis[0].get_json(&token, &bulk_path).await?["processed"].as_i64().unwrap_or(0);

    // The other worker takes it back once the lease expires; SIGTERM it while it runs the job.
    let survivor = workers.remove(0);
    eventually(
        "another worker to take the bulk job over",
        Duration::from_secs(60),
        async || apis[1].get_json(&token, &bulk_path).await,
        |job| job["processed"].as_i64().unwrap_or(0) > processed_at_kill + 200 || job["status"] == "DONE",
    )
    .await?;
    let takeover = killed_at.elapsed();
    let stopping = Instant::now();
    assert!(survivor.terminate().await?, "a stopped worker exits 0");
    let stop_time = stopping.elapsed();
    let after_stop = apis[1].get_json(&token, &bulk_path).await?;

    // A replacement finishes everything.
    let replacement_vars = worker_vars("worker-3");
    let replacement = Server::start_worker(&[], &as_refs(&replacement_vars)).await?;
    let done = eventually(
        "the bulk job to be DONE",
        Duration::from_secs(120),
        async || apis[1].get_json(&token, &bulk_path).await,
        |job| job["status"] == "DONE",
    )
    .await?;
    assert_eq!((done["processed"].as_i64(), done["succeeded"].as_i64()), (Some(PRODUCTS), Some(PRODUCTS)), "{done}");
    for &id in &exports {
        let path = format!("/api/v1/export-jobs/{id}");
        eventually(
            &format!("export {id} to be DONE"),
            Duration::from_secs(60),
            async || apis[id as usize % 2].get_json(&token, &path).await,
            |job| job["status"] == "DONE",
        )
        .await?;
    }
    for &id in &events {
        let path = format!("/api/v1/webhook-events/{id}");
        eventually(
            &format!("webhook event {id} to be PROCESSED"),
            Duration::from_secs(60),
            async || apis[id as usize % 2].get_json(&token, &path).await,
            |event| event["status"] == "PROCESSED",
        )
        .await?;
    }
    let work_done = work_started.elapsed();

    // Exactly once: every price discounted once, one succeeded run per job, every order paid.
    let after = prices(&app, &format!("shop_id = {shop}")).await?;
    let wrong: Vec<_> = before.iter().filter(|(id, price)| after[*id] != discounted(**price, -10)).take(5).collect();
    assert!(wrong.is_empty(), "prices not discounted exactly once: {wrong:?}");
    let bulk_runs =
        app.count(&format!("SELECT COUNT(*) FROM job_attempts WHERE job_kind = 'bulk' AND job_id = {bulk_id}")).await?;
    assert_eq!(bulk_runs, 3, "killed, stopped and handed back, finished");
    let list = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    for (kind, ids) in [("bulk", vec![bulk_id]), ("export", exports.clone()), ("webhook", events.clone())] {
        let succeeded = app
            .count(&format!(
                "SELECT COUNT(*) FROM job_attempts WHERE job_kind = '{kind}' AND job_id IN ({}) AND outcome = 'succeeded'",
                list(&ids)
            ))
            .await?;
        assert_eq!(succeeded, ids.len() as i64, "one succeeded run per {kind} job");
    }
    let paid =
        app.count("SELECT COUNT(*) FROM orders WHERE external_ref LIKE 'ord_cluster_%' AND status = 'paid'").await?;
    assert_eq!(paid, EVENTS as i64);
    let stored_events = app.count("SELECT COUNT(*) FROM webhook_events WHERE event_id LIKE 'msg_cluster_%'").await?;
    assert_eq!(stored_events, EVENTS as i64, "duplicates were not stored");

    // Every download works from either API, byte for byte the same, from the bucket.
    for &id in &exports {
        let job = apis[0].get_json(&token, &format!("/api/v1/export-jobs/{id}")).await?;
        for api in &apis {
            let download = api.get(&token, &format!("/api/v1/export-jobs/{id}/download")).await?;
            assert_eq!(download.status(), StatusCode::OK, "export {id} from {}", api.address);
            let bytes = download.bytes().await?;
            assert_eq!(job["checksum_sha256"], json!(hex::encode(Sha256::digest(&bytes))), "export {id}");
        }
    }
    // Each export's file is the object its job row names. A run killed between its upload and
    // its DONE leaves its own object behind (a new run writes under a new key), counted below.
    let objects = s3.keys("cluster").await?;
    let stored = app
        .db
        .conn()
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.backend(),
            format!("SELECT storage_key FROM export_jobs WHERE id IN ({})", list(&exports)),
        ))
        .await?;
    for row in &stored {
        let key: String = row.try_get_by_index(0)?;
        assert!(objects.contains(&format!("exports/{key}")), "{key} is in the bucket: {objects:?}");
    }
    assert_eq!(stored.len(), EXPORTS);
    let ours = objects.iter().filter(|key| exports.iter().any(|id| key.starts_with(&format!("exports/{id}-")))).count();
    let orphans = ours - EXPORTS;
    // The audit chain holds after all of it.
    let verify = opsdeck(&["audit", "verify"], &[("OPSDECK_DATABASE_URL", app.settings.database.url.expose_secret())])?;
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    let verified = String::from_utf8_lossy(&verify.stdout).trim().to_owned();

    eprintln!(
        "cluster: 2 api + 2 workers up in {:.1} s (from a fresh database, seeding included); {PRODUCTS}-product bulk job \
         (chunks of {CHUNK}), {EXPORTS} exports, {EVENTS} webhook events (+{EVENTS} duplicates) all done in {:.1} s; \
         worker SIGKILLed at {processed_at_kill} rows, the other took over and had {} rows {:.1} s later; \
         SIGTERM stop took {:.2} s (job {} at {} rows); {bulk_runs} bulk runs, 1 succeeded run per job; \
         {} export downloads from each API ({orphans} objects left by interrupted runs); {verified}; total {:.1} s",
        cluster_up.as_secs_f64(),
        work_done.as_secs_f64(),
        after_stop["processed"],
        takeover.as_secs_f64(),
        stop_time.as_secs_f64(),
        after_stop["status"],
        after_stop["processed"],
        exports.len(),
        started.elapsed().as_secs_f64(),
    );
    assert!(replacement.terminate().await?);
    for server in servers {
        assert!(server.terminate().await?, "an API stopped with SIGTERM exits 0");
    }
    let _ = std::fs::remove_dir_all(scratch);
    Ok(())
}
