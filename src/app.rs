//! The assembly: every route and the middleware every request goes through, the HTTP server,
//! graceful shutdown, logging.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::Settings;
use crate::state::{AppState, BodyLimits, Guards};
use crate::{
    applications, auth, cases, checks, expenses, notifications, portal, scheduling, settings, supervision, training,
    web,
};

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
        .merge(crate::openapi::api_router())
        .merge(portal::routes())
        .merge(auth::routes())
        .merge(crate::accounts::routes())
        .merge(training::routes())
        .merge(supervision::routes())
        .merge(settings::routes())
        .merge(notifications::routes())
        .merge(applications::routes())
        .merge(checks::routes())
        .merge(crate::establishments::routes())
        .merge(expenses::routes())
        .merge(scheduling::routes())
        .merge(cases::routes())
        .merge(crate::jobs::routes())
        .merge(crate::calendar::routes())
        .route(web::metrics::METRICS_PATH, get(web::metrics::scrape))
        .merge(crate::admin::routes())
        .merge(crate::privacy::routes())
        .fallback(web::errors::not_found)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(trace)
                .layer(from_fn_with_state(state.clone(), web::metrics::record))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(from_fn_with_state(state.clone(), web::headers::security_headers))
                .layer(from_fn(web::errors::render_errors))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
                .layer(from_fn_with_state(state.clone(), limit_body))
                .layer(DefaultBodyLimit::max(state.body_limits.default))
                .layer(from_fn_with_state(state.clone(), auth::session::identify))
                .layer(from_fn_with_state(state.clone(), web::csrf::verify)),
        )
        .with_state(state)
}

/// Refuses bodies over the route's limit with 413: at once when the declared length is too
/// big, and while reading when a chunked body grows too big.
async fn limit_body(
    State(state): State<AppState>,
    request: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = state.body_limits.for_request(&request);
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

/// The routes that take larger bodies than `MAX_BODY_BYTES`: the receipt uploads.
fn body_limits() -> BodyLimits {
    let routes = expenses::UPLOAD_ROUTES.iter().map(|route| (*route, expenses::receipts::UPLOAD_BODY_LIMIT)).collect();
    BodyLimits { routes, ..BodyLimits::default() }
}

/// The case room's guards on live bookings, for the rooms below it that trigger them.
fn guards() -> Guards {
    Guards {
        closure_added: |txn, base_url, establishment, from, to| {
            Box::pin(cases::guards::closure_added(txn, base_url, establishment, from, to))
        },
        clearance_changed: |txn, base_url, volunteer| {
            Box::pin(cases::guards::clearance_changed(txn, base_url, volunteer))
        },
    }
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
        crate::notifications::sender::install(&settings.mail_from);
        let state = AppState::new(db, settings, body_limits(), guards());
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
