//! Outbox delivery throughput, as issue 7 asks: queue 10,000 emails in a SQLite file
//! database, then deliver them with one worker to the local SMTP sink of the tests. Each
//! iteration is one batch of 10,000; criterion reports the delivery in emails per second,
//! and the queuing rate (not measured by criterion) is printed at the end.

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

    let mut group = c.benchmark_group("mail");
    group.sample_size(10).sampling_mode(SamplingMode::Flat).warm_up_time(Duration::from_millis(1));
    // Ten samples of one 10,000-email iteration each: long enough that criterion does not
    // shrink the batch.
    group.measurement_time(Duration::from_secs(120));
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
            elapsed
        });
    });
    group.finish();
    if round > 0 {
        let rate = (round * EMAILS) as f64 / queuing.as_secs_f64();
        println!(
            "queued {} emails in {:.1} s: {rate:.0} emails/s (in one transaction per 10,000)",
            round * EMAILS,
            queuing.as_secs_f64()
        );
    }
    assert_eq!(sink.count(), round * EMAILS, "every email reached the SMTP server once");
}

criterion_group!(benches, deliver_10k);
criterion_main!(benches);
