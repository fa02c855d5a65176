//! Operational metrics in the Prometheus text format (served by `web::metrics`): requests by
//! route pattern and status, latency, outbox depth and failures, scheduler runs.
//!
//! prometheus-client (the Prometheus project's own Rust client) keeps its registry in a value,
//! not a process-wide global, so each `AppState` (and each test app) has its own counters.

use std::sync::Mutex;

use axum::http::StatusCode;

use entity::outbox_message::{self, OutboxStatus};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

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
