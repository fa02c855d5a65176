//! Two `convene serve` processes on one database (run the suite with TEST_DATABASE_URL for
//! PostgreSQL, the production set-up): bookings through either never double-book, the
//! emails both outbox workers deliver arrive once, and reminder sweeps from both queue each
//! reminder once.

use std::process::{Child, Command, Stdio};

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::London;
use convene::config::Settings;
use entity::outbox_message::{self, OutboxStatus};
use entity::volunteer::FacilitationLevel;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, fresh_database};
use crate::scenario::{a_tuesday, facilitator, ready_case};
use crate::smtp_sink::SmtpSink;

const BASE_URL: &str = "https://convene.example.org/";

/// A `convene serve` process; killed if the test fails before it is stopped.
struct Instance {
    child: Child,
    address: String,
}

impl Instance {
    async fn start(database_url: &str, smtp_url: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let child = Command::new(env!("CARGO_BIN_EXE_convene"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--base-url", BASE_URL])
            .env("DATABASE_URL", database_url)
            .env("SMTP_URL", smtp_url)
            .env("RUST_LOG", "warn")
            .env(crate::helpers::child_clock_env().0, crate::helpers::child_clock_env().1)
            .stdout(Stdio::null())
            .spawn()
            .expect("start convene serve");
        let mut instance = Instance { child, address: format!("http://127.0.0.1:{port}") };
        // Startup is the process's own: poll /healthz (bounded) rather than sleep blindly.
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if let Some(status) = instance.child.try_wait().expect("poll the server") {
                panic!("convene serve exited early: {status}");
            }
            if client.get(instance.url("/healthz")).send().await.is_ok_and(|r| r.status() == 200) {
                return instance;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        instance.child.kill().ok();
        panic!("convene serve not healthy within 10 s");
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// SIGTERM, then wait: in-flight requests and sends finish first.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
        assert!(self.child.wait().expect("wait").success(), "graceful shutdown");
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.child.kill().ok();
    }
}

async fn user_of(app: &TestApp, volunteer_id: i64) -> TestUser {
    let record = entity::volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.unwrap().unwrap();
    let user = entity::user::Entity::find_by_id(record.user_id).one(&app.db).await.unwrap().unwrap();
    TestUser { id: user.id, email: user.email }
}

async fn rows_of_kind(app: &TestApp, kind: &str) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find().filter(outbox_message::Column::Kind.eq(kind)).all(&app.db).await.unwrap()
}

#[tokio::test]
async fn two_instances_on_one_database_never_double_book_and_send_each_email_once() {
    let (database_url, dir) = fresh_database().await;
    // Set-up goes through a third, in-process instance (it has no SMTP: it sends nothing).
    let app = TestApp::builder().on(&database_url, dir).base_url(BASE_URL).spawn().await;
    let world = app.scenario().prison().lead().build().await;
    let [lead] = world.facilitators();
    let (token, prison) = (world.token, world.prison);
    let mut seconds = Vec::new();
    for _ in 0..4 {
        seconds.push(facilitator(&app, prison, FacilitationLevel::CoFacilitator).await);
    }
    let mut cases = Vec::new();
    for _ in 0..4 {
        cases.push(ready_case(&app, &token, prison).await);
    }

    let sink = SmtpSink::start().await;
    let instances =
        [Instance::start(&database_url, &sink.url()).await, Instance::start(&database_url, &sink.url()).await];

    // 20 concurrent bookings, alternating between the instances, of four cases at slots that
    // all overlap the same lead's: exactly one can stand.
    let day = a_tuesday();
    let client = reqwest::Client::new();
    let requests = (0..20).map(|i| {
        let (client, token) = (client.clone(), token.clone());
        let url = instances[i % 2].url(&format!("/api/v1/cases/{}/conferences", cases[i % 4]));
        let start = format!("{day}T{}:{:02}", 10 + (i % 3) / 2, ((i % 3) % 2) * 30);
        let body = json!({"start": start, "lead_id": lead, "second_id": seconds[i % 4]});
        async move { client.post(url).bearer_auth(token).json(&body).send().await.expect("booking request") }
    });
    let responses = futures_util::future::join_all(requests).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|&&s| s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|&s| s == 201 || s == 409), "{statuses:?}");
    let booked = responses.into_iter().find(|r| r.status() == 201).expect("one booking");
    let conference: Value = booked.json().await.unwrap();
    let conference_id = conference["id"].as_i64().unwrap();
    let second = conference["facilitators"][1]["volunteer_id"].as_i64().unwrap();

    // Each facilitator accepts through a different instance.
    for (instance, volunteer) in instances.iter().zip([lead, second]) {
        let volunteer_token = app.token_for(&user_of(&app, volunteer).await).await;
        let response = client
            .post(instance.url(&format!("/api/v1/conferences/{conference_id}/response")))
            .bearer_auth(volunteer_token)
            .json(&json!({"response": "accept"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    // Both instances' workers deliver the outbox: poll (bounded) until the two invitations
    // are out, then stop both, so nothing is still in flight when the copies are counted.
    let asked = rows_of_kind(&app, "conference.asked").await;
    assert_eq!(asked.len(), 2);
    for _ in 0..400 {
        if sink.count() >= asked.len() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let [first, other] = instances;
    first.stop();
    other.stop();
    let mut ids: Vec<String> = sink
        .messages()
        .iter()
        .filter_map(|m| mail_parser::MessageParser::default().parse(&m.data)?.message_id().map(str::to_owned))
        .collect();
    let received = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), received, "a Message-ID arrived twice: {ids:?}");
    for row in rows_of_kind(&app, "conference.asked").await {
        assert_eq!(row.status, OutboxStatus::Sent, "delivered by one of the instances");
        assert!(ids.contains(&format!("outbox-{}@convene.example.org", row.id)), "{ids:?}");
    }

    // Two instances' sweeps at 08:00 London two days before, at the same moment, on their
    // own connections: each facilitator's reminder is queued once.
    let two_days_before: NaiveDate = day - chrono::Duration::days(2);
    let at = London
        .from_local_datetime(&two_days_before.and_hms_opt(8, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc);
    let settings = Settings {
        database_url: database_url.clone(),
        bind: "127.0.0.1:0".parse().unwrap(),
        base_url: url::Url::parse(BASE_URL).unwrap(),
        smtp_url: None,
        mail_from: "Convene <convene@example.org>".into(),
        files_dir: std::env::temp_dir(),
        metrics: Default::default(),
        trusted_proxies: Default::default(),
    };
    let (a, b) =
        (convene::db::connect(&database_url).await.unwrap(), convene::db::connect(&database_url).await.unwrap());
    let (swept_a, swept_b) =
        tokio::join!(convene::jobs::sweep(&a, &settings, at), convene::jobs::sweep(&b, &settings, at));
    let queued = swept_a.unwrap().conference_in_two_days + swept_b.unwrap().conference_in_two_days;
    assert_eq!(queued, 2, "one reminder per facilitator between the two sweeps");
    assert_eq!(rows_of_kind(&app, convene::jobs::reminders::CONFERENCE_IN_TWO_DAYS).await.len(), 2);
}
