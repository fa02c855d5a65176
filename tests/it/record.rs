//! The volunteer record: from accepted applicant through core training (with a make-up
//! session) to trained, the commitment, supervision and the volunteer's own dashboard.

use chrono::Duration;
use convene::domain::time::london_today;
use entity::user::Role;
use entity::volunteer::{self, FacilitationLevel, VolunteerStatus};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};
use crate::recruitment::{Recruiting, open_intake, valid_application};

/// An applicant taken through the pipeline to acceptance; returns the volunteer id.
pub async fn accepted_volunteer(app: &TestApp, setup: &Recruiting, email: &str) -> i64 {
    let client = reqwest::Client::new();
    let receipt: Value = client
        .post(app.url("/api/v1/applications"))
        .json(&valid_application(setup.intake_id, email))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = receipt["id"].as_i64().unwrap();
    let decide = |body: Value| {
        client
            .post(app.url(&format!("/api/v1/applications/{id}/decision")))
            .bearer_auth(&setup.token)
            .json(&body)
            .send()
    };
    decide(json!({"decision": "shortlist"})).await.unwrap();
    decide(json!({"decision": "interview", "interview_date": "2027-01-12", "interview_time": "10:00", "interview_place": "Office"}))
        .await
        .unwrap();
    decide(json!({"decision": "offer"})).await.unwrap();
    let accepted: Value = decide(json!({"decision": "accept"})).await.unwrap().json().await.unwrap();
    accepted["volunteer_id"].as_i64().expect("volunteer id")
}

async fn sessions_of(app: &TestApp, token: &str, course_id: i64) -> Vec<(i64, i64)> {
    let body: Value = app.api(token).get(&format!("/api/v1/courses/{course_id}/sessions")).await.json().await.unwrap();
    body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["number"].as_i64().unwrap(), s["id"].as_i64().unwrap()))
        .collect()
}

pub async fn mark(app: &TestApp, token: &str, session_id: i64, volunteer_id: i64, mark: &str) -> reqwest::Response {
    app.api(token)
        .put(
            &format!("/api/v1/sessions/{session_id}/attendance"),
            &json!({"marks": [{"volunteer_id": volunteer_id, "mark": mark}]}),
        )
        .await
}

async fn record(app: &TestApp, id: i64) -> volunteer::Model {
    volunteer::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap()
}

