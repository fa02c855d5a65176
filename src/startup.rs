//! Building and running the service: state, router with its middleware, HTTP server,
//! graceful shutdown, logging.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::Settings;
use crate::{
    api, applications, auth, cases, checks, expenses, notifications, scheduling, settings, supervision, training,
    volunteers, web,
};

/// Largest request body accepted (receipt uploads have their own limit).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Calendar feeds this instance has built, kept while the data they show is unchanged.
    pub feeds: Arc<crate::calendar::cache::FeedCache>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route, wrapped in the middleware every request goes through.
pub fn build_router(state: AppState) -> Router {
    // Spans name the route pattern, never the URI: calendar and status-link tokens live
    // in paths and must not reach the logs.
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str());
            let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %request.method(), route, request_id)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));

    Router::new()
        .merge(web::routes())
        .merge(auth::routes())
        .merge(api::routes())
        .merge(volunteers::routes())
        .merge(training::routes())
        .merge(supervision::routes())
        .merge(settings::routes())
        .merge(notifications::routes())
        .merge(applications::routes())
        .merge(checks::routes())
        .merge(expenses::routes())
        .merge(scheduling::routes())
        .merge(cases::routes())
        .merge(crate::jobs::routes())
        .merge(crate::calendar::routes())
        .merge(crate::metrics::routes())
        .merge(crate::admin::routes())
        .merge(crate::privacy::routes())
        .fallback(web::errors::not_found)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(trace)
                .layer(from_fn_with_state(state.clone(), crate::metrics::record))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(from_fn_with_state(state.clone(), web::headers::security_headers))
                .layer(from_fn(web::errors::render_errors))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
                .layer(from_fn(limit_body))
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
                .layer(from_fn_with_state(state.clone(), auth::session::identify))
                .layer(from_fn_with_state(state.clone(), web::csrf::verify)),
        )
        .with_state(state)
}

/// The largest body a route takes: `MAX_BODY_BYTES`, except the receipt uploads.
pub fn body_limit_for(request: &Request) -> usize {
    let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
    if route.is_some_and(|route| expenses::UPLOAD_ROUTES.contains(&route)) {
        expenses::receipts::UPLOAD_BODY_LIMIT
    } else {
        MAX_BODY_BYTES
    }
}

/// Refuses bodies over the route's limit with 413: at once when the declared length is too
/// big, and while reading when a chunked body grows too big.
async fn limit_body(request: Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = body_limit_for(&request);
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return crate::error::AppError::PayloadTooLarge.into_response();
    }
    let request = request.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    next.run(request).await
}

/// A bound, ready-to-run service.
pub struct Application {
    listener: TcpListener,
    router: Router,
    pub state: AppState,
}

impl Application {
    /// Binds the listener; with port 0 the OS picks one (tests).
    pub async fn bind(db: DatabaseConnection, settings: Settings) -> std::io::Result<Self> {
        let listener = TcpListener::bind(settings.bind).await?;
        let state = AppState { db, settings: Arc::new(settings), metrics: Arc::default(), feeds: Arc::default() };
        let router = build_router(state.clone());
        Ok(Self { listener, router, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Structured logs to stderr, filtered by `RUST_LOG` (default `info`); JSON lines when
/// `CONVENE_LOG_FORMAT=json`.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("CONVENE_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = if json { builder.json().try_init() } else { builder.try_init() };
    // Already initialised (tests start many apps in one process): keep the first.
    drop(result);
}
