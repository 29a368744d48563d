//! The standalone worker's own small HTTP server: `/healthz`, `/readyz` and `/metrics` on
//! `OPSDECK_WORKER_BIND`, so an orchestrator can tell a stuck worker and Prometheus can scrape
//! its queues. Same answers as the API's endpoints of those names.

use std::net::{SocketAddr, TcpListener};

use actix_web::{App, HttpServer, dev::Server, web};
use opsdeck_domain::Db;

use crate::{
    StartError,
    metrics::Metrics,
    routes::health::{Health, exposition, readiness},
};

/// A bound, not yet running, probe server.
pub struct ProbeServer {
    address: SocketAddr,
    server: Server,
}

struct ProbeState {
    db: Db,
    metrics: Metrics,
}

impl ProbeServer {
    /// Binds `address` (port 0 picks a free port). One HTTP worker: probes are rare and small.
    pub fn build(address: SocketAddr, db: Db) -> Result<Self, StartError> {
        let bind_error = |source| StartError::Bind { address: address.to_string(), source };
        let listener = TcpListener::bind(address).map_err(bind_error)?;
        let address = listener.local_addr().map_err(bind_error)?;
        let state = web::Data::new(ProbeState { db, metrics: Metrics::new()? });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .route("/healthz", web::get().to(|| async { web::Json(Health { status: "ok" }) }))
                .route(
                    "/readyz",
                    web::get().to(|state: web::Data<ProbeState>| async move { readiness(&state.db).await }),
                )
                .route(
                    "/metrics",
                    web::get()
                        .to(|state: web::Data<ProbeState>| async move { exposition(&state.metrics, &state.db).await }),
                )
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .map_err(bind_error)?
        .run();
        Ok(Self { address, server })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves in the background until the returned handle stops it.
    pub fn spawn(self) -> actix_web::dev::ServerHandle {
        let handle = self.server.handle();
        tokio::spawn(self.server);
        handle
    }
}