#[tokio::test]
async fn core_training_with_a_make_up_session_makes_a_trained_co_facilitator() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let volunteer_id = accepted_volunteer(&app, &setup, "val@example.org").await;
    let sessions = sessions_of(&app, &setup.token, setup.course_id).await;
    assert_eq!(sessions.len(), 3);

    assert_eq!(mark(&app, &setup.token, sessions[0].1, volunteer_id, "present").await.status(), 204);
    assert_eq!(record(&app, volunteer_id).await.status, VolunteerStatus::InTraining);
    mark(&app, &setup.token, sessions[1].1, volunteer_id, "excused").await;
    mark(&app, &setup.token, sessions[2].1, volunteer_id, "present").await;
    let after_first_run = record(&app, volunteer_id).await;
    assert_eq!(after_first_run.status, VolunteerStatus::InTraining, "session 2 still missing");
    assert_eq!(after_first_run.level, FacilitationLevel::Trainee);
    assert!(after_first_run.trained_on.is_none());

    let response = mark(&app, &setup.token, sessions[0].1, volunteer_id, "asleep").await;
    assert_eq!(response.status(), 422);
    let future: Value = app
        .api(&setup.token)
        .post(
            &format!("/api/v1/courses/{}/sessions", setup.course_id),
            &json!({"number": 4, "date": (crate::helpers::today() + Duration::days(3)).to_string(),
                      "starts_at": "09:30", "ends_at": "16:30", "venue": "Gloucester"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let response = mark(&app, &setup.token, future["id"].as_i64().unwrap(), volunteer_id, "present").await;
    assert_eq!(response.status(), 409, "a register is kept on or after the day");
    // Session 4 was added for this check only; remove it so the course has three again.
    use sea_orm::ModelTrait;
    entity::course_session::Entity::find_by_id(future["id"].as_i64().unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .delete(&app.db)
        .await
        .unwrap();

    // Session 2 made up at a later run of the core course.
    let later: Value = app
        .api(&setup.token)
        .post("/api/v1/courses", &json!({"name": "Core training, autumn", "kind": "core"}))
        .await
        .json()
        .await
        .unwrap();
    let later_id = later["id"].as_i64().unwrap();
    let session: Value = app.api(&setup.token).post(&format!("/api/v1/courses/{later_id}/sessions"), &json!({"number": 2, "date": (crate::helpers::today() - Duration::days(2)).to_string(), "starts_at": "09:30", "ends_at": "16:30", "venue": "Cheltenham"})).await
        .json()
        .await
        .unwrap();
    let make_up = session["id"].as_i64().unwrap();

    // The register offers the volunteer for the make-up, and saving marks them present.
    let coordinator = app.create_user(Role::Coordinator).await;
    let mut browser = app.signed_in(&coordinator).await;
    let (_, page) = browser.open(&format!("/courses/{}", setup.course_id)).await;
    assert!(page.contains("Who still needs which session") && page.contains("session 2"));
    let (status, page) = browser.open(&format!("/sessions/{make_up}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("making up session 2") && page.contains("Siân Llewellyn"));
    let response =
        browser.post_form(&format!("/sessions/{make_up}/attendance"), &[("make_up", &volunteer_id.to_string())]).await;
    assert_eq!(response.status(), 303);

    let trained = record(&app, volunteer_id).await;
    assert_eq!(trained.status, VolunteerStatus::Trained);
    assert_eq!(trained.level, FacilitationLevel::CoFacilitator);
    let done = crate::helpers::today() - Duration::days(2);
    assert_eq!(trained.trained_on, Some(done), "the commitment starts the day training is completed");
    assert_eq!(trained.commitment_ends_on, done.checked_add_months(chrono::Months::new(12)));
}

#[tokio::test]
async fn absent_or_excused_does_not_count_and_changing_a_mark_is_allowed() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let volunteer_id = accepted_volunteer(&app, &setup, "val@example.org").await;
    let sessions = sessions_of(&app, &setup.token, setup.course_id).await;
    for (_, id) in &sessions {
        mark(&app, &setup.token, *id, volunteer_id, "absent").await;
    }
    assert!(record(&app, volunteer_id).await.trained_on.is_none());
    for (_, id) in &sessions {
        mark(&app, &setup.token, *id, volunteer_id, "present").await;
    }
    let trained = record(&app, volunteer_id).await;
    assert_eq!(trained.trained_on, Some(crate::recruitment::core_dates(crate::helpers::today())[2]));
    assert_eq!(mark(&app, &setup.token, 999_999, volunteer_id, "present").await.status(), 404);
}

#[tokio::test]
async fn the_commitment_can_be_extended_paused_and_ended() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let volunteer_id = accepted_volunteer(&app, &setup, "val@example.org").await;
    for (_, id) in sessions_of(&app, &setup.token, setup.course_id).await {
        mark(&app, &setup.token, id, volunteer_id, "present").await;
    }
    let coordinator = app.create_user(Role::Coordinator).await;
    let mut browser = app.signed_in(&coordinator).await;
    let (status, page) = browser.open(&format!("/volunteers/{volunteer_id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("days served") && page.contains("days left"));

    let end = record(&app, volunteer_id).await.commitment_ends_on.unwrap();
    let earlier = (end - Duration::days(1)).to_string();
    browser.post_form(&format!("/volunteers/{volunteer_id}/commitment/extend"), &[("ends_on", &earlier)]).await;
    let (_, page) = browser.open(&format!("/volunteers/{volunteer_id}")).await;
    assert!(page.contains("Choose a date after the current end"), "an earlier date is refused");
    let later = end + Duration::days(180);
    browser
        .post_form(&format!("/volunteers/{volunteer_id}/commitment/extend"), &[("ends_on", &later.to_string())])
        .await;
    assert_eq!(record(&app, volunteer_id).await.commitment_ends_on, Some(later));

    browser.post_form(&format!("/volunteers/{volunteer_id}/commitment/pause"), &[]).await;
    assert_eq!(record(&app, volunteer_id).await.status, VolunteerStatus::Paused);
    browser.post_form(&format!("/volunteers/{volunteer_id}/commitment/resume"), &[]).await;
    assert_eq!(record(&app, volunteer_id).await.status, VolunteerStatus::Trained);

    browser
        .post_form(&format!("/volunteers/{volunteer_id}/commitment/left"), &[("left_on", "2027-12-01"), ("reason", "")])
        .await;
    assert_eq!(record(&app, volunteer_id).await.status, VolunteerStatus::Trained, "a reason is needed");
    browser
        .post_form(
            &format!("/volunteers/{volunteer_id}/commitment/left"),
            &[("left_on", "2027-12-01"), ("reason", "Moved away")],
        )
        .await;
    let left = record(&app, volunteer_id).await;
    assert_eq!(left.status, VolunteerStatus::Left);
    assert_eq!(left.left_reason.as_deref(), Some("Moved away"));
    assert_eq!(app.audit_count("volunteer.left").await, 1);
}

#[tokio::test]
async fn supervision_is_recorded_by_coordinators_and_its_notes_stay_with_them() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let volunteer_id = accepted_volunteer(&app, &setup, "val@example.org").await;
    let today = crate::helpers::today();
    // Trained 13 weeks ago: supervision is overdue.
    use sea_orm::{ActiveModelTrait, Set};
    volunteer::ActiveModel {
        id: Set(volunteer_id),
        trained_on: Set(Some(today - Duration::weeks(13))),
        status: Set(VolunteerStatus::Trained),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let url = app.url(&format!("/api/v1/volunteers/{volunteer_id}/supervision"));
    let before: Value = client.get(&url).bearer_auth(&setup.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(before["overdue"], true);

    let response = client
        .post(&url)
        .bearer_auth(&setup.token)
        .json(&json!({"held_on": today.to_string(), "notes": "Talked through a difficult preparation meeting."}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let response =
        client.post(&url).bearer_auth(&setup.token).json(&json!({"held_on": "last tuesday"})).send().await.unwrap();
    assert_eq!(response.status(), 422);
    let after: Value = client.get(&url).bearer_auth(&setup.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(after["overdue"], false);
    assert_eq!(after["due_on"], (today + Duration::weeks(12)).to_string());
    assert_eq!(after["sessions"][0]["notes"], "Talked through a difficult preparation meeting.");

    // The volunteer sees when supervision is due, never the notes; others' records are closed.
    let val = app.create_user(Role::Volunteer).await;
    let val_token = app.token_for(&val).await;
    assert_eq!(
        client.get(&url).bearer_auth(&val_token).send().await.unwrap().status(),
        404,
        "another's record is not there"
    );
    let response =
        client.post(&url).bearer_auth(&val_token).json(&json!({"held_on": today.to_string()})).send().await.unwrap();
    assert_eq!(response.status(), 404);
    // The volunteer themself: their own record exists, but its notes are for coordinators.
    let owner = volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.unwrap().unwrap();
    let owner_account = entity::user::Entity::find_by_id(owner.user_id).one(&app.db).await.unwrap().unwrap();
    let owner_token = convene::auth::service::create_api_token(&app.db, owner_account.id).await.unwrap();
    let response = client.get(&url).bearer_auth(&owner_token).send().await.unwrap();
    assert_eq!(response.status(), 403);
    assert!(!response.text().await.unwrap().contains("difficult preparation meeting"));
    let other_browser = app.signed_in(&val).await;
    assert_eq!(other_browser.get(&format!("/volunteers/{volunteer_id}")).await.status(), 403);
}

#[tokio::test]
async fn the_volunteer_dashboard_shows_dates_progress_and_commitment() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let volunteer_id = accepted_volunteer(&app, &setup, "val@example.org").await;
    let sessions = sessions_of(&app, &setup.token, setup.course_id).await;
    mark(&app, &setup.token, sessions[0].1, volunteer_id, "present").await;
    // A fourth day still to come on the course.
    let next = crate::helpers::today() + Duration::days(10);
    app.api(&setup.token).post(&format!("/api/v1/courses/{}/sessions", setup.course_id), &json!({"number": 4, "date": next.to_string(), "starts_at": "09:30", "ends_at": "16:30", "venue": "Gloucester"})).await;
    // The volunteer sets a password through the invitation and signs in.
    let invitation = entity::outbox_message::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.kind == "account.invitation")
        .unwrap();
    let start = invitation.text_body.find("/invitations/").unwrap();
    let path: String = invitation.text_body[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    let mut browser = app.browser();
    browser.open(&path).await;
    browser.post_form(&path, &[("password", PASSWORD), ("confirm", PASSWORD)]).await;
    browser.open("/login").await;
    browser.post_form("/login", &[("email", "val@example.org"), ("password", PASSWORD)]).await;
    let (status, page) = browser.open("/").await;
    assert_eq!(status, 200);
    assert!(page.contains("1 of 4 sessions attended"), "{page}");
    assert!(page.contains("Still to attend: session 2, 3, 4"));
    assert!(page.contains(&convene::domain::time::long_date(next)), "next training date");
    assert!(page.contains("starts when you complete core training"));
    assert!(page.contains("Core training not complete"));
    assert!(page.contains("Background checks") && page.contains("no DBS check recorded"), "{page}");
    assert!(page.contains("Expenses") && page.contains("No claims yet."));
}

#[tokio::test]
async fn from_accepted_applicant_to_active_with_a_make_up_a_clear_dbs_and_prison_vetting() {
    use crate::checks::{establishment, post_check};
    use convene::checks::service::clearance;
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let volunteer_id = accepted_volunteer(&app, &setup, "val@example.org").await;
    let sessions = sessions_of(&app, &setup.token, setup.course_id).await;
    mark(&app, &setup.token, sessions[0].1, volunteer_id, "present").await;
    mark(&app, &setup.token, sessions[1].1, volunteer_id, "absent").await;
    mark(&app, &setup.token, sessions[2].1, volunteer_id, "present").await;
    // The make-up: the same session number at a later run of the core course.
    let later: Value = app
        .api(&setup.token)
        .post("/api/v1/courses", &json!({"name": "Core training, summer", "kind": "core"}))
        .await
        .json()
        .await
        .unwrap();
    let make_up: Value = app.api(&setup.token).post(&format!("/api/v1/courses/{}/sessions", later["id"]), &json!({"number": 2, "date": (crate::helpers::today() - Duration::days(1)).to_string(), "starts_at": "09:30", "ends_at": "16:30", "venue": "Stroud"})).await
        .json()
        .await
        .unwrap();
    mark(&app, &setup.token, make_up["id"].as_i64().unwrap(), volunteer_id, "present").await;
    assert_eq!(record(&app, volunteer_id).await.status, VolunteerStatus::Trained, "trained but not yet cleared");

    let issued = crate::helpers::today() - Duration::days(30);
    let response = post_check(
        &app,
        &setup.token,
        volunteer_id,
        json!({"type": "dbs", "level": "enhanced", "status": "clear", "certificate_number": "001234567890",
               "issued_on": issued.to_string(), "update_service": false}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let active = record(&app, volunteer_id).await;
    assert_eq!(active.status, VolunteerStatus::Active);
    assert_eq!(active.level, FacilitationLevel::CoFacilitator);

    let prison = establishment(&app, "HMP Gloucester", true).await;
    let day = crate::helpers::today() + Duration::days(30);
    assert!(!clearance(&app.db, volunteer_id, prison, day).await.unwrap().is_cleared(), "not vetted there yet");
    let response = post_check(
        &app,
        &setup.token,
        volunteer_id,
        json!({"type": "prison_vetting", "establishment_id": prison, "level": "enhanced", "status": "cleared",
               "cleared_on": issued.to_string(), "expires_on": "2027-12-31"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    assert!(clearance(&app.db, volunteer_id, prison, day).await.unwrap().is_cleared());

    let coordinator = app.create_user(Role::Coordinator).await;
    let (_, page) = app.signed_in(&coordinator).await.open(&format!("/volunteers/{volunteer_id}")).await;
    assert!(page.contains("active") && !page.contains("Not active:"));
}

/// A conference of `status` with this volunteer as co-facilitator (no booking API yet:
/// the rows are written as the booking will write them).
async fn conference_with(
    app: &TestApp,
    establishment_id: i64,
    volunteer_id: i64,
    status: entity::conference::ConferenceStatus,
) {
    use entity::case::{self, CaseStatus, ReferralSource};
    use entity::conference;
    use entity::conference_facilitator::{self, FacilitatorRole, Response};
    use sea_orm::{ActiveModelTrait, Set};
    let now = crate::helpers::now();
    let n = uuid::Uuid::new_v4().simple().to_string();
    let case = case::ActiveModel {
        reference: Set(format!("RJ-2027-{}", &n[..4])),
        source: Set(ReferralSource::Probation),
        referred_on: Set(london_today(now)),
        offence_category: Set("burglary".into()),
        establishment_id: Set(establishment_id),
        deadline: Set(london_today(now) + Duration::days(60)),
        duration_minutes: Set(120),
        notes: Set(String::new()),
        status: Set(CaseStatus::Held),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let held = conference::ActiveModel {
        case_id: Set(case.id),
        establishment_id: Set(establishment_id),
        starts_at: Set(now - Duration::days(7)),
        ends_at: Set(now - Duration::days(7) + Duration::hours(2)),
        status: Set(status),
        uid: Set(n),
        sequence: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    conference_facilitator::ActiveModel {
        conference_id: Set(held.id),
        volunteer_id: Set(volunteer_id),
        role: Set(FacilitatorRole::Co),
        response: Set(Response::Accepted),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

#[tokio::test]
async fn lead_after_three_conferences_as_co_facilitator_and_a_sign_off() {
    use entity::conference::ConferenceStatus;
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let volunteer_id = accepted_volunteer(&app, &setup, "val@example.org").await;
    for (_, id) in sessions_of(&app, &setup.token, setup.course_id).await {
        mark(&app, &setup.token, id, volunteer_id, "present").await;
    }
    assert_eq!(record(&app, volunteer_id).await.level, FacilitationLevel::CoFacilitator);
    let prison = crate::checks::establishment(&app, "HMP Gloucester", true).await;
    conference_with(&app, prison, volunteer_id, ConferenceStatus::Held).await;
    conference_with(&app, prison, volunteer_id, ConferenceStatus::Held).await;
    conference_with(&app, prison, volunteer_id, ConferenceStatus::Cancelled).await;

    let coordinator = app.create_user(Role::Coordinator).await;
    let mut browser = app.signed_in(&coordinator).await;
    let (_, list) = browser.open("/volunteers").await;
    assert!(!list.contains("Ready for lead sign-off"), "two held is not enough; a cancelled one does not count");
    let (_, page) = browser.open(&format!("/volunteers/{volunteer_id}")).await;
    assert!(page.contains("2 of 3 conferences held as co-facilitator"));
    browser.post_form(&format!("/volunteers/{volunteer_id}/lead-sign-off"), &[]).await;
    assert_eq!(record(&app, volunteer_id).await.level, FacilitationLevel::CoFacilitator, "refused before three");

    conference_with(&app, prison, volunteer_id, ConferenceStatus::Held).await;
    let (_, list) = browser.open("/volunteers").await;
    assert!(list.contains("Ready for lead sign-off") && list.contains("3 conferences held as co-facilitator"));
    let response = browser.post_form(&format!("/volunteers/{volunteer_id}/lead-sign-off"), &[]).await;
    assert_eq!(response.status(), 303);
    let lead = record(&app, volunteer_id).await;
    assert_eq!(lead.level, FacilitationLevel::Lead);
    assert!(lead.lead_signed_off_at.is_some());
    assert_eq!(app.audit_count("volunteer.lead_signed_off").await, 1);
}
