//! Acceptance for casework: one case walked from referral to closure in headless Chromium
//! through the pages only — the coordinator refers and allocates, both facilitators assess
//! and log a preparation contact, the lead sets the harmed person's availability, the
//! co-facilitator records both consents, the coordinator confirms it ready and books the
//! pair, both accept; then (the conference moved into the past: time passes) the lead
//! records the outcome with two actions, the co-facilitator settles them, the coordinator
//! closes the case and reads the completion report.

use entity::Code;

use chrono::Duration;
use entity::case::{self, CaseStatus};
use entity::conference::{self, ConferenceStatus};
use entity::user::Role;
use entity::volunteer::FacilitationLevel;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, browser_script};
use crate::scenario::{facilitator, prison};

async fn person(app: &TestApp, volunteer_id: i64) -> Value {
    let record = entity::volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.unwrap().unwrap();
    let account = entity::user::Entity::find_by_id(record.user_id).one(&app.db).await.unwrap().unwrap();
    json!({"email": account.email, "password": PASSWORD, "name": account.name, "user_id": account.id})
}

#[tokio::test]
async fn a_case_is_worked_from_referral_to_closure_through_the_pages() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let prison = prison(&app, &token).await;
    let place = entity::establishment::Entity::find_by_id(prison).one(&app.db).await.unwrap().unwrap().name;
    let lead_id = facilitator(&app, prison, FacilitationLevel::Lead).await;
    let co_id = facilitator(&app, prison, FacilitationLevel::CoFacilitator).await;
    let (lead, co) = (person(&app, lead_id).await, person(&app, co_id).await);
    let mut args = json!({
        "phase": 1,
        "base": app.url(""),
        "coordinator": {"email": coordinator.email, "password": PASSWORD},
        "lead": lead,
        "co": co,
        "place": place,
        "due": (crate::helpers::today() + Duration::days(30)).to_string(),
    });

    let first = browser_script("casework.mjs", vec![args.to_string()], Vec::new()).await;
    let reference = first["reference"].as_str().unwrap().to_owned();
    let found =
        case::Entity::find().filter(case::Column::Reference.eq(&reference)).one(&app.db).await.unwrap().unwrap();
    assert_eq!(found.status, CaseStatus::Booked);
    let pair = convene::cases::allocation::pair(&app.db, found.id).await.unwrap();
    assert_eq!(pair, Some([lead_id, co_id]), "the allocated pair");
    let assessments = entity::assessment::Entity::find()
        .filter(entity::assessment::Column::CaseId.eq(found.id))
        .all(&app.db)
        .await
        .unwrap();
    let mut by: Vec<(String, i64)> = assessments.iter().map(|a| (a.kind.code(), a.assessed_by)).collect();
    by.sort();
    assert_eq!(
        by,
        vec![
            ("appropriateness".to_owned(), co["user_id"].as_i64().unwrap()),
            ("risk".to_owned(), lead["user_id"].as_i64().unwrap())
        ],
        "each facilitator assessed"
    );
    let contacts = entity::case_contact::Entity::find()
        .filter(entity::case_contact::Column::CaseId.eq(found.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(contacts.len(), 2);
    let parties = convene::cases::service::parties(&app.db, found.id).await.unwrap();
    assert!(parties.iter().all(|p| p.consent == entity::party::Consent::Given));
    let harmed = parties.iter().find(|p| p.role == entity::party::PartyRole::Harmed).unwrap();
    assert_eq!(
        convene::cases::service::party_availability(&app.db, harmed.id).await.unwrap().len(),
        1,
        "Mon–Fri 09:00–17:00"
    );
    let booked =
        conference::Entity::find().filter(conference::Column::CaseId.eq(found.id)).one(&app.db).await.unwrap().unwrap();
    assert_eq!(booked.status, ConferenceStatus::Confirmed, "both accepted");

    // Time passes: the conference has taken place.
    let started = crate::helpers::now() - Duration::hours(3);
    conference::ActiveModel {
        id: Set(booked.id),
        starts_at: Set(started),
        ends_at: Set(started + Duration::hours(2)),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .unwrap();

    args["phase"] = json!(2);
    args["reference"] = json!(reference);
    let second = browser_script("casework.mjs", vec![args.to_string()], Vec::new()).await;
    let found = case::Entity::find_by_id(found.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(found.status, CaseStatus::Closed);
    let held = conference::Entity::find_by_id(booked.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(held.status, ConferenceStatus::Held);
    let actions = entity::outcome_action::Entity::find()
        .filter(entity::outcome_action::Column::ConferenceId.eq(booked.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(actions.len(), 2);
    assert!(actions.iter().all(|a| a.completed_on.is_some()));
    let report = second["report"].as_str().unwrap();
    assert!(
        report.contains(&reference) && report.contains("2 agreed: 2 completed, 0 not completed, 0 open"),
        "{report}"
    );
    for secret in ["Hannah", "Harry", "apology", "window", lead["name"].as_str().unwrap()] {
        assert!(!report.contains(secret), "{secret} in the referrer's report: {report}");
    }
}
