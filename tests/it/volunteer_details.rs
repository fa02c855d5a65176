//! A volunteer's name and email are changed by coordinators, through the API
//! (`PATCH /api/v1/volunteers/{id}`) and the record's page, audited.

use entity::user::Role;
use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test]
async fn a_coordinator_changes_a_volunteers_name_and_email_and_bad_values_are_refused_per_field() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().build().await;
    let [lead] = world.facilitators();
    let path = format!("/api/v1/volunteers/{lead}");
    let api = app.api(&world.token);

    let changed = api.patch(&path, &json!({"name": "  Dana Ellis ", "email": "Dana.Ellis@Example.org"})).await;
    assert_eq!(changed.status(), 200);
    let body: Value = changed.json().await.unwrap();
    assert_eq!((body["name"].as_str(), body["email"].as_str()), (Some("Dana Ellis"), Some("dana.ellis@example.org")));
    let read: Value = api.get(&path).await.json().await.unwrap();
    assert_eq!(read["email"], "dana.ellis@example.org");
    assert_eq!(app.audit_count("volunteer.updated").await, 1);

    let bad = api.patch(&path, &json!({"name": "", "email": "not an address"})).await;
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    assert!(body["error"]["fields"]["name"].is_string() && body["error"]["fields"]["email"].is_string(), "{body}");
    let taken = api.patch(&path, &json!({"email": world.coordinator.email})).await;
    assert_eq!(taken.status(), 422);
    let body: Value = taken.json().await.unwrap();
    assert_eq!(body["error"]["fields"]["email"], "An account with this email already exists.");
    let read: Value = api.get(&path).await.json().await.unwrap();
    assert_eq!((read["name"].as_str(), read["email"].as_str()), (Some("Dana Ellis"), Some("dana.ellis@example.org")));
    assert_eq!(api.patch("/api/v1/volunteers/999999", &json!({"name": "X"})).await.status(), 404);
    let volunteer = app.create_user(Role::Volunteer).await;
    let theirs = app.token_for(&volunteer).await;
    assert_eq!(app.api(&theirs).patch(&path, &json!({"name": "Mine now"})).await.status(), 403);
    assert_eq!(app.audit_count("volunteer.updated").await, 1, "refused changes change nothing");

    let mut coordinator = app.signed_in(&world.coordinator).await;
    let (status, form) = coordinator.open(&format!("/volunteers/{lead}/details")).await;
    assert_eq!(status, 200);
    assert!(form.contains(r#"value="dana.ellis@example.org""#), "the form holds the current values");
    let refused = coordinator
        .post_form(&format!("/volunteers/{lead}/details"), &[("name", "Dana E"), ("email", &world.coordinator.email)])
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("An account with this email already exists.") && page.contains(r#"value="Dana E""#));
    let saved = coordinator
        .post_form(&format!("/volunteers/{lead}/details"), &[("name", "Dana E"), ("email", "dana@example.org")])
        .await;
    assert_eq!(saved.status(), 303);
    let read: Value = api.get(&path).await.json().await.unwrap();
    assert_eq!((read["name"].as_str(), read["email"].as_str()), (Some("Dana E"), Some("dana@example.org")));
}
