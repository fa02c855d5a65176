//! Calendar feeds (issue 6).
//! `render 500-event feed`: the pure renderer on 500 events (target: under 5 ms).
//! `feed 304 path (ETag check)`: what a conditional GET costs when nothing changed — the
//! fingerprint queries and the ETag, on a SQLite database holding 500 conferences for one
//! volunteer; nothing is loaded or rendered.
//! `feed 200 path (load + render)`: the same feed loaded from the database and rendered.

use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use convene::calendar::service::{self, Feed};
use convene::ics::{self, Event, Status, When};
use criterion::{Criterion, criterion_group, criterion_main};
use entity::case::{CaseStatus, ReferralSource};
use entity::conference::ConferenceStatus;
use entity::conference_facilitator::{FacilitatorRole, Response};
use entity::establishment::EstablishmentKind;
use entity::user::Role;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

fn render_500(c: &mut Criterion) {
    let first = Utc.with_ymd_and_hms(2026, 1, 5, 18, 0, 0).single().expect("valid start");
    let events: Vec<Event> = (0..500)
        .map(|i| {
            let start = first + TimeDelta::hours(7 * i);
            Event {
                uid: entity::calendar_uid::new(),
                sequence: (i % 4) as u32,
                dtstamp_utc: first,
                when: When::Timed { start, end: start + TimeDelta::hours(2) },
                summary: format!("Restorative conference (RJ-2026-{i:04}) — Pen-y-bont ar Ogwr, Tŷ Ŵyn"),
                description: Some(format!(
                    "You are the lead facilitator. Details for signed-in facilitators and coordinators: https://convene.example.org/conferences/{i}"
                )),
                location: Some("Community Hall; Room 2, Stryd Fawr".into()),
                url: Some(format!("https://convene.example.org/conferences/{i}")),
                status: if i % 10 == 0 { Status::Cancelled } else { Status::Confirmed },
            }
        })
        .collect();
    c.bench_function("render 500-event feed", |b| {
        b.iter(|| ics::render("Convene — my calendar", std::hint::black_box(&events)))
    });
}

/// A migrated SQLite database with one volunteer facilitating 500 conferences.
async fn five_hundred_conferences(dir: &std::path::Path) -> (DatabaseConnection, Feed) {
    let url = format!("sqlite:{}", dir.join("bench.db").display());
    let db = convene::db::connect_and_migrate(&url).await.expect("database");
    let now = Utc::now();
    let mut people = Vec::new();
    for n in 0..2 {
        let account = convene::auth::service::create_account(
            &db,
            convene::auth::service::NewAccount {
                email: convene::auth::Email::parse(&format!("v{n}@example.org")).expect("email"),
                name: format!("Volunteer {n}"),
                role: Role::Volunteer,
                password: None,
            },
        )
        .await
        .expect("account");
        let record = convene::volunteers::service::for_user(&db, account.id).await.expect("query").expect("record");
        people.push((account.id, record.id));
    }
    let place = entity::establishment::ActiveModel {
        name: Set("HMP Example".into()),
        kind: Set(EstablishmentKind::Prison),
        address: Set("1 Example Road, Gloucester".into()),
        rooms: Set(2),
        requires_vetting: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect("establishment");
    let first = Utc.with_ymd_and_hms(2027, 1, 4, 10, 0, 0).single().expect("start");
    for i in 0..500 {
        let case = entity::case::ActiveModel {
            reference: Set(format!("RJ-2027-{i:04}")),
            source: Set(ReferralSource::Probation),
            referred_on: Set(NaiveDate::from_ymd_opt(2026, 11, 1).expect("date")),
            offence_category: Set("burglary".into()),
            establishment_id: Set(place.id),
            deadline: Set(NaiveDate::from_ymd_opt(2028, 1, 1).expect("date")),
            duration_minutes: Set(120),
            notes: Set(String::new()),
            status: Set(CaseStatus::Booked),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&db)
        .await
        .expect("case");
        let start = first + TimeDelta::hours(25 * i);
        let conference = entity::conference::ActiveModel {
            case_id: Set(case.id),
            establishment_id: Set(place.id),
            starts_at: Set(start),
            ends_at: Set(start + TimeDelta::hours(2)),
            status: Set(ConferenceStatus::Confirmed),
            uid: Set(entity::calendar_uid::new()),
            sequence: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&db)
        .await
        .expect("conference");
        for ((_, volunteer_id), role) in people.iter().zip([FacilitatorRole::Lead, FacilitatorRole::Co]) {
            entity::conference_facilitator::ActiveModel {
                conference_id: Set(conference.id),
                volunteer_id: Set(*volunteer_id),
                role: Set(role),
                response: Set(Response::Accepted),
                responded_at: Set(Some(now)),
                ..Default::default()
            }
            .insert(&db)
            .await
            .expect("facilitator");
        }
    }
    let (user_id, volunteer_id) = people[0];
    (db, Feed::Volunteer { user_id, volunteer_id: Some(volunteer_id) })
}

fn feed_paths(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("temporary directory");
    let (db, feed) = runtime.block_on(five_hundred_conferences(dir.path()));
    let base_url = url::Url::parse("https://convene.example.org/").expect("url");
    let now = Utc::now();
    let etag = runtime.block_on(service::etag(&db, feed, &base_url, now)).expect("etag");
    let (etag, body) = runtime.block_on(service::render(&db, feed, &base_url, now, etag)).expect("render");
    assert_eq!(body.matches("BEGIN:VEVENT").count(), 500);
    c.bench_function("feed 304 path (ETag check), 500 events", |b| {
        b.iter(|| {
            let fresh = runtime.block_on(service::etag(&db, feed, &base_url, now)).expect("etag");
            assert_eq!(fresh, etag);
        })
    });
    c.bench_function("feed 200 path (load + render), 500 events", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let etag = service::etag(&db, feed, &base_url, now).await.expect("etag");
                service::render(&db, feed, &base_url, now, etag).await.expect("render")
            })
        })
    });
}

criterion_group!(benches, render_500, feed_paths);
criterion_main!(benches);
