//! What every handler can reach.

use std::sync::Arc;

use opsdeck_domain::{Db, config::Settings};

use crate::metrics::Metrics;

pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub metrics: Metrics,
}
