//! The two long jobs, run by the server's embedded worker and timed by the job's own
//! `started_at`..`finished_at` (so queueing and our polling interval are not counted).

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use crate::{
    api::Api,
    memory::{self, PeakSampler},
    stats::Throughput,
};

const POLL_EVERY: Duration = Duration::from_millis(200);
const GIVE_UP_AFTER: Duration = Duration::from_secs(900);

/// A 10% discount on every product (all tenants: the caller is staff).
pub async fn bulk_discount(api: &Api) -> anyhow::Result<Throughput> {
    let request = json!({"action": "product.price_change", "params": {"percent": -10}, "target": {"filter": {}}});
    let preview = api.post("/api/v1/bulk-jobs/preview", &request, StatusCode::OK).await?;
    let token = preview["confirmation_token"].as_str().context("no confirmation token in the preview")?;
    let mut confirmed = request.clone();
    confirmed["confirmation_token"] = json!(token);
    let job = api.post("/api/v1/bulk-jobs", &confirmed, StatusCode::ACCEPTED).await?;
    let id = job["id"].as_i64().context("no job id")?;
    let done = wait_until_finished(api, &format!("/api/v1/bulk-jobs/{id}"), &["DONE", "FAILED", "CANCELLED"]).await?;
    if done["status"] != "DONE" || done["failed"].as_i64() != Some(0) {
        bail!("the bulk job did not finish cleanly: {done}");
    }
    let rows = done["processed"].as_u64().context("no processed count")?;
    Ok(Throughput::new(rows, run_seconds(&done)?))
}

/// The export and the server's memory while it ran.
#[derive(Clone, Debug, Serialize)]
pub struct ExportRun {
    pub throughput: Throughput,
    pub rss_before_mib: f64,
    pub peak_rss_mib: f64,
}

/// A CSV export of the whole audit log.
pub async fn export_audit_log(api: &Api, server_pid: u32) -> anyhow::Result<ExportRun> {
    let rss_before_mib = memory::rss_mib(server_pid)?;
    let sampler = PeakSampler::start(server_pid);
    let job = api.post("/api/v1/export-jobs", &json!({"dataset": "audit_log"}), StatusCode::ACCEPTED).await?;
    let id = job["id"].as_i64().context("no job id")?;
    let done = wait_until_finished(api, &format!("/api/v1/export-jobs/{id}"), &["DONE", "FAILED"]).await;
    let peak_rss_mib = sampler.finish().await;
    let done = done?;
    if done["status"] != "DONE" {
        bail!("the export failed: {done}");
    }
    let rows = done["row_count"].as_u64().context("no row count")?;
    Ok(ExportRun { throughput: Throughput::new(rows, run_seconds(&done)?), rss_before_mib, peak_rss_mib })
}

async fn wait_until_finished(api: &Api, path: &str, final_states: &[&str]) -> anyhow::Result<Value> {
    let started = Instant::now();
    while started.elapsed() < GIVE_UP_AFTER {
        let job = api.get(path).await?;
        if final_states.iter().any(|state| job["status"] == *state) {
            return Ok(job);
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
    bail!("{path} did not finish within {} s", GIVE_UP_AFTER.as_secs())
}

fn run_seconds(job: &Value) -> anyhow::Result<f64> {
    let at = |field: &str| -> anyhow::Result<DateTime<Utc>> {
        let text = job[field].as_str().with_context(|| format!("no {field} in {job}"))?;
        Ok(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc))
    };
    Ok((at("finished_at")? - at("started_at")?).as_seconds_f64())
}
