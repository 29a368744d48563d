//! The live console at scale: open event streams cost the database nothing until a job
//! changes, a change reaches every stream at once (told by the database or the worker, not
//! found by a poll), each stream shows only its caller's tenant, and a job starts as soon as
//! it is asked for, whatever the worker's poll interval.

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use opsdeck_domain::enums::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    bulk::read_events,
    helpers::{TestApp, TestResult, eventually},
};

/// No safety poll in the life of a test: whatever a stream receives, it was told.
const NO_SAFETY_POLL: (&str, &str) = ("OPSDECK_EVENTS_SAFETY_POLL_MS", "600000");

async fn open_stream(app: &TestApp, token: &str, query: &str) -> TestResult<reqwest::Response> {
    let stream = app.client.get(app.url(&format!("/api/v1/events{query}"))).bearer_auth(token).send().await?;
    assert_eq!(stream.status(), StatusCode::OK);
    Ok(stream)
}

async fn export(app: &TestApp, token: &str, body: Value) -> TestResult<i64> {
    let response = app.post_as(token, "/api/v1/export-jobs", &body).await?;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let job: Value = response.json().await?;
    job["id"].as_i64().ok_or_else(|| "no id".into())
}

/// A stream as its reader sees it: the events so far.
#[derive(Default)]
struct Seen {
    buffer: String,
    events: Vec<(String, Value)>,
}

/// Reads the stream until an event about export `id` with `status` has arrived. Gives up
/// after 20 s (a bound for a stuck test, not a speed requirement).
async fn until_export(
    stream: &mut reqwest::Response,
    Seen { buffer, events: seen }: &mut Seen,
    id: i64,
    status: &str,
) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !seen.iter().any(|(event, data): &(String, Value)| {
        event.starts_with("export_job.") && data["id"] == id && data["status"] == status
    }) {
        if Instant::now() > deadline {
            return Err(format!("export {id} never reached {status} on the stream; saw {seen:?}").into());
        }
        if let Ok(events) = tokio::time::timeout(Duration::from_secs(1), read_events(stream, buffer)).await {
            seen.extend(events?);
        }
    }
    Ok(())
}

