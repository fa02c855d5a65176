//! Outbox delivery throughput: queue 10,000 emails in a SQLite file database, then deliver
//! them with one worker to the local SMTP sink of the tests. Each iteration is one batch of
//! 10,000; criterion reports the delivery in emails per second, and the queuing rate (not
//! measured by criterion) is printed at the end.
//!
//! In the same run, two references send the same messages to the same sink:
//! - "raw lettre": a minimal lettre program, the wire's speed: it builds each message with
//!   lettre and sends it down one of 8 kept connections (lettre's `AsyncSmtpConnection` on
//!   sockets with TCP_NODELAY), with no database;
//! - lettre's released pooled transport, which leaves Nagle on (1,000 messages, printed once):
//!   the ~40 ms per message that the worker no longer pays.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use convene::notifications::messages::Message;
use convene::notifications::outbox::{self, Outgoing};
use convene::notifications::smtp::Mailer;
use convene::notifications::worker::Worker;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

#[allow(dead_code)]
#[path = "../tests/it/smtp_sink.rs"]
mod smtp_sink;

const EMAILS: usize = 10_000;
const CONNECTIONS: usize = 8;

/// The message the worker builds for row `n`, built with lettre alone.
fn lettre_message(n: usize) -> lettre::Message {
    use lettre::message::MultiPart;
    lettre::Message::builder()
        .from("Convene <convene@example.org>".parse().expect("from"))
        .to(format!("volunteer{n}@example.org").parse().expect("to"))
        .subject(format!("Your conference in 2 days ({n})"))
        .message_id(Some(format!("<raw-{n}@convene.example.org>")))
        .multipart(MultiPart::alternative_plain_html(
            "Dear volunteer,\n\nYour conference is in 2 days.\n".to_owned(),
            "<p>Dear volunteer,</p><p>Your conference is in 2 days.</p>".to_owned(),
        ))
        .expect("message")
}

/// Builds and sends `count` messages down `CONNECTIONS` connections, each taking the next.
async fn raw_lettre(addr: std::net::SocketAddr, count: usize) -> usize {
    use lettre::transport::smtp::client::AsyncSmtpConnection;
    use lettre::transport::smtp::extension::ClientId;
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let socket = tokio::net::TcpStream::connect(addr).await.expect("connect");
            socket.set_nodelay(true).expect("nodelay");
            let hello = ClientId::Domain("bench.example.org".into());
            let mut connection =
                AsyncSmtpConnection::connect_with_transport(Box::new(socket), &hello).await.expect("EHLO");
            let mut sent = 0;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    break;
                }
                let message = lettre_message(n);
                connection.send(message.envelope(), &message.formatted()).await.expect("send");
                sent += 1;
            }
            connection.quit().await.expect("QUIT");
            sent
        }));
    }
    let mut sent = 0;
    for task in tasks {
        sent += task.await.expect("task");
    }
    sent
}

/// Lettre's released pooled transport (Nagle on), for the figure in the module comment.
async fn lettre_pooled_transport(url: &str, messages: &[lettre::Message]) -> Duration {
    use futures_util::StreamExt;
    use lettre::transport::smtp::PoolConfig;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .expect("url")
        .pool_config(PoolConfig::new().max_size(CONNECTIONS as u32))
        .build();
    let start = Instant::now();
    futures_util::stream::iter(messages)
        .for_each_concurrent(CONNECTIONS, |message| {
            let transport = transport.clone();
            async move {
                transport.send(message.clone()).await.expect("send");
            }
        })
        .await;
    start.elapsed()
}

