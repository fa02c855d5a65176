//! Matching with the parties' availability.

use chrono::{Datelike, NaiveDateTime, NaiveTime, Weekday};
use entity::user::Role;
use entity::volunteer::FacilitationLevel;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

use crate::booking::{facilitator, prison, ready_case};
use crate::helpers::TestApp;

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

    let body: Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/cases/{case}/candidates?limit=200")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
