//! Live progress over Server-Sent Events: `GET /api/v1/events` pushes changes of the caller's
//! bulk and export jobs (progress and terminal states), in the caller's scope.
//!
//! Every stream of the process hears the process's one change feed (`opsdeck_domain::events`,
//! told of each change by the database or the worker) and keeps the changes its caller may
//! see; a stream costs the database nothing between changes. The caller is re-authenticated
//! before a change is sent when the last check is 30 s old, so nothing reaches an expired
//! token, a deactivated user or a revoked role, and their stream ends; the client reconnects
//! with a fresh token. An idle stream is checked every 15 minutes (an access token lives at
//! most that long), which frees the slot of a caller gone meanwhile without a query per
//! stream every 30 s.

use std::{collections::VecDeque, convert::Infallible, sync::Arc, time::Duration};

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::{StatusCode, header},
    web,
    web::Bytes,
};
use chrono::{DateTime, Utc};
use opsdeck_domain::{
    DomainError,
    access::{Caller, Permission, Scope},
    auth::authenticate::caller_from_bearer,
    enums::{ExportJobStatus, KpiRebuildStatus},
    events::{Feeds, JobChange},
    jobs::ErrorAudience,
};
use serde::Serialize;
use tokio::{
    sync::broadcast::{Receiver, error::RecvError},
    time::Instant,
};

use crate::extract::Query;
use crate::{
    auth::{Authenticated, bearer_token},
    problem::{ApiError, ApiResult, Problem},
    routes::{bulk::BulkJobView, catalog::TenantQuery, exports::ExportJobView, kpis::RebuildJobView},
    state::AppState,
};

const KEEP_ALIVE_EVERY: Duration = Duration::from_secs(15);
/// The oldest check of the caller a change is sent on.
const REAUTHENTICATE_EVERY: Duration = Duration::from_secs(30);
/// How often a stream with nothing to send checks its caller.
const REAUTHENTICATE_IDLE_EVERY: Duration = Duration::from_secs(900);

/// What the subscriber may see, derived from the caller (again at each re-authentication).
fn feeds_for(caller: &Caller, tenant_id: Option<i64>) -> Result<(Scope, Feeds, ErrorAudience), DomainError> {
    let bulk = caller.authorize(Permission::BulkRead);
    let exports = caller.authorize(Permission::ExportsRead);
    let kpi_rebuilds = caller.authorize(Permission::KpisRebuild);
    let feeds = Feeds { bulk: bulk.is_ok(), exports: exports.is_ok(), kpi_rebuilds: kpi_rebuilds.is_ok() };
    let scope = bulk.or(exports).or(kpi_rebuilds)?;
    Ok((scope.narrow(tenant_id)?, feeds, ErrorAudience::of(caller)))
}

fn frame(event: &str, id: &str, data: &impl Serialize) -> Bytes {
    let data = serde_json::to_string(data).unwrap_or_else(|_| "null".to_owned());
    Bytes::from(format!("event: {event}\nid: {id}\ndata: {data}\n\n"))
}

/// The frame for a change; an error when the job's row cannot be read.
fn render(change: &JobChange, audience: ErrorAudience) -> Result<Bytes, DomainError> {
    let version = |at: DateTime<Utc>, status: &str| format!("{}:{status}", at.timestamp_micros());
    match change {
        JobChange::Bulk(job) => {
            let event = if job.status.is_finished() { "bulk_job.finished" } else { "bulk_job.progress" };
            let id = format!("bulk_job-{}-{}", job.id, version(job.updated_at, job.status.as_str()));
            Ok(frame(event, &id, &BulkJobView::new(job.clone(), audience)?))
        }
        JobChange::Export(job) => {
            let finished = matches!(job.status, ExportJobStatus::Done | ExportJobStatus::Failed);
            let event = if finished { "export_job.finished" } else { "export_job.progress" };
            let id = format!("export_job-{}-{}", job.id, version(job.updated_at, job.status.as_str()));
            Ok(frame(event, &id, &ExportJobView::new(job.clone(), audience)?))
        }
        JobChange::KpiRebuild(job) => {
            let finished = matches!(job.status, KpiRebuildStatus::Done | KpiRebuildStatus::Failed);
            let event = if finished { "kpi_rebuild_job.finished" } else { "kpi_rebuild_job.progress" };
            let id = format!("kpi_rebuild_job-{}-{}", job.id, version(job.updated_at, job.status.as_str()));
            Ok(frame(event, &id, &RebuildJobView::from(job.clone())))
        }
    }
}

/// One connection's state between frames.
struct Subscription {
    state: web::Data<AppState>,
    bearer: String,
    tenant_id: Option<i64>,
    scope: Scope,
    feeds: Feeds,
    audience: ErrorAudience,
    changes: Receiver<Arc<JobChange>>,
    stopping: tokio::sync::watch::Receiver<bool>,
    pending: VecDeque<Bytes>,
    last_frame: Instant,
    last_authenticated: Instant,
}