fn deliver_10k(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    // The SMTP pool starts (and stops) its reaper task on the runtime in context.
    let _context = runtime.enter();
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    let db = runtime.block_on(convene::db::connect_and_migrate(&url)).expect("database");
    let sink = runtime.block_on(smtp_sink::SmtpSink::start());
    let base = url::Url::parse("https://convene.example.org/").expect("base url");
    let mailer = Mailer::new(&sink.url(), "Convene <convene@example.org>", &base).expect("mailer");
    let worker = Worker::new(db.clone(), mailer);
    let mut round = 0_usize;
    let mut queuing = Duration::ZERO;
    let mut worker_time = Duration::ZERO;
    let mut raw_time = Duration::ZERO;
    let mut raw_rounds = 0_usize;
    let prebuilt: Vec<lettre::Message> = (0..1000).map(lettre_message).collect();

    let mut group = c.benchmark_group("mail");
    group.sample_size(10).sampling_mode(SamplingMode::Flat).warm_up_time(Duration::from_millis(1));
    // Ten samples of one 10,000-email iteration each: long enough that criterion does not
    // shrink the batch.
    group.measurement_time(Duration::from_secs(40));
    group.throughput(Throughput::Elements(EMAILS as u64));
    group.bench_function("deliver 10,000 queued emails over SMTP", |b| {
        b.iter_custom(|iterations| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..iterations {
                round += 1;
                let now = Utc::now();
                // Queuing is timed apart: the criterion figure is the worker's.
                let queued_from = Instant::now();
                runtime.block_on(async {
                    let txn = convene::db::begin_write(&db).await.expect("begin");
                    for n in 0..EMAILS {
                        let outgoing = Outgoing {
                            key: format!("bench:{round}:{n}"),
                            kind: "reminder.conference",
                            to: format!("volunteer{n}@example.org"),
                            message: Message {
                                subject: format!("Your conference in 2 days ({n})"),
                                text: "Dear volunteer,\n\nYour conference is in 2 days.\n".into(),
                                html: "<p>Dear volunteer,</p><p>Your conference is in 2 days.</p>".into(),
                            },
                            send_after: now - TimeDelta::seconds(1),
                        };
                        outbox::enqueue(&txn, outgoing).await.expect("enqueue");
                    }
                    txn.commit().await.expect("commit");
                });
                queuing += queued_from.elapsed();
                let start = Instant::now();
                let sent = runtime.block_on(async {
                    let mut sent = 0;
                    loop {
                        let report = worker.run_once(now).await.expect("run");
                        if report.claimed == 0 {
                            break sent;
                        }
                        sent += report.sent;
                    }
                });
                elapsed += start.elapsed();
                assert_eq!(sent, EMAILS);
            }
            worker_time += elapsed;
            elapsed
        });
    });
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("raw lettre: the same 10,000 messages, 8 connections", |b| {
        b.iter_custom(|iterations| {
            let start = Instant::now();
            for _ in 0..iterations {
                assert_eq!(runtime.block_on(raw_lettre(sink.addr(), EMAILS)), EMAILS);
            }
            let elapsed = start.elapsed();
            raw_time += elapsed;
            raw_rounds += iterations as usize;
            elapsed
        });
    });
    group.finish();
    let pooled = runtime.block_on(lettre_pooled_transport(&sink.url(), &prebuilt));
    println!(
        "lettre's released pooled transport (Nagle on): 1,000 emails in {:.2} s = {:.0} emails/s",
        pooled.as_secs_f64(),
        1000.0 / pooled.as_secs_f64()
    );
    if round > 0 && raw_rounds > 0 {
        let worker_rate = (round * EMAILS) as f64 / worker_time.as_secs_f64();
        let raw_rate = (raw_rounds * EMAILS) as f64 / raw_time.as_secs_f64();
        println!(
            "worker {worker_rate:.0} emails/s, raw lettre {raw_rate:.0} emails/s: {:.2}× raw lettre",
            worker_rate / raw_rate
        );
    }
    if round > 0 {
        let rate = (round * EMAILS) as f64 / queuing.as_secs_f64();
        println!(
            "queued {} emails in {:.1} s: {rate:.0} emails/s (in one transaction per 10,000)",
            round * EMAILS,
            queuing.as_secs_f64()
        );
    }
    assert_eq!(sink.count(), (round + raw_rounds) * EMAILS + 1000, "every email reached the SMTP server once");
}

criterion_group!(benches, deliver_10k);
criterion_main!(benches);
