//! Rendering a 500-event calendar feed (issue 6). Target: under 5 ms a feed.

use chrono::{TimeDelta, TimeZone, Utc};
use convene::calendar::ics::{self, Event, Status, When};
use criterion::{Criterion, criterion_group, criterion_main};

fn render_500(c: &mut Criterion) {
    let first = Utc.with_ymd_and_hms(2026, 1, 5, 18, 0, 0).single().expect("valid start");
    let events: Vec<Event> = (0..500)
        .map(|i| {
            let start = first + TimeDelta::hours(7 * i);
            Event {
                uid: format!("conference-{i}@convene.example.org"),
                sequence: (i % 4) as u32,
                dtstamp_utc: first,
                when: When::Timed { start, end: start + TimeDelta::hours(2) },
                summary: format!("Restorative conference (RJ-{i:05}) — Pen-y-bont ar Ogwr, Tŷ Ŵyn"),
                location: Some("Community Hall; Room 2, Stryd Fawr".into()),
                url: Some(format!("https://convene.example.org/conferences/{i}")),
                status: if i % 10 == 0 { Status::Cancelled } else { Status::Confirmed },
            }
        })
        .collect();
    c.bench_function("render 500-event feed", |b| {
        b.iter(|| ics::render("Convene — my conferences", std::hint::black_box(&events)))
    });
}

criterion_group!(benches, render_500);
criterion_main!(benches);
