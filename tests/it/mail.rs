//! Delivery from the outbox to a real SMTP server on a local port: headers and both parts,
//! exactly once, retries on 4xx and outages, failure on 5xx, two workers, a worker that dies.

use std::collections::HashMap;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use convene::notifications::messages::Message;
use convene::notifications::outbox::{self, Outgoing};
use convene::notifications::smtp::Mailer;
use convene::notifications::worker::{MAX_ATTEMPTS, Report, Worker, retry_delay};
use entity::outbox_message::{self, OutboxStatus};
use entity::user::Role;
use mail_parser::MimeHeaders;
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::helpers::TestApp;
use crate::smtp_sink::SmtpSink;

const BASE_URL: &str = "https://convene.example.org/";

fn mailer(smtp_url: &str) -> Mailer {
    Mailer::new(smtp_url, "Convene <convene@example.org>", &url::Url::parse(BASE_URL).expect("base url"))
        .expect("mailer")
}

/// Whole microseconds: PostgreSQL keeps no finer, and a test compares times read back.
fn now() -> DateTime<Utc> {
    crate::helpers::now().trunc_subsecs(6)
}

fn message(n: usize) -> Message {
    Message {
        subject: format!("Conference reminder {n}"),
        text: format!("Dear volunteer,\n\nYour conference {n} is in 2 days.\n"),
        html: format!("<p>Dear volunteer,</p><p>Your conference <b>{n}</b> is in 2 days.</p>"),
    }
}

/// Queues `count` emails due at `now`, in one transaction; returns their ids.
async fn queue(db: &DatabaseConnection, kind: &'static str, to: &str, count: usize, now: DateTime<Utc>) -> Vec<i64> {
    let txn = convene::db::begin_write(db).await.expect("begin");
    for n in 0..count {
        let outgoing = Outgoing {
            key: format!("{kind}:{to}:{n}"),
            kind,
            to: to.to_owned(),
            message: message(n),
            send_after: now - TimeDelta::minutes(1),
        };
        assert!(outbox::enqueue(&txn, outgoing).await.expect("enqueue"));
    }
    txn.commit().await.expect("commit");
    let rows = outbox_message::Entity::find().all(db).await.expect("rows");
    rows.into_iter().filter(|r| r.to_email == to).map(|r| r.id).collect()
}

async fn row(db: &DatabaseConnection, id: i64) -> outbox_message::Model {
    outbox_message::Entity::find_by_id(id).one(db).await.expect("query").expect("row")
}

fn parse(data: &[u8]) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default().parse(data).expect("a parsable email")
}

/// How many copies of each Message-ID the sink received.
fn copies(sink: &SmtpSink) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for received in sink.messages() {
        let id = parse(&received.data).message_id().expect("Message-ID").to_owned();
        *counts.entry(id).or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn a_queued_email_is_delivered_once_with_headers_and_both_parts() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let worker = Worker::new(app.db.clone(), mailer(&sink.url()));
    let now = now();
    let reminder = queue(&app.db, "reminder.conference", "facilitator@example.org", 1, now).await[0];
    let receipt = queue(&app.db, "application.received", "applicant@example.org", 1, now).await[0];

    let report = worker.run_once(now).await.expect("run");
    assert_eq!(report, Report { claimed: 2, sent: 2, retrying: 0, failed: 0 });
    assert_eq!(worker.run_once(now).await.expect("second run"), Report::default(), "nothing is sent twice");
    assert_eq!(worker.run_once(now + TimeDelta::days(2)).await.expect("later run"), Report::default());
    assert_eq!(sink.count(), 2);

    for received in sink.messages() {
        let email = parse(&received.data);
        let to = email.to().and_then(|a| a.first()).and_then(|a| a.address()).expect("To").to_owned();
        let id = if to == "facilitator@example.org" { reminder } else { receipt };
        assert_eq!(received.to, vec![to.clone()], "envelope recipient");
        assert_eq!(received.from, "convene@example.org", "envelope sender");
        let from = email.from().and_then(|a| a.first()).expect("From");
        assert_eq!(from.address(), Some("convene@example.org"));
        assert_eq!(from.name(), Some("Convene"));
        assert_eq!(email.subject(), Some("Conference reminder 0"));
        assert_eq!(email.message_id(), Some(format!("outbox-{id}@convene.example.org").as_str()));
        let unsubscribe = email.header_raw("List-Unsubscribe");
        if id == reminder {
            let value = unsubscribe.expect("List-Unsubscribe on a reminder");
            assert!(value.contains("<mailto:convene@example.org?subject=unsubscribe"), "{value}");
        } else {
            assert!(unsubscribe.is_none(), "no List-Unsubscribe on a transactional email");
        }
        assert!(
            email.content_type().is_some_and(|t| t.ctype() == "multipart" && t.subtype() == Some("alternative")),
            "multipart/alternative"
        );
        assert_eq!(email.text_body_count(), 1);
        assert_eq!(email.html_body_count(), 1);
        assert!(email.body_text(0).is_some_and(|t| t.contains("Your conference 0 is in 2 days.")));
        assert!(email.body_html(0).is_some_and(|h| h.contains("<b>0</b>")));

        let stored = row(&app.db, id).await;
        assert_eq!(stored.status, OutboxStatus::Sent);
        assert_eq!(stored.sent_at, Some(now));
        assert_eq!(stored.attempts, 1);
        assert_eq!(stored.locked_until, None);
    }
}

