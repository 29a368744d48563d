//! Other work alongside a bulk job: a trickle of signed webhook deliveries (processed by the
//! same worker) and small export jobs, each timed from the moment it was asked for to the
//! moment the worker finished it. The same trickle with no bulk job running is the reference,
//! so "other jobs keep flowing" is read as two rows of figures, not asserted.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::{sync::watch, task::JoinHandle};

use crate::{
    api::Api,
    ingest::{Signer, send_signed},
    opsdeck::WEBHOOK_PROVIDER,
    stats::LoadFigures,
};

const DELIVERY_EVERY: Duration = Duration::from_millis(200);
const EXPORT_EVERY: Duration = Duration::from_secs(1);
/// How long the trickled work may take to finish once the trickle stopped.
const SETTLE_WITHIN: Duration = Duration::from_secs(120);

/// What the trickle saw; latencies in milliseconds.
#[derive(Clone, Debug, Serialize)]
pub struct Flow {
    /// The HTTP round trip of each signed delivery (stored and committed before the 2xx).
    pub delivery: LoadFigures,
    /// From a delivery's receipt to the worker having processed it (`received_at` to
    /// `processed_at`): includes waiting for the worker's next poll.
    pub event_processed: LoadFigures,
    /// From an export's creation to its CSV being ready (`created_at` to `finished_at`).
    pub export_done: LoadFigures,
}

/// Other work without and with a bulk job running.
#[derive(Clone, Debug, Serialize)]
pub struct Alongside {
    pub idle: Flow,
    pub during_bulk: Flow,
}

/// The tenant whose customers the trickle's webhooks sign up and whose customers it exports.
#[derive(Clone)]
pub struct TrickleTarget {
    pub tenant_id: i64,
    pub tenant_slug: String,
}

/// A running trickle; [`Trickle::finish`] stops it and waits for its work to be done.
pub struct Trickle {
    stop: watch::Sender<bool>,
    task: JoinHandle<anyhow::Result<Asked>>,
    api: Api,
}

struct Asked {
    started: Instant,
    deliveries: Vec<Duration>,
    delivery_errors: u64,
    events: Vec<i64>,
    exports: Vec<i64>,
}

impl Trickle {
    pub fn start(base_url: &str, api: &Api, signer: Signer, target: TrickleTarget) -> Self {
        let (stop, stopped) = watch::channel(false);
        let client = reqwest::Client::new();
        let url = format!("{base_url}/api/v1/webhooks/{WEBHOOK_PROVIDER}");
        let task_api = api.clone();
        let task = tokio::spawn(async move {
            let run = Utc::now().timestamp_micros();
            let mut asked = Asked {
                started: Instant::now(),
                deliveries: Vec::new(),
                delivery_errors: 0,
                events: Vec::new(),
                exports: Vec::new(),
            };
            let mut ticker = tokio::time::interval(DELIVERY_EVERY);
            let per_export = (EXPORT_EVERY.as_millis() / DELIVERY_EVERY.as_millis()).max(1) as usize;
            for n in 0.. {
                ticker.tick().await;
                if *stopped.borrow() {
                    break;
                }
                if n % per_export == 0 {
                    let export = json!({"dataset": "customers", "tenant_id": target.tenant_id});
                    let job = task_api.post("/api/v1/export-jobs", &export, StatusCode::ACCEPTED).await?;
                    asked.exports.push(job["id"].as_i64().context("no export job id")?);
                }
                let id = format!("msg_trickle_{run}_{n}");
                let sent = Instant::now();
                let response = send_signed(&client, &url, &signer, &target.tenant_slug, &id).await?;
                if response.status() == StatusCode::ACCEPTED {
                    asked.deliveries.push(sent.elapsed());
                    let receipt: Value = response.json().await?;
                    asked.events.push(receipt["id"].as_i64().context("no event id in the receipt")?);
                } else {
                    asked.delivery_errors += 1;
                }
            }
            Ok(asked)
        });
        Self { stop, task, api: api.clone() }
    }

    /// Stops asking, waits until every event and export it asked for is finished, and reads
    /// their timings from the API.
    pub async fn finish(self) -> anyhow::Result<Flow> {
        self.stop.send_replace(true);
        let asked = self.task.await.context("the trickle panicked")??;
        let elapsed = asked.started.elapsed();
        let settled = Instant::now();
        let events = Timed { collection: "webhook-events", from: "received_at", to: "processed_at", done: "PROCESSED" };
        let exports = Timed { collection: "export-jobs", from: "created_at", to: "finished_at", done: "DONE" };
        Ok(Flow {
            delivery: LoadFigures::from_latencies(asked.deliveries, asked.delivery_errors, elapsed),
            event_processed: events.figures(&self.api, &asked.events, settled, elapsed).await?,
            export_done: exports.figures(&self.api, &asked.exports, settled, elapsed).await?,
        })
    }
}

/// What the trickle times of one kind of work: the fields between which it ran, and the status
/// it ends in when it succeeded (any other final status counts as an error).
struct Timed {
    collection: &'static str,
    from: &'static str,
    to: &'static str,
    done: &'static str,
}

impl Timed {
    /// Waits for each of `ids` to finish and reads how long it took.
    async fn figures(&self, api: &Api, ids: &[i64], since: Instant, elapsed: Duration) -> anyhow::Result<LoadFigures> {
        let (mut latencies, mut errors) = (Vec::new(), 0);
        for id in ids {
            let resource = settle(api, &format!("/api/v1/{}/{id}", self.collection), since).await?;
            match between(&resource, self.from, self.to) {
                Some(latency) if resource["status"] == self.done => latencies.push(latency),
                _ => errors += 1,
            }
        }
        Ok(LoadFigures::from_latencies(latencies, errors, elapsed))
    }
}

/// Polls `path` until the job or webhook event is finished.
async fn settle(api: &Api, path: &str, since: Instant) -> anyhow::Result<Value> {
    loop {
        let resource = api.get(path).await?;
        let status = resource["status"].as_str();
        if matches!(status, Some("DONE" | "FAILED" | "PROCESSED" | "IGNORED")) {
            return Ok(resource);
        }
        if since.elapsed() > SETTLE_WITHIN {
            bail!("{path} was still {status:?} {} s after the trickle stopped", SETTLE_WITHIN.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn between(resource: &Value, from: &str, to: &str) -> Option<Duration> {
    let at = |field: &str| {
        resource[field].as_str().and_then(|text| DateTime::parse_from_rfc3339(text).ok()).map(|t| t.with_timezone(&Utc))
    };
    (at(to)? - at(from)?).to_std().ok()
}
