//! Running the service: `/metrics` (access, route patterns, outbox gauges, scheduler runs).

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
        let value_text: String = if line.contains('{') {
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
            chars.collect()
        } else {
            line[metric.len()..].to_owned()
        };
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
    let now = crate::helpers::now();
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
    let fresh = scrape_metrics(&app).await;
    assert_eq!(find(&fresh, "convene_scheduler_runs_total", &[("outcome", "ok")]), 0.0);
    assert!(fresh.iter().any(|s| s.metric == "convene_scheduler_runs_total"), "shown before the first run");
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
    convene::jobs::tick(&app.db, &app.state.settings, &app.state.metrics, crate::helpers::now()).await;

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
    let app = TestApp::builder()
        .configure(|settings| {
            settings.metrics.allow =
                convene::config::metrics_access::parse_allow_list("10.0.0.0/8, 192.168.0.0/16").unwrap();
            settings.metrics.token = Some("scrape-secret".into());
        })
        .spawn()
        .await;
    let client = reqwest::Client::new();
    let response = client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 404, "loopback is not in the configured ranges");
    let response = app.api("scrape-secre").get("/metrics").await;
    assert_eq!(response.status(), 404, "a wrong token is refused");
    let response = app.api("scrape-secret").get("/metrics").await;
    assert_eq!(response.status(), 200, "the token opens it from anywhere");
    assert!(response.text().await.unwrap().contains("convene_http_requests_total"));

    let closed = TestApp::builder()
        .configure(|settings| {
            settings.metrics.allow = Vec::new();
            settings.metrics.token = None;
        })
        .spawn()
        .await;
    let response = closed.api("anything").get("/metrics").await;
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

fn audit_rows(html: &str) -> usize {
    html.matches("<td><code>").count()
}

async fn record(app: &TestApp, actor: &str, action: &str, case: Option<&str>) {
    convene::audit::record(
        &app.db,
        convene::audit::AuditEntry {
            actor,
            action,
            target_type: case.map(|_| "case"),
            target_id: case.map(str::to_owned),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_audit_log_page_is_for_admins_and_filters_by_person_case_action_and_dates() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(entity::user::Role::Admin).await;
    let coordinator = app.create_user(entity::user::Role::Coordinator).await;
    let volunteer = app.create_user(entity::user::Role::Volunteer).await;
    for user in [&coordinator, &volunteer] {
        let browser = app.signed_in(user).await;
        assert_eq!(browser.get("/admin/audit").await.status(), 403, "{} may not read the log", user.email);
    }
    let response = app.browser().get("/admin/audit").await;
    assert!(response.status().is_redirection() || response.status() == 401, "anonymous: {}", response.status());
    record(&app, &coordinator.email, "case.viewed", Some("RJ-2027-0001")).await;
    record(&app, &coordinator.email, "case.viewed", Some("RJ-2027-0002")).await;

    let mut browser = app.signed_in(&admin).await;
    let (status, html) = browser.open("/admin/audit").await;
    assert_eq!(status, 200);
    assert!(html.contains("authz.denied") && html.contains("login.success"), "{html}");

    let (_, html) = browser.open(&format!("/admin/audit?person={}&action=login.success", coordinator.email)).await;
    assert_eq!(audit_rows(&html), 1, "the coordinator's one sign-in");
    assert!(html.contains(&coordinator.email) && !html.contains(&format!("<td>{}</td>", admin.email)));
    let (_, html) = browser.open("/admin/audit?action=login.").await;
    assert_eq!(audit_rows(&html), 3, "three sign-ins by prefix");
    let (_, html) = browser.open("/admin/audit?case=RJ-2027-0002").await;
    assert_eq!(audit_rows(&html), 1);
    assert!(html.contains("RJ-2027-0002") && !html.contains("RJ-2027-0001"));

    let today = crate::helpers::today();
    let tomorrow = today.succ_opt().unwrap();
    let (_, html) = browser.open(&format!("/admin/audit?from={today}&to={today}&action=case.viewed")).await;
    assert_eq!(audit_rows(&html), 2, "today, the end date inclusive");
    let (_, html) = browser.open(&format!("/admin/audit?from={tomorrow}")).await;
    assert_eq!(audit_rows(&html), 0);
    assert!(html.contains("No entries match."));

    let (status, html) = browser.open(&format!("/admin/audit?from={tomorrow}&to={today}&person=kept")).await;
    assert_eq!(status, 422);
    assert!(html.contains("must not be before the start date") && html.contains("value=\"kept\""), "{html}");
    let (status, html) = browser.open("/admin/audit?from=31/02/2027&page=zero").await;
    assert_eq!(status, 422);
    assert!(html.contains("Enter a date like") && html.contains("whole number"));
}

#[tokio::test]
async fn the_audit_log_is_paginated_newest_first() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(entity::user::Role::Admin).await;
    for n in 0..55 {
        record(&app, "script@example.org", &format!("test.entry{n:02}"), None).await;
    }
    let mut browser = app.signed_in(&admin).await;
    let (_, first) = browser.open("/admin/audit?action=test.").await;
    assert_eq!(audit_rows(&first), 50);
    assert!(first.contains("test.entry54") && !first.contains("test.entry04"), "newest first");
    assert!(first.contains("Page 1 of 2") && first.contains("rel=\"next\""));
    let (_, second) = browser.open("/admin/audit?action=test.&page=2").await;
    assert_eq!(audit_rows(&second), 5);
    assert!(second.contains("test.entry00") && second.contains("rel=\"prev\""));
    let (status, beyond) = browser.open("/admin/audit?action=test.&page=9").await;
    assert_eq!((status, audit_rows(&beyond)), (200, 0));
}

#[tokio::test]
async fn the_audit_log_cannot_be_changed_through_the_service_or_the_database() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let admin = app.create_user(entity::user::Role::Admin).await;
    // Signing in rewrites its own attempt row (failure → success): the trigger lets that through.
    let browser = app.signed_in(&admin).await;
    assert_eq!(app.audit_count("login.success").await, 1);
    let response = browser.post_form("/admin/audit", &[("action", "x")]).await;
    assert_eq!(response.status(), 405, "no route changes the log");

    for sql in [
        "UPDATE audit_log SET action = 'login.nothing'",
        "UPDATE audit_log SET target_id = 'case'",
        "DELETE FROM audit_log",
    ] {
        let refused = app.db.execute_unprepared(sql).await;
        assert!(refused.is_err(), "{sql} must be refused");
        assert!(refused.unwrap_err().to_string().contains("append-only"), "{sql}");
    }
    if app.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        assert!(app.db.execute_unprepared("TRUNCATE audit_log").await.is_err());
    }
    // Erasure may blank the actor and detail, and nothing else.
    app.db.execute_unprepared("UPDATE audit_log SET actor = '[erased]', detail = '[erased]'").await.unwrap();
    assert!(app.db.execute_unprepared("UPDATE audit_log SET actor = 'someone else'").await.is_err());
    assert_eq!(app.audit_count("login.success").await, 1);
}
