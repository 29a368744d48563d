//! Building and running the HTTP server.

use std::{net::TcpListener, sync::Arc};

use tokio::sync::watch;

use actix_web::{
    App, HttpRequest, HttpServer, dev::Server, error::JsonPayloadError, http::StatusCode, middleware::from_fn, web,
};
use opsdeck_domain::{Db, auth::jwt::KeyRing, config::Settings, events::ChangeFeed, exports};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    audit_trail, auth, body_limit,
    config::HttpSettings,
    contract::{Contract, ContractError},
    idempotency,
    metrics::Metrics,
    openapi,
    problem::ApiError,
    refusal_digest::RefusalDigest,
    request_id, routes, security_headers, spa,
    state::AppState,
};

/// A bound, not yet running, HTTP server.
pub struct Application {
    port: u16,
    server: Server,
    db: Db,
    refusals: Arc<RefusalDigest>,
    /// Set when a stop begins: the live-event streams end at once.
    stopping: watch::Sender<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {address}: {source}")]
    Bind { address: String, source: std::io::Error },
    #[error("cannot set up metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("cannot load the token signing keys: {0}")]
    Keys(opsdeck_domain::DomainError),
    #[error("cannot set up the export store: {0}")]
    ExportStore(opsdeck_domain::DomainError),
    #[error("cannot enforce the OpenAPI document: {0}")]
    Contract(#[from] ContractError),
}

impl Application {
    /// Binds `http.bind` (port 0 picks a free port, as the tests do).
    pub fn build(settings: Arc<Settings>, http: Arc<HttpSettings>, db: Db) -> Result<Self, StartError> {
        let address = http.bind;
        let listener =
            TcpListener::bind(address).map_err(|source| StartError::Bind { address: address.to_string(), source })?;
        let port =
            listener.local_addr().map_err(|source| StartError::Bind { address: address.to_string(), source })?.port();
        let keys = KeyRing::load(&settings.auth, &settings.storage.dir).map_err(StartError::Keys)?;
        let store = exports::open_store(&settings.storage).map_err(StartError::ExportStore)?;
        // Each actix worker is a single-threaded runtime, and a PostgreSQL connection's socket is
        // driven by the runtime that opened it: with one pool shared by the workers, the reply to
        // one worker's query would wait until the worker that opened the connection next polls
        // its I/O. So each worker opens its share of the pool itself (`Db::with_own_pool`).
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let pool_share = (settings.database.max_connections / workers as u32).max(1);
        let refusals = Arc::new(RefusalDigest::default());
        let stopping = watch::Sender::new(false);
        let feed = ChangeFeed::start(db.clone(), http.events_safety_poll);
        let state = AppState {
            db: db.clone(),
            settings,
            http,
            keys: Arc::new(keys),
            store,
            metrics: Metrics::new()?,
            refusals: refusals.clone(),
            streams: Arc::default(),
            feed,
            stopping: stopping.subscribe(),
        };
        let document = openapi::document();
        let contract = web::Data::new(Contract::new(&document)?);
        let server = HttpServer::new(move || {
            let worker_state = AppState { db: state.db.with_own_pool(pool_share), ..state.clone() };
            app(web::Data::new(worker_state), contract.clone(), document.clone())
        })
        .workers(workers)
        .listen(listener)
        .map_err(|source| StartError::Bind { address: address.to_string(), source })?
        .shutdown_timeout(30)
        // Stopped by `run_until_stopped`, which ends the live streams first.
        .disable_signals()
        .run();
        Ok(Self { port, server, db, refusals, stopping })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM; then ends the live-event streams at once (their clients
    /// reconnect to another instance), finishes in-flight requests (up to 30 s) and records the
    /// refusals still being counted.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Self { server, db, refusals, stopping, .. } = self;
        let handle = server.handle();
        let mut server = std::pin::pin!(server);
        let served = tokio::select! {
            served = &mut server => served,
            never = refusals.record_ended_windows(&db) => match never {},
            () = stop_requested() => {
                stopping.send_replace(true);
                // The server future carries out the stop: poll it while the stop is awaited.
                let ((), served) = tokio::join!(handle.stop(true), &mut server);
                served
            }
        };
        refusals.record_all(&db).await;
        served
    }

    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}

/// SIGTERM (an orchestrator) or SIGINT (Ctrl-C).
async fn stop_requested() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; stop with SIGINT");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

fn app(
    state: web::Data<AppState>,
    contract: web::Data<Contract>,
    document: utoipa::openapi::OpenApi,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let max_body = state.http.max_body_bytes;
    let static_dir = state.http.static_dir.clone();
    let (app, _) = App::new()
        .into_utoipa_app()
        .openapi(openapi::base())
        .app_data(state)
        .app_data(contract)
        .app_data(json_config(max_body))
        .app_data(web::QueryConfig::default().error_handler(|error, _| {
            ApiError::http(StatusCode::UNPROCESSABLE_ENTITY, "invalid_query", error.to_string()).into()
        }))
        .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::not_found().into()))
        .configure(routes::ops)
        .configure(routes::api_v1)
        .default_service(web::to(fallback))
        .split_for_parts();
    app.service(web::redirect("/api/docs", "/api/docs/"))
        .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", document))
        // Last, so every API route is matched before the app's files and history fallback.
        .configure(move |config| {
            if let Some(dir) = &static_dir {
                config.service(spa::service(dir));
            }
        })
        // Registered first = innermost: a rejected body still gets a request id and metrics.
        .wrap(from_fn(idempotency::replay_or_record))
        .wrap(from_fn(audit_trail::record_refusals))
        .wrap(from_fn(auth::authenticate))
        .wrap(from_fn(body_limit::reject_oversized))
        .wrap(from_fn(crate::metrics::record))
        .wrap(from_fn(security_headers::add))
        .wrap(from_fn(request_id::propagate))
        .wrap(TracingLogger::default())
}

fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(|error, _| {
        let api_error = match &error {
            JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
                ApiError::http(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", error.to_string())
            }
            JsonPayloadError::ContentType => ApiError::http(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the body must be JSON, sent with `Content-Type: application/json`",
            ),
            JsonPayloadError::Deserialize(cause) if cause.is_data() => {
                ApiError::http(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", cause.to_string())
            }
            _ => ApiError::http(StatusCode::BAD_REQUEST, "malformed_json", error.to_string()),
        };
        api_error.into()
    })
}

/// No route matched: 405 when the path exists under another method, else 404.
async fn fallback(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    if req.resource_map().has_resource(req.path()) {
        Err(ApiError::http(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{} is not allowed on {}", req.method(), req.path()),
        ))
    } else {
        Err(ApiError::not_found())
    }
}