#[tokio::test]
async fn a_temporary_failure_is_retried_later_and_then_delivered() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let worker = Worker::new(app.db.clone(), mailer(&sink.url()));
    let now = now();
    let id = queue(&app.db, "application.received", "busy@example.org", 1, now).await[0];
    sink.refuse("busy@example.org", 451, 1);

    assert_eq!(worker.run_once(now).await.expect("run").retrying, 1);
    let waiting = row(&app.db, id).await;
    assert_eq!(waiting.status, OutboxStatus::Queued);
    assert_eq!(waiting.locked_until, None);
    assert!(waiting.last_error.as_deref().is_some_and(|e| e.contains("451")), "{:?}", waiting.last_error);
    // The first retry waits a minute, give or take the jitter.
    assert!(waiting.send_after >= now + TimeDelta::seconds(47) && waiting.send_after <= now + TimeDelta::seconds(73));
    assert_eq!(worker.run_once(now).await.expect("too soon"), Report::default(), "not before its time");

    let later = now + TimeDelta::minutes(2);
    assert_eq!(worker.run_once(later).await.expect("retry").sent, 1);
    let sent = row(&app.db, id).await;
    assert_eq!((sent.status, sent.attempts, sent.last_error), (OutboxStatus::Sent, 2, None));
    assert_eq!(sink.count(), 1);
}

#[tokio::test]
async fn temporary_failures_give_up_after_about_a_day() {
    let mut total = TimeDelta::zero();
    for attempts in 1..MAX_ATTEMPTS {
        total += retry_delay(attempts).expect("a retry");
    }
    assert!(total >= TimeDelta::hours(23) && total <= TimeDelta::hours(25), "retry window {total}");
    assert_eq!(retry_delay(MAX_ATTEMPTS), None);

    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let worker = Worker::new(app.db.clone(), mailer(&sink.url()));
    let mut now = now();
    let id = queue(&app.db, "application.received", "full@example.org", 1, now).await[0];
    sink.refuse("full@example.org", 452, MAX_ATTEMPTS as usize);
    let first = now;
    for _ in 0..MAX_ATTEMPTS {
        assert_eq!(worker.run_once(now).await.expect("run").claimed, 1);
        now += TimeDelta::hours(5);
    }
    let failed = row(&app.db, id).await;
    assert_eq!((failed.status, failed.attempts), (OutboxStatus::Failed, MAX_ATTEMPTS));
    assert!(failed.last_error.as_deref().is_some_and(|e| e.contains("gave up")));
    assert!(now - first > TimeDelta::hours(24));
    assert_eq!(sink.count(), 0);
}

#[tokio::test]
async fn a_permanent_failure_fails_at_once_and_shows_in_the_outbox_api() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let worker = Worker::new(app.db.clone(), mailer(&sink.url()));
    let now = now();
    let id = queue(&app.db, "application.received", "nobody@example.org", 1, now).await[0];
    sink.refuse("nobody@example.org", 550, 1);

    assert_eq!(worker.run_once(now).await.expect("run"), Report { claimed: 1, sent: 0, retrying: 0, failed: 1 });
    assert_eq!(worker.run_once(now + TimeDelta::days(1)).await.expect("later"), Report::default(), "never retried");
    assert_eq!(sink.count(), 0);

    let admin = app.create_user(Role::Admin).await;
    let token = app.token_for(&admin).await;
    let response = app.api(&token).get("/api/v1/outbox").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    let entry = body["messages"].as_array().and_then(|m| m.iter().find(|e| e["id"] == id)).expect("the entry");
    assert_eq!(entry["status"], "failed");
    assert_eq!(entry["attempts"], 1);
    assert!(entry["last_error"].as_str().is_some_and(|e| e.contains("550")), "{entry}");

    let mut browser = app.signed_in(&admin).await;
    let (status, page) = browser.open("/admin/outbox").await;
    assert_eq!(status, 200);
    assert!(page.contains("failed") && page.contains("550"), "the outbox page shows why");
}

