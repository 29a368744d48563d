//! Prometheus metrics: request counts and latency histograms per route template.

use std::time::Instant;

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use opsdeck_domain::jobs::KindStats;
use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::state::AppState;

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    jobs: IntGaugeVec,
    queue_depth: IntGaugeVec,
    oldest_due: GaugeVec,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("opsdeck".to_owned()), None)?;
        let labels = ["method", "route", "status"];
        let requests = IntCounterVec::new(Opts::new("http_requests_total", "HTTP requests answered"), &labels)?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to answer an HTTP request")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &labels,
        )?;
        let jobs = IntGaugeVec::new(Opts::new("jobs", "Job rows by kind and status"), &["kind", "status"])?;
        let queue_depth =
            IntGaugeVec::new(Opts::new("queue_depth", "PENDING jobs whose time has come, by kind"), &["kind"])?;
        let oldest_due = GaugeVec::new(
            Opts::new("queue_oldest_due_seconds", "How long the oldest due PENDING job has waited, by kind"),
            &["kind"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(jobs.clone()))?;
        registry.register(Box::new(queue_depth.clone()))?;
        registry.register(Box::new(oldest_due.clone()))?;
        Ok(Self { registry, requests, latency, jobs, queue_depth, oldest_due })
    }

    /// Sets the queue gauges from a fresh reading (taken at scrape time).
    pub fn set_jobs(&self, stats: &[KindStats]) {
        self.jobs.reset();
        for kind in stats {
            let name = kind.kind.as_str();
            for (status, count) in &kind.by_status {
                self.jobs.with_label_values(&[name, status.as_str()]).set(*count);
            }
            self.queue_depth.with_label_values(&[name]).set(kind.due);
            self.oldest_due.with_label_values(&[name]).set(kind.oldest_due_seconds);
        }
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// The text exposition format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// Records every request under its route template (`/api/v1/export-jobs/{id}`), never the raw
/// path, so label cardinality stays bounded.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = crate::route::pattern(req.request());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let response = next.call(req).await?;
    if let Some(state) = state {
        let route = route.as_deref().unwrap_or("unmatched");
        state.metrics.observe(&method, route, response.status().as_u16(), started.elapsed().as_secs_f64());
    }
    Ok(response)
}