impl Subscription {
    /// The next frame to send, or `None` to end the stream.
    async fn next(&mut self) -> Option<Bytes> {
        loop {
            if let Some(frame) = self.pending.pop_front() {
                self.last_frame = Instant::now();
                return Some(frame);
            }
            let stopping = &mut self.stopping;
            let stop = async move {
                let _ = stopping.wait_for(|stopping| *stopping).await;
            };
            tokio::select! {
                change = self.changes.recv() => match change {
                    Ok(change) if change.visible_to(self.scope, self.feeds) => {
                        if self.last_authenticated.elapsed() >= REAUTHENTICATE_EVERY && !self.reauthenticate().await {
                            return None;
                        }
                        // Seen again with the rights just read.
                        if change.visible_to(self.scope, self.feeds) {
                            match render(&change, self.audience) {
                                Ok(frame) => self.pending.push_back(frame),
                                // The stream goes on without this change; the error names the row.
                                Err(error) => tracing::error!(%error, "a job change could not be rendered"),
                            }
                        }
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(missed)) => {
                        // The client reconnects and reads its lists again.
                        tracing::info!(missed, "event stream ended: it fell behind the change feed");
                        return None;
                    }
                    Err(RecvError::Closed) => return None,
                },
                () = tokio::time::sleep_until(self.last_frame + KEEP_ALIVE_EVERY) => {
                    self.pending.push_back(Bytes::from_static(b": keep-alive\n\n"));
                }
                // The server is stopping: end now, so the client reconnects to another instance.
                () = stop => return None,
                () = tokio::time::sleep_until(self.last_authenticated + REAUTHENTICATE_IDLE_EVERY) => {
                    if !self.reauthenticate().await {
                        return None;
                    }
                }
            }
        }
    }

    async fn reauthenticate(&mut self) -> bool {
        let state = &self.state;
        let caller = caller_from_bearer(&state.db, &state.keys, &state.settings.auth, &self.bearer).await;
        match caller.and_then(|caller| feeds_for(&caller, self.tenant_id)) {
            Ok((scope, feeds, audience)) => {
                (self.scope, self.feeds, self.audience) = (scope, feeds, audience);
                self.last_authenticated = Instant::now();
                true
            }
            Err(error) => {
                tracing::info!(%error, "event stream ended: the caller is no longer authorized");
                false
            }
        }
    }
}

/// Live job events (Server-Sent Events).
///
/// Events: `bulk_job.progress` and `bulk_job.finished` (data: the bulk job as in
/// `GET /bulk-jobs/{id}`), `export_job.progress` and `export_job.finished` (data: the export
/// job), `kpi_rebuild_job.progress` and `kpi_rebuild_job.finished` (data: the rebuild as in
/// `GET /kpis/rebuilds/{id}`; platform-wide, so not on a stream narrowed to a tenant), for the
/// jobs in your scope that you may read (`bulk:read`, `exports:read`, `kpis:rebuild`). Each
/// change is sent as it commits. Comment lines keep the connection alive every 15 s. The
/// stream ends when your access token expires or your rights change (checked before a change
/// is sent, and every 15 minutes while nothing is), and when it falls behind; reconnect with a
/// fresh token (and re-read the lists, since changes made while disconnected are not replayed).
#[utoipa::path(
    operation_id = "stream_events", tag = "events", params(TenantQuery),
    responses(
        (status = 200, description = "An endless `text/event-stream`", body = String, content_type = "text/event-stream"),
        (status = 403, description = "None of bulk:read, exports:read, kpis:rebuild", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "You hold `OPSDECK_EVENT_STREAMS_PER_CALLER` streams open on this server already (`too_many_streams`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(Authenticated::NAME))),
)]
#[get("/events")]
pub async fn stream_events(
    state: web::Data<AppState>,
    auth: Authenticated,
    tenant: Query<TenantQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let (scope, feeds, audience) = feeds_for(&auth.0, tenant.tenant_id)?;
    let limit = state.http.event_streams_per_caller;
    let slot = state.streams.take(auth.0.key(), limit).ok_or_else(|| {
        ApiError::http(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_streams",
            format!("you have {limit} live-event streams open already; close one (a browser tab) first"),
        )
    })?;
    let bearer = bearer_token(&req).unwrap_or_default();
    let changes = state.feed.subscribe();
    let stopping = state.stopping.clone();
    let subscription = Subscription {
        state,
        bearer,
        tenant_id: tenant.tenant_id,
        scope,
        feeds,
        audience,
        changes,
        stopping,
        // Sent at once, so the client knows it is connected (and how soon to reconnect).
        pending: VecDeque::from([Bytes::from_static(b"retry: 3000\n: connected\n\n")]),
        last_frame: Instant::now(),
        last_authenticated: Instant::now(),
    };
    // The slot travels with the stream and is freed when the stream is dropped.
    let stream = futures_util::stream::unfold((subscription, slot), |(mut subscription, slot)| async move {
        let frame = subscription.next().await?;
        Some((Ok::<_, Infallible>(frame), (subscription, slot)))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(stream))
}
