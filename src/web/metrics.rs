//! `GET /metrics` and the middleware that counts every request.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub const METRICS_PATH: &str = "/metrics";

/// Counts and times every request under its route pattern (`unmatched` for the 404 fallback).
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.observe_request(&method, &route, response.status(), started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: 404 for anyone outside the allowed ranges without the token, so the
/// endpoint does not announce itself.
pub async fn scrape(State(state): State<AppState>, request: Request) -> Result<Response, crate::error::AppError> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| state.settings.trusted_proxies.client(addr.ip(), request.headers()));
    if !state.settings.metrics.permits(peer, request.headers()) {
        return Err(crate::error::AppError::NotFound);
    }
    let text = state.metrics.render(&state.db).await?;
    Ok(([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response())
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route(METRICS_PATH, axum::routing::get(scrape))
}
