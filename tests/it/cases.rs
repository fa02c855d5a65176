//! Cases over the API: referral with a generated reference and default deadline, parties
//! and consent, appointments in UK time, assessments before booking, and confidentiality.

use chrono::{Datelike, Duration};
use entity::user::Role;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.api(token).post(path, &body).await
}

async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.api(token).patch(path, &body).await
}

#[tokio::test]
async fn a_referral_to_a_case_ready_to_book_and_who_may_see_it() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let prison = crate::checks::establishment(&app, "HMP Gloucester", true).await;

    let response = post(
        &app,
        &token,
        "/api/v1/cases",
        json!({"source": "probation", "offence_category": "burglary", "establishment_id": prison}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let first: Value = response.json().await.unwrap();
    let year = crate::helpers::today().year();
    assert_eq!(first["reference"], format!("RJ-{year}-0001"));
    assert_eq!(first["status"], "referred");
    assert_eq!(first["deadline"], (crate::helpers::today() + Duration::days(90)).to_string(), "default timeframe");
    let second: Value = post(
        &app,
        &token,
        "/api/v1/cases",
        json!({"source": "self", "offence_category": "assault", "establishment_id": prison, "deadline": "2099-01-01"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(second["reference"], format!("RJ-{year}-0002"));
    assert_eq!(second["source"], "self");

    let response = post(
        &app,
        &token,
        "/api/v1/cases",
        json!({"source": "aliens", "offence_category": "", "establishment_id": 999}),
    )
    .await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    for field in ["source", "offence_category", "establishment_id"] {
        assert!(error["error"]["fields"][field].is_string(), "{field}: {error}");
    }

    let id = first["id"].as_i64().unwrap();
    let case_url = format!("/api/v1/cases/{id}");
    assert_eq!(
        patch(&app, &token, &case_url, json!({"status": "ready"})).await.status(),
        409,
        "referred cannot jump to ready"
    );
    assert_eq!(patch(&app, &token, &case_url, json!({"status": "assessing"})).await.status(), 200);
    let response = patch(&app, &token, &case_url, json!({"status": "ready"})).await;
    assert_eq!(response.status(), 409);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["message"].as_str().unwrap().contains("risk assessment"), "{error}");

    let harmer: Value = post(
        &app,
        &token,
        &format!("{case_url}/parties"),
        json!({"role": "harmer", "name": "H. Person", "consent": "given"}),
    )
    .await
    .json()
    .await
    .unwrap();
    post(
        &app,
        &token,
        &format!("{case_url}/parties"),
        json!({"role": "harmed", "name": "V. Person", "consent": "pending"}),
    )
    .await;
    let response =
        post(&app, &token, &format!("{case_url}/parties"), json!({"role": "bystander", "name": "", "email": "nope"}))
            .await;
    assert_eq!(response.status(), 422);

    // Appointments in UK wall-clock are stored as UTC instants, across the clock change.
    let appointments = format!("/api/v1/parties/{}/appointments", harmer["id"]);
    let summer: Value = post(
        &app,
        &token,
        &appointments,
        json!({"kind": "probation", "starts_at": "2027-06-10T18:00", "ends_at": "2027-06-10T19:00"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(summer["starts_at"], "2027-06-10T17:00:00Z");
    let winter: Value = post(
        &app,
        &token,
        &appointments,
        json!({"kind": "probation", "starts_at": "2027-01-14T18:00", "ends_at": "2027-01-14T19:00"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(winter["starts_at"], "2027-01-14T18:00:00Z");
    let response = post(
        &app,
        &token,
        &appointments,
        json!({"kind": "probation", "starts_at": "2027-03-28T01:30", "ends_at": "2027-03-28T03:00"}),
    )
    .await;
    assert_eq!(response.status(), 422, "a time in the spring-forward gap does not exist");

    for kind in ["risk", "appropriateness"] {
        let response =
            post(&app, &token, &format!("{case_url}/assessments"), crate::helpers::assessment_json(kind, "suitable"))
                .await;
        assert_eq!(response.status(), 201);
    }
    let response = patch(&app, &token, &case_url, json!({"status": "ready"})).await;
    assert_eq!(response.status(), 409, "the harmed party has not consented yet");
    assert!(response.text().await.unwrap().contains("harmed has not given consent"));
    let parties: Value = app.api(&token).get(&format!("{case_url}/parties")).await.json().await.unwrap();
    let harmed_id =
        parties["parties"].as_array().unwrap().iter().find(|p| p["role"] == "harmed").unwrap()["id"].as_i64().unwrap();
    entity::party::ActiveModel {
        id: Set(harmed_id),
        consent: Set(entity::party::Consent::Given),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .unwrap();
    assert_eq!(patch(&app, &token, &case_url, json!({"status": "ready"})).await.status(), 200);

    // Confidentiality: a volunteer not on the case finds nothing; the refusal is audited.
    let outsider = app.create_user(Role::Volunteer).await;
    let outsider_token = app.token_for(&outsider).await;
    let response = app.api(&outsider_token).get(&case_url).await;
    assert_eq!(response.status(), 404);
    assert_eq!(error_code(response).await, "not_found");
    let listed: Value = app.api(&outsider_token).get("/api/v1/cases").await.json().await.unwrap();
    assert_eq!(listed["cases"].as_array().unwrap().len(), 0);
    assert!(app.audit_count("case.view_refused").await >= 1);

    // A facilitator asked to the case's conference sees it.
    let outsider_record = convene::volunteers::service::for_user(&app.db, outsider.id).await.unwrap().unwrap();
    let now = crate::helpers::now();
    let conference = entity::conference::ActiveModel {
        case_id: Set(id),
        establishment_id: Set(prison),
        starts_at: Set(now + Duration::days(10)),
        ends_at: Set(now + Duration::days(10) + Duration::hours(2)),
        status: Set(entity::conference::ConferenceStatus::Proposed),
        uid: Set(uuid::Uuid::new_v4().to_string()),
        sequence: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    entity::conference_facilitator::ActiveModel {
        conference_id: Set(conference.id),
        volunteer_id: Set(outsider_record.id),
        role: Set(entity::conference_facilitator::FacilitatorRole::Co),
        response: Set(entity::conference_facilitator::Response::Asked),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let response = app.api(&outsider_token).get(&case_url).await;
    assert_eq!(response.status(), 404, "a conference alone does not give the case: allocation does");
    let allocation = entity::case_facilitator::ActiveModel {
        case_id: Set(conference.case_id),
        volunteer_id: Set(outsider_record.id),
        role: Set(entity::case_facilitator::FacilitatorRole::Co),
        allocated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let response = app.api(&outsider_token).get(&case_url).await;
    assert_eq!(response.status(), 200, "an allocated facilitator reads the case");
    <entity::case_facilitator::Entity as sea_orm::EntityTrait>::delete_by_id(allocation.id)
        .exec(&app.db)
        .await
        .unwrap();
    let response = app.api(&outsider_token).get(&case_url).await;
    assert_eq!(response.status(), 404, "taken off the case, at once");
    let other_case = format!("/api/v1/cases/{}", second["id"]);
    assert_eq!(app.api(&outsider_token).get(&other_case).await.status(), 404);

    let viewed_before = app.audit_count("case.viewed").await;
    app.api(&token).get(&case_url).await;
    assert_eq!(app.audit_count("case.viewed").await, viewed_before + 1, "every read is audited");
}