#[tokio::test]
async fn mail_waits_while_smtp_is_down_and_is_all_delivered_when_it_returns() {
    let app = TestApp::spawn().await;
    // A port with nothing listening on it, for now.
    let addr = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port");
    let worker = Worker::new(app.db.clone(), mailer(&format!("smtp://{addr}")));
    let now = now();
    let ids = queue(&app.db, "application.received", "patient@example.org", 5, now).await;

    assert_eq!(worker.run_once(now).await.expect("run"), Report { claimed: 5, sent: 0, retrying: 5, failed: 0 });
    for id in &ids {
        let waiting = row(&app.db, *id).await;
        assert_eq!(waiting.status, OutboxStatus::Queued);
        assert!(waiting.last_error.is_some());
    }

    let sink = SmtpSink::start_on(addr).await.expect("the server returns on its port");
    assert_eq!(worker.run_once(now + TimeDelta::minutes(10)).await.expect("run").sent, 5);
    assert_eq!(copies(&sink).len(), 5);
    for id in &ids {
        assert_eq!(row(&app.db, *id).await.status, OutboxStatus::Sent);
    }
}

#[tokio::test]
async fn two_workers_over_500_due_emails_deliver_each_exactly_once() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    // Small batches, so the two take turns and contend for the same rows.
    let first = Worker::new(app.db.clone(), mailer(&sink.url())).with_batch_size(40);
    let second = Worker::new(app.db.clone(), mailer(&sink.url())).with_batch_size(40);
    let now = now();
    let ids = queue(&app.db, "reminder.conference", "many@example.org", 500, now).await;
    assert_eq!(ids.len(), 500);

    let (mut by_first, mut by_second) = (0, 0);
    loop {
        let (a, b) = tokio::join!(first.run_once(now), second.run_once(now));
        let (a, b) = (a.expect("first worker"), b.expect("second worker"));
        if a.claimed + b.claimed == 0 {
            break;
        }
        by_first += a.sent;
        by_second += b.sent;
    }
    println!("first worker sent {by_first}, second {by_second}");
    assert_eq!(by_first + by_second, 500);
    let copies = copies(&sink);
    assert_eq!(copies.len(), 500);
    assert!(copies.values().all(|&n| n == 1), "a Message-ID arrived twice");
    for id in ids {
        assert_eq!(copies.get(&format!("outbox-{id}@convene.example.org")), Some(&1));
    }
}

#[tokio::test]
async fn a_worker_killed_mid_batch_loses_nothing_and_duplicates_at_most_its_rows_in_flight() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let now = now();
    queue(&app.db, "application.received", "crash@example.org", 10, now).await;

    // The first worker claims the batch, gets 4 emails out, and dies before recording anything.
    let doomed = Worker::new(app.db.clone(), mailer(&sink.url()));
    let lease = doomed.lease();
    let claimed = doomed.claim(now).await.expect("claim");
    assert_eq!(claimed.rows.len(), 10);
    let by_hand = mailer(&sink.url());
    for in_flight in claimed.rows.iter().take(4) {
        assert_eq!(by_hand.send(in_flight).await, convene::notifications::smtp::Delivery::Sent);
    }
    drop(claimed);
    drop(doomed);

    let restarted = Worker::new(app.db.clone(), mailer(&sink.url()));
    assert_eq!(restarted.run_once(now).await.expect("run"), Report::default(), "the lease still holds");
    let after_lease = now + lease + TimeDelta::seconds(1);
    assert_eq!(restarted.run_once(after_lease).await.expect("run").sent, 10, "nothing lost");
    assert_eq!(restarted.run_once(after_lease).await.expect("run"), Report::default());

    let copies = copies(&sink);
    assert_eq!(copies.len(), 10, "every email arrived");
    let duplicates = copies.values().filter(|&&n| n > 1).count();
    assert_eq!(duplicates, 4, "only the emails sent before the crash arrive twice");
    assert!(copies.values().all(|&n| n <= 2));
}

