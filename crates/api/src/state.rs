//! What every handler can reach.

use std::sync::Arc;

use opsdeck_domain::{Db, auth::jwt::KeyRing, config::Settings};

use crate::metrics::Metrics;

pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub keys: KeyRing,
    pub metrics: Metrics,
}
