//! The worker's housekeeping as an operator sees it: queue metrics, and the audit log pruned
//! on schedule without breaking its chain.

use std::time::Duration;

use chrono::Utc;
use opsdeck_domain::{audit::verify::verify, schedule};

use crate::helpers::{TestApp, TestResult, eventually};

#[tokio::test]
async fn metrics_show_the_job_queues() -> TestResult {
    let app = TestApp::spawn().await?;
    app.seed().await?;
    let failed = app.count("SELECT COUNT(*) FROM export_jobs WHERE status = 'FAILED'").await?;
    assert!(failed > 0);

    let metrics = app.get("/metrics").await?.text().await?;
    assert!(metrics.contains(&format!("opsdeck_jobs{{kind=\"export\",status=\"FAILED\"}} {failed}")), "{metrics}");
    assert!(metrics.contains("opsdeck_queue_depth{kind=\"export\"}"));
    assert!(metrics.contains("opsdeck_queue_oldest_due_seconds{kind=\"webhook\"}"));
    Ok(())
}

#[tokio::test]
async fn the_worker_prunes_the_audit_log_past_its_retention_and_the_chain_still_verifies() -> TestResult {
    let app = TestApp::spawn_with(&[("OPSDECK_AUDIT_RETENTION_DAYS", "30"), ("OPSDECK_WORKER_POLL_MS", "100")]).await?;
    app.seed().await?;
    let cutoff = (Utc::now() - chrono::Duration::days(30)).to_rfc3339();
    let old = format!("SELECT COUNT(*) FROM audit_log WHERE occurred_at < '{cutoff}'");
    // A minute of margin: the worker computes its own cutoff a little later.
    let recent = (Utc::now() - chrono::Duration::days(30) + chrono::Duration::minutes(1)).to_rfc3339();
    let kept_before = app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE occurred_at >= '{recent}'")).await?;
    assert!(app.count(&old).await? > 0, "the demo history reaches back a year");

    let worker = app.start_worker().await?;
    eventually(
        "no audit entry past the retention",
        Duration::from_secs(20),
        async || app.count(&old).await,
        |left| *left == 0,
    )
    .await?;
    worker.shutdown().await;
    let kept = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE occurred_at >= '{recent}' AND action <> 'audit_log.prune'"
        ))
        .await?;
    assert_eq!(kept, kept_before, "nothing within the retention is touched");
    let report = verify(&app.db).await?;
    assert!(report.broken.is_none(), "{:?}", report.broken);

    // The hour's slot is taken: a second worker process would not prune again.
    assert!(!schedule::claim_slot(&app.db, "audit.prune", schedule::hour_slot(Utc::now())).await?);
    Ok(())
}