#[tokio::test]
async fn a_worker_that_dies_mid_delivery_has_recorded_every_email_it_finished() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let now = now();
    queue(&app.db, "application.received", "midway@example.org", 100, now).await;
    // The server takes 20 messages, then takes but never answers the rest: every connection
    // ends up stuck on one message in flight.
    sink.hang_after(20);
    let doomed = Worker::new(app.db.clone(), mailer(&sink.url()));
    let claimed = doomed.claim(now).await.expect("claim");
    assert_eq!(claimed.rows.len(), 100, "one claim of the whole batch");
    let mut delivering = Box::pin(doomed.deliver(claimed, now));
    let sent = || async {
        outbox_message::Entity::find()
            .all(&app.db)
            .await
            .expect("rows")
            .into_iter()
            .filter(|r| r.status == OutboxStatus::Sent)
            .count()
    };
    // Drive the worker until its 20 answered sends are on record (bounded: 10 s).
    let mut recorded = 0;
    for _ in 0..1000 {
        tokio::select! {
            result = &mut delivering => panic!("delivery cannot finish while the server hangs: {result:?}"),
            () = tokio::time::sleep(std::time::Duration::from_millis(10)) => {}
        }
        recorded = sent().await;
        if recorded == 20 && sink.count() == 28 {
            break;
        }
    }
    assert_eq!(recorded, 20, "each answered email is recorded as it is answered, not at the end of the batch");
    assert_eq!(sink.count(), 28, "eight more in flight, one per connection");
    // The worker dies here, with 8 sends in flight and 72 rows not started.
    drop(delivering);

    let restarted = Worker::new(app.db.clone(), mailer(&sink.url()));
    sink.hang_after(usize::MAX);
    let after_lease = now + restarted.lease() + TimeDelta::seconds(1);
    let report = restarted.run_once(after_lease).await.expect("run");
    assert_eq!((report.claimed, report.sent), (80, 80), "what was not recorded goes again after the lease");
    assert_eq!(restarted.run_once(after_lease).await.expect("run"), Report::default());
    let copies = copies(&sink);
    assert_eq!(copies.len(), 100, "every email arrived");
    let duplicates = copies.values().filter(|&&n| n > 1).count();
    assert_eq!(duplicates, 8, "only the emails in flight when the worker died arrive twice");
}

#[tokio::test]
async fn convene_serve_with_smtp_url_delivers_the_outbox_and_stops_cleanly() {
    let (database_url, _dir) = crate::helpers::fresh_database().await;
    let db = convene::db::connect_and_migrate(&database_url).await.expect("migrate");
    let id = queue(&db, "application.received", "served@example.org", 1, crate::helpers::now()).await[0];
    db.close().await.expect("close");
    let sink = SmtpSink::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_convene"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--base-url", BASE_URL])
        .env("DATABASE_URL", &database_url)
        .env("SMTP_URL", sink.url())
        .env("RUST_LOG", "warn")
        .env(crate::helpers::child_clock_env().0, crate::helpers::child_clock_env().1)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start convene serve");
    // The worker runs on its own clock: poll (bounded) for the email rather than sleep blindly.
    for _ in 0..200 {
        if sink.count() > 0 {
            break;
        }
        if let Some(status) = server.try_wait().expect("poll the server") {
            panic!("convene serve exited early: {status}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let received = sink.messages();
    assert_eq!(received.len(), 1, "delivered within 10 s");
    assert_eq!(parse(&received[0].data).message_id(), Some(format!("outbox-{id}@convene.example.org").as_str()));
    let status = std::process::Command::new("kill").args(["-TERM", &server.id().to_string()]).status().expect("kill");
    assert!(status.success());
    assert!(server.wait().expect("wait").success(), "graceful shutdown stops the worker too");
}

#[tokio::test]
async fn without_smtp_mail_is_kept_in_the_outbox_and_shown_to_admins_only() {
    // TestApp runs with no SMTP_URL, as a fresh install does.
    let app = TestApp::spawn().await;
    let recruiting = crate::recruitment::open_intake(&app, 5).await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/applications"))
        .json(&crate::recruitment::valid_application(recruiting.intake_id, "kept@example.org"))
        .send()
        .await
        .expect("apply");
    assert_eq!(response.status(), 201);
    let kept: Vec<outbox_message::Model> = outbox_message::Entity::find()
        .all(&app.db)
        .await
        .expect("rows")
        .into_iter()
        .filter(|m| m.to_email == "kept@example.org")
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].status, kept[0].attempts, kept[0].sent_at), (OutboxStatus::Queued, 0, None), "kept, not sent");

    let admin = app.create_user(Role::Admin).await;
    let mut browser = app.signed_in(&admin).await;
    let (status, page) = browser.open("/admin/outbox").await;
    assert_eq!(status, 200);
    assert!(page.contains("No SMTP server is configured"), "the admin is told why mail waits");
    assert!(page.contains("We have received your application") && page.contains("kept@example.org"));
    assert!(page.contains("queued"));

    let coordinator = app.create_user(Role::Coordinator).await;
    let mut browser = app.signed_in(&coordinator).await;
    let (status, page) = browser.open("/admin/outbox").await;
    assert_ne!(status, 200, "coordinators do not read other people's email");
    assert!(!page.contains("kept@example.org"));
}