#[tokio::test]
async fn open_streams_leave_the_database_alone_until_a_job_changes_then_all_hear_it() -> TestResult {
    let app = TestApp::spawn_with(&[NO_SAFETY_POLL]).await?;
    let tenants = app.seed().await?;
    let (_, slug) = tenants.first().cloned().ok_or("no tenant")?;
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some(&slug)).await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let mut streams = vec![
        open_stream(&app, &partner, "").await?,
        open_stream(&app, &partner, "").await?,
        open_stream(&app, &ops, "").await?,
    ];

    // Three open streams and nothing happening: the server runs no statement at all.
    let before = app.server_statements.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let idle = app.server_statements.load(Ordering::Relaxed) - before;
    assert_eq!(idle, 0, "idle streams ran {idle} statements");

    // A partner asks for an export: every stream that may see it hears of it, without a poll.
    let id = export(&app, &partner, json!({"dataset": "customers"})).await?;
    for stream in &mut streams {
        until_export(stream, &mut Seen::default(), id, "PENDING").await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_jobs_progress_reaches_its_stream_as_the_worker_runs_it() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&[NO_SAFETY_POLL]).await?;
    let tenants = app.seed().await?;
    let (tenant_id, slug) = tenants.first().cloned().ok_or("no tenant")?;
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some(&slug)).await?;
    let mut stream = open_stream(&app, &partner, "").await?;

    let id = export(&app, &partner, json!({"dataset": "orders"})).await?;
    let mut seen = Seen::default();
    until_export(&mut stream, &mut seen, id, "DONE").await?;
    let done = seen.events.iter().find(|(_, data)| data["id"] == id && data["status"] == "DONE").ok_or("no DONE")?;
    assert_eq!(done.0, "export_job.finished");
    assert_eq!(done.1["tenant_id"], json!(tenant_id));
    assert_eq!(done.1["downloadable"], true);
    drop(stream);
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_stream_never_receives_another_tenants_job() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&[NO_SAFETY_POLL]).await?;
    let tenants = app.seed().await?;
    let [(own_id, own_slug), (foreign_id, foreign_slug)] = &tenants[..2] else {
        return Err("two tenants expected".into());
    };
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some(own_slug)).await?;
    let stranger = app.signed_in("sam", Role::PartnerAdmin, Some(foreign_slug)).await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let mut own_stream = open_stream(&app, &partner, "").await?;
    let mut staff_stream = open_stream(&app, &ops, "").await?;
    let mut narrowed_stream = open_stream(&app, &ops, &format!("?tenant_id={own_id}")).await?;

    // The foreign jobs come first, so a leak would be in the stream before the own job ends.
    let foreign = export(&app, &stranger, json!({"dataset": "orders"})).await?;
    let foreign_by_staff = export(&app, &ops, json!({"dataset": "customers", "tenant_id": foreign_id})).await?;
    let platform = export(&app, &ops, json!({"dataset": "products"})).await?;
    let own = export(&app, &partner, json!({"dataset": "orders"})).await?;

    let (mut own_seen, mut staff_seen, mut narrowed_seen) = (Seen::default(), Seen::default(), Seen::default());
    for id in [foreign, foreign_by_staff, platform, own] {
        until_export(&mut staff_stream, &mut staff_seen, id, "DONE").await?;
    }
    until_export(&mut own_stream, &mut own_seen, own, "DONE").await?;
    until_export(&mut narrowed_stream, &mut narrowed_seen, own, "DONE").await?;

    for (who, seen) in [("the partner", &own_seen.events), ("staff narrowed to the tenant", &narrowed_seen.events)] {
        assert!(seen.iter().all(|(_, data)| data["tenant_id"] == json!(own_id)), "{who} saw {seen:?}");
    }
    drop((own_stream, staff_stream, narrowed_stream));
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_job_starts_when_asked_not_at_the_workers_next_poll() -> TestResult {
    // A minute between polls: a job that waited for one would not be done for a minute.
    let (app, worker) = TestApp::spawn_with_worker(&[("OPSDECK_WORKER_POLL_MS", "60000")]).await?;
    let tenants = app.seed().await?;
    let (_, slug) = tenants.first().cloned().ok_or("no tenant")?;
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some(&slug)).await?;
    // The worker's first sweep (at its start) is behind us.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let id = export(&app, &partner, json!({"dataset": "customers"})).await?;
    let path = format!("/api/v1/export-jobs/{id}");
    eventually(
        "the export to be DONE",
        Duration::from_secs(20),
        async || Ok(app.get_as(&partner, &path).await?.json::<Value>().await?),
        |job| job["status"] == "DONE",
    )
    .await?;
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_queue_table_keeps_no_doorbell_that_rang() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&[]).await?;
    let tenants = app.seed().await?;
    let (_, slug) = tenants.first().cloned().ok_or("no tenant")?;
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some(&slug)).await?;
    let table = match app.db.backend() {
        sea_orm::DbBackend::Postgres => "apalis.jobs",
        _ => "Jobs",
    };
    let doorbells = format!("SELECT COUNT(*) FROM {table} WHERE job_type = 'opsdeck.jobs'");

    let mut ids = Vec::new();
    for dataset in ["customers", "orders", "products"] {
        ids.push(export(&app, &partner, json!({"dataset": dataset})).await?);
    }
    let finished = format!(
        "SELECT COUNT(*) FROM export_jobs WHERE status = 'DONE' AND id IN ({})",
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
    );
    eventually(
        &format!("(exports DONE, doorbells left in {table}) to be (3, 0)"),
        Duration::from_secs(30),
        async || Ok((app.count(&finished).await?, app.count(&doorbells).await?)),
        |seen| *seen == (3, 0),
    )
    .await?;
    worker.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_kpi_rebuild_is_followed_to_its_end_on_the_stream_and_read_back() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&[NO_SAFETY_POLL]).await?;
    let tenants = app.seed().await?;
    let (_, slug) = tenants.first().cloned().ok_or("no tenant")?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some(&slug)).await?;
    let mut stream = open_stream(&app, &ops, "").await?;

    let today = chrono::Utc::now().date_naive();
    let range = json!({"from": today - chrono::Duration::days(2), "to": today});
    let response = app.post_as(&ops, "/api/v1/kpis/rebuild", &range).await?;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let queued: Value = response.json().await?;
    let id = queued["id"].as_i64().ok_or("no id")?;
    assert_eq!(queued["status"], "PENDING");

    let (mut buffer, mut seen) = (String::new(), Vec::new());
    let deadline = Instant::now() + Duration::from_secs(20);
    while !seen.iter().any(|(event, data): &(String, Value)| event == "kpi_rebuild_job.finished" && data["id"] == id) {
        assert!(Instant::now() < deadline, "the rebuild never finished on the stream; saw {seen:?}");
        if let Ok(events) = tokio::time::timeout(Duration::from_secs(1), read_events(&mut stream, &mut buffer)).await {
            seen.extend(events?);
        }
    }
    let finished = seen.iter().find(|(event, _)| event == "kpi_rebuild_job.finished").ok_or("no end")?;
    assert_eq!(finished.1["status"], "DONE");

    let read: Value = app.get_as(&ops, &format!("/api/v1/kpis/rebuilds/{id}")).await?.json().await?;
    assert_eq!((read["status"].as_str(), read["to"].as_str()), (Some("DONE"), Some(today.to_string().as_str())));
    assert!(read["finished_at"].is_string(), "{read}");
    assert_eq!(app.get_as(&partner, &format!("/api/v1/kpis/rebuilds/{id}")).await?.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get_as(&ops, "/api/v1/kpis/rebuilds/999999").await?.status(), StatusCode::NOT_FOUND);
    drop(stream);
    worker.shutdown().await;
    Ok(())
}
