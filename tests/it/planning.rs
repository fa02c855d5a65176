//! Matching with the parties' availability.

use chrono::{Datelike, NaiveDateTime, NaiveTime, Weekday};
use entity::user::Role;
use entity::volunteer::FacilitationLevel;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

use crate::helpers::TestApp;
use crate::scenario::{facilitator, prison, ready_case};

#[tokio::test]
async fn candidates_fall_inside_the_availability_a_party_gave() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let prison = prison(&app, &token).await;
    facilitator(&app, prison, FacilitationLevel::Lead).await;
    facilitator(&app, prison, FacilitationLevel::CoFacilitator).await;
    let case = ready_case(&app, &token, prison).await;
    let harmed = entity::party::Entity::find()
        .filter(entity::party::Column::CaseId.eq(case))
        .filter(entity::party::Column::Role.eq(entity::party::PartyRole::Harmed))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    // Tuesday afternoons and Thursday mornings only.
    for (weekday, from, to) in [(1, (13, 0), (16, 0)), (3, (9, 0), (11, 30))] {
        entity::party_availability::ActiveModel {
            party_id: Set(harmed.id),
            weekday: Set(weekday),
            starts_at: Set(NaiveTime::from_hms_opt(from.0, from.1, 0).unwrap()),
            ends_at: Set(NaiveTime::from_hms_opt(to.0, to.1, 0).unwrap()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }

    let body: Value =
        app.api(&token).get(&format!("/api/v1/cases/{case}/candidates?limit=200")).await.json().await.unwrap();
    let candidates = body["candidates"].as_array().unwrap();
    assert!(!candidates.is_empty(), "{body}");
    let at = |c: &Value, k: &str| NaiveDateTime::parse_from_str(c[k].as_str().unwrap(), "%Y-%m-%dT%H:%M").unwrap();
    let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let mut days = std::collections::HashSet::new();
    for c in candidates {
        let (start, end) = (at(c, "start"), at(c, "end"));
        assert_eq!(start.date(), end.date());
        let inside = match start.weekday() {
            Weekday::Tue => start.time() >= hm(13, 0) && end.time() <= hm(16, 0),
            Weekday::Thu => start.time() >= hm(9, 0) && end.time() <= hm(11, 30),
            _ => false,
        };
        assert!(inside, "{start} to {end} is outside the harmed party's availability");
        days.insert(start.weekday());
    }
    assert!(days.contains(&Weekday::Tue), "Tuesday afternoons are offered: {days:?}");
}

#[tokio::test]
async fn the_batch_plan_books_every_ready_case_without_double_booking() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let prison = prison(&app, &token).await;
    // One pair of facilitators for two cases: the second must go to another time.
    facilitator(&app, prison, FacilitationLevel::Lead).await;
    facilitator(&app, prison, FacilitationLevel::CoFacilitator).await;
    let first = ready_case(&app, &token, prison).await;
    let second = ready_case(&app, &token, prison).await;
    let client = reqwest::Client::new();

    let volunteer = app.create_user(Role::Volunteer).await;
    let volunteer_token = app.token_for(&volunteer).await;
    let refused = client.post(app.url("/api/v1/plan")).bearer_auth(&volunteer_token).send().await.unwrap();
    assert_eq!(refused.status(), 403);

    let plan: Value =
        client.post(app.url("/api/v1/plan")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let bookings = plan["bookings"].as_array().unwrap();
    assert_eq!(bookings.len(), 2, "{plan}");
    assert!(plan["unbooked"].as_array().unwrap().is_empty(), "{plan}");
    let mut cases: Vec<i64> = bookings.iter().map(|b| b["case_id"].as_i64().unwrap()).collect();
    cases.sort_unstable();
    assert_eq!(cases, [first.min(second), first.max(second)]);
    // The same two people: the conferences are apart by at least the travel buffer.
    let at = |b: &Value, key: &str| NaiveDateTime::parse_from_str(b[key].as_str().unwrap(), "%Y-%m-%dT%H:%M").unwrap();
    let (a, b) = (&bookings[0], &bookings[1]);
    let apart = at(a, "end") + chrono::Duration::minutes(60) <= at(b, "start")
        || at(b, "end") + chrono::Duration::minutes(60) <= at(a, "start");
    assert!(apart, "{plan}");
    for case in [first, second] {
        let stored = entity::case::Entity::find_by_id(case).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.status, entity::case::CaseStatus::Booked);
    }

    // Nothing is ready any more: a second run books nothing.
    let again: Value =
        client.post(app.url("/api/v1/plan")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert!(again["bookings"].as_array().unwrap().is_empty(), "{again}");
}
