//! Running the service: `/metrics` (access, route patterns, outbox gauges, scheduler runs).

use chrono::Utc;
use entity::outbox_message::{self, OutboxStatus};
use sea_orm::{ActiveModelTrait, Set};
use std::collections::HashMap;

use crate::helpers::TestApp;

/// One sample line of the text exposition: `name{label="value",…} number`.
#[derive(Debug)]
struct Sample {
    metric: String,
    labels: HashMap<String, String>,
    value: f64,
}

/// Parses the exposition strictly: every line is a comment, `# EOF`, or a well-formed sample.
/// (prometheus-parse was tried and mis-reads label values containing braces, like route patterns.)
fn parse(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    for line in text.lines().filter(|line| !line.starts_with('#') && !line.is_empty()) {
        let (metric, rest) = match line.find('{') {
            Some(open) => (&line[..open], &line[open + 1..]),
            None => line.split_once(' ').map(|(name, _)| (name, "")).expect("a sample line"),
        };
        let mut labels = HashMap::new();
        let mut chars = rest.chars().peekable();
        let value_text: String;
        if line.contains('{') {
            loop {
                let name: String = chars.by_ref().take_while(|c| *c != '=').collect();
                assert_eq!(chars.next(), Some('"'), "quoted value in {line}");
                let mut value = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => value.push(chars.next().expect("escaped char")),
                        '"' => break,
                        other => value.push(other),
                    }
                }
                labels.insert(name, value);
                match chars.next() {
                    Some(',') => continue,
                    Some('}') => break,
                    other => panic!("unexpected {other:?} in {line}"),
                }
            }
            value_text = chars.collect();
        } else {
            value_text = line[metric.len()..].to_owned();
        }
        let value = value_text.split_whitespace().next().expect("a value").parse::<f64>().expect("a number");
        samples.push(Sample { metric: metric.to_owned(), labels, value });
    }
    assert!(text.trim_end().ends_with("# EOF"), "the exposition is complete");
    samples
}

async fn scrape_metrics(app: &TestApp) -> Vec<Sample> {
    let response = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("application/openmetrics-text"), "{content_type}");
    parse(&response.text().await.unwrap())
}

/// The sum of `metric` over samples carrying these labels (0 when absent).
fn find(samples: &[Sample], metric: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v)))
        .map(|s| s.value)
        .sum()
}

async fn queue_mail(app: &TestApp, key: &str, status: OutboxStatus) {
    let now = Utc::now();
    outbox_message::ActiveModel {
        idempotency_key: Set(key.to_owned()),
        kind: Set("test".into()),
        to_email: Set("someone@example.org".into()),
        subject: Set("Hello".into()),
        text_body: Set("Hello".into()),
        html_body: Set("<p>Hello</p>".into()),
        status: Set(status),
        attempts: Set(0),
        send_after: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_and_read_the_outbox_and_scheduler() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let secret_looking_id = "987654321";
    let response = client.get(app.url(&format!("/api/v1/volunteers/{secret_looking_id}"))).send().await.unwrap();
    assert_eq!(response.status(), 401);
    for _ in 0..2 {
        assert_eq!(client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    }
    queue_mail(&app, "m1", OutboxStatus::Queued).await;
    queue_mail(&app, "m2", OutboxStatus::Queued).await;
    queue_mail(&app, "m3", OutboxStatus::Failed).await;
    queue_mail(&app, "m4", OutboxStatus::Sent).await;
    convene::jobs::tick(&app.db, &app.state.settings, &app.state.metrics, Utc::now()).await;

    let scrape = scrape_metrics(&app).await;
    let requests = "convene_http_requests_total";
    assert_eq!(find(&scrape, requests, &[("route", "/healthz"), ("status", "200"), ("method", "GET")]), 2.0);
    assert_eq!(find(&scrape, requests, &[("route", "/api/v1/volunteers/{id}"), ("status", "401")]), 1.0);
    assert!(
        scrape.iter().all(|s| s.labels.values().all(|v| !v.contains(secret_looking_id))),
        "the raw path never becomes a label"
    );
    let latency = "convene_http_request_duration_seconds";
    assert_eq!(find(&scrape, &format!("{latency}_count"), &[("route", "/healthz")]), 2.0, "both observed");
    assert_eq!(find(&scrape, &format!("{latency}_bucket"), &[("route", "/healthz"), ("le", "+Inf")]), 2.0);
    assert!(find(&scrape, &format!("{latency}_sum"), &[("route", "/healthz")]) > 0.0);
    assert_eq!(find(&scrape, "convene_outbox_queued", &[]), 2.0);
    assert_eq!(find(&scrape, "convene_outbox_failed", &[]), 1.0);
    assert_eq!(find(&scrape, "convene_scheduler_runs_total", &[("outcome", "ok")]), 1.0);

    // The gauges are read at scrape time: one more queued row shows at once.
    queue_mail(&app, "m5", OutboxStatus::Queued).await;
    assert_eq!(find(&scrape_metrics(&app).await, "convene_outbox_queued", &[]), 3.0);
}

#[tokio::test]
async fn metrics_outside_the_allowed_ranges_need_the_token() {
    let app = TestApp::spawn_configured(|settings| {
        settings.metrics.allow = convene::metrics::parse_allow_list("10.0.0.0/8, 192.168.0.0/16").unwrap();
        settings.metrics.token = Some("scrape-secret".into());
    })
    .await;
    let client = reqwest::Client::new();
    let response = client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 404, "loopback is not in the configured ranges");
    let response = client.get(app.url("/metrics")).bearer_auth("scrape-secre").send().await.unwrap();
    assert_eq!(response.status(), 404, "a wrong token is refused");
    let response = client.get(app.url("/metrics")).bearer_auth("scrape-secret").send().await.unwrap();
    assert_eq!(response.status(), 200, "the token opens it from anywhere");
    assert!(response.text().await.unwrap().contains("convene_http_requests_total"));

    let closed = TestApp::spawn_configured(|settings| {
        settings.metrics.allow = Vec::new();
        settings.metrics.token = None;
    })
    .await;
    let response = client.get(closed.url("/metrics")).bearer_auth("anything").send().await.unwrap();
    assert_eq!(response.status(), 404, "no ranges and no token: nobody");
}

#[test]
fn a_bad_metrics_range_is_a_usage_error() {
    let output = crate::cli::convene()
        .args(["serve", "--metrics-allow", "10.0.0.0/33"])
        .env("DATABASE_URL", "sqlite::memory:")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("CONVENE_METRICS_ALLOW"));
}
