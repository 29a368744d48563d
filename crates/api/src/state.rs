//! What every handler can reach.

use std::sync::Arc;

use opsdeck_domain::{Db, auth::jwt::KeyRing, config::Settings, events::ChangeFeed, exports::ExportStore};

use crate::{config::HttpSettings, metrics::Metrics, open_streams::OpenStreams, refusal_digest::RefusalDigest};

/// Cloned for each HTTP worker, which swaps in its own database pool (`Db::with_own_pool`).
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub http: Arc<HttpSettings>,
    pub keys: Arc<KeyRing>,
    /// Where export files are written by the worker and read for downloads.
    pub store: Arc<dyn ExportStore>,
    pub metrics: Metrics,
    /// Refused requests counted per source and minute, shared by every HTTP worker.
    pub refusals: Arc<RefusalDigest>,
    /// Live-event streams open per caller, shared by every HTTP worker.
    pub streams: Arc<OpenStreams>,
    /// The process's job change feed, which every live-event stream hears.
    pub feed: ChangeFeed,
    /// Turns true when the server begins to stop: live-event streams end then.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}
