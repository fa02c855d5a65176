//! Operational metrics in the Prometheus text format at `GET /metrics`: requests by route
//! pattern and status, latency, outbox depth and failures, scheduler runs.
//!
//! prometheus-client (the Prometheus project's own Rust client) keeps its registry in a value,
//! not a process-wide global, so each `AppState` (and each test app) has its own counters.

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use entity::outbox_message::{self, OutboxStatus};
use ipnet::IpNet;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::startup::AppState;

pub const METRICS_PATH: &str = "/metrics";

/// Who may scrape: a peer address inside one of `allow`, or a matching bearer token.
#[derive(Clone, Debug)]
pub struct MetricsAccess {
    pub allow: Vec<IpNet>,
    /// Never printed; compared by hash in constant time.
    pub token: Option<String>,
}

impl Default for MetricsAccess {
    /// Loopback only, no token.
    fn default() -> Self {
        Self { allow: parse_allow_list(DEFAULT_ALLOW).unwrap_or_default(), token: None }
    }
}

pub const DEFAULT_ALLOW: &str = "127.0.0.0/8,::1/128";

/// A comma-separated list of CIDR ranges (a bare address is its own /32 or /128); empty
/// means no address is allowed (token only).
pub fn parse_allow_list(raw: &str) -> Result<Vec<IpNet>, String> {
    crate::web::proxies::parse_ranges("CONVENE_METRICS_ALLOW", raw)
}

impl MetricsAccess {
    pub fn permits(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> bool {
        let by_address = peer.is_some_and(|ip| {
            let ip = crate::web::proxies::canonical(ip);
            self.allow.iter().any(|net| net.contains(&ip))
        });
        by_address || self.token_matches(headers)
    }

    fn token_matches(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = self.token.as_deref().filter(|t| !t.is_empty()) else {
            return false;
        };
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        presented.is_some_and(|presented| {
            // Hash both so the comparison takes the same time whatever the lengths.
            Sha256::digest(presented.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes())).into()
        })
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The matched route pattern (`/calendar/{token}`), never the path itself.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    scheduler_runs: Family<OutcomeLabels, Counter>,
    outbox_queued: Gauge,
    outbox_failed: Gauge,
    /// Encoding reads every metric; one scrape at a time keeps the gauges and text together.
    scrape: Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("convene");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let scheduler_runs = Family::<OutcomeLabels, Counter>::default();
        // Both outcomes show from the start (as 0), so a rate() over them works before the first run.
        for outcome in ["ok", "error"] {
            drop(scheduler_runs.get_or_create(&OutcomeLabels { outcome }));
        }
        let outbox_queued = Gauge::default();
        let outbox_failed = Gauge::default();
        registry.register("http_requests", "HTTP requests answered, by route pattern and status", requests.clone());
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request, by route pattern",
            prometheus_client::registry::Unit::Seconds,
            latency.clone(),
        );
        registry.register("scheduler_runs", "Runs of the every-minute sweep, by outcome", scheduler_runs.clone());
        registry.register("outbox_queued", "Emails in the outbox waiting to be sent", outbox_queued.clone());
        registry.register("outbox_failed", "Emails in the outbox that failed for good", outbox_failed.clone());
        Self { registry, requests, latency, scheduler_runs, outbox_queued, outbox_failed, scrape: Mutex::new(()) }
    }

    pub fn observe_request(&self, method: &str, route: &str, status: StatusCode, seconds: f64) {
        let (method, route) = (method.to_owned(), route.to_owned());
        self.latency.get_or_create(&RouteLabels { method: method.clone(), route: route.clone() }).observe(seconds);
        self.requests.get_or_create(&RequestLabels { method, route, status: status.as_u16() }).inc();
    }

    /// Counts one run of the scheduled sweep.
    pub fn scheduler_ran(&self, succeeded: bool) {
        self.scheduler_runs.get_or_create(&OutcomeLabels { outcome: if succeeded { "ok" } else { "error" } }).inc();
    }

    /// The text exposition, with the outbox gauges read from the database now.
    pub async fn render(&self, db: &impl ConnectionTrait) -> Result<String, DbErr> {
        let queued = count_outbox(db, OutboxStatus::Queued).await?;
        let failed = count_outbox(db, OutboxStatus::Failed).await?;
        let _one_scrape = self.scrape.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.outbox_queued.set(queued);
        self.outbox_failed.set(failed);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .map_err(|e| DbErr::Custom(format!("encoding metrics: {e}")))?;
        Ok(text)
    }
}

async fn count_outbox(db: &impl ConnectionTrait, status: OutboxStatus) -> Result<i64, DbErr> {
    let n = outbox_message::Entity::find().filter(outbox_message::Column::Status.eq(status)).count(db).await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_parse_ranges_and_bare_addresses_and_refuse_nonsense() {
        let nets = parse_allow_list(" 10.0.0.0/8, 192.168.1.7 ,::1/128,").expect("valid list");
        assert_eq!(nets.len(), 3);
        assert!(parse_allow_list("").expect("empty").is_empty());
        assert!(parse_allow_list("10.0.0.0/33").is_err());
        assert!(parse_allow_list("localhost").is_err());
    }

    #[test]
    fn access_by_range_mapped_ipv4_and_token() {
        let access = MetricsAccess { allow: parse_allow_list("10.0.0.0/8").unwrap_or_default(), token: None };
        let none = HeaderMap::new();
        assert!(access.permits(Some("10.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))), &none));
        assert!(access.permits(Some("::ffff:10.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))), &none));
        assert!(!access.permits(Some(IpAddr::from([127, 0, 0, 1])), &none));
        assert!(!access.permits(None, &none));
        let with_token = MetricsAccess { token: Some("s3cret".into()), ..access };
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, axum::http::HeaderValue::from_static("Bearer s3cret"));
        assert!(with_token.permits(None, &headers));
        headers.insert(header::AUTHORIZATION, axum::http::HeaderValue::from_static("Bearer s3cre"));
        assert!(!with_token.permits(None, &headers));
    }
}
