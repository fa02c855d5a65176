//! Coded reasons: a case stops proceeding and a conference goes unheld for a reason from a
//! list admins keep (so reports can count them); "other" needs words; a retired reason is
//! no longer offered.

use chrono::Duration;
use entity::user::Role;
use entity::volunteer::FacilitationLevel;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::scenario::{a_tuesday, book, facilitator, prison, ready_case, token_of};

#[tokio::test]
async fn admins_keep_the_reason_lists_and_cases_and_conferences_use_them() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin).await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let client = reqwest::Client::new();

    // The admin adds a reason and retires another; coordinators may not.
    let mut browser = app.signed_in(&admin).await;
    let (status, page) = browser.open("/admin/reasons").await;
    assert_eq!(status, 200);
    assert!(page.contains("The harmed person declined") && page.contains("A party did not attend"));
    let empty = browser.post_form("/admin/reasons", &[("kind", "not_proceeding"), ("label", "  ")]).await;
    assert_eq!(empty.status(), 422);
    let added = browser
        .post_form("/admin/reasons", &[("kind", "not_proceeding"), ("label", "Referred to another service")])
        .await;
    assert_eq!(added.status(), 303);
    let again = browser
        .post_form("/admin/reasons", &[("kind", "not_proceeding"), ("label", "Referred to another service")])
        .await;
    assert_eq!(again.status(), 422, "once on the list");
    let codes = entity::reason_code::Entity::find().all(&app.db).await.unwrap();
    let added = codes.iter().find(|c| c.code == "referred_to_another_service").expect("the new code");
    let no_contact = codes.iter().find(|c| c.code == "no_contact").unwrap();
    let other = codes.iter().find(|c| c.kind == "not_proceeding" && c.code == "other").unwrap();
    assert_eq!(
        browser.post_form(&format!("/admin/reasons/{}", no_contact.id), &[("retired", "true")]).await.status(),
        303
    );
    assert_eq!(browser.post_form(&format!("/admin/reasons/{}", other.id), &[("retired", "true")]).await.status(), 303);
    let other_now = entity::reason_code::Entity::find_by_id(other.id).one(&app.db).await.unwrap().unwrap();
    assert!(!other_now.retired, "“other” is always offered");
    let mut coordinator_browser = app.signed_in(&coordinator).await;
    assert_eq!(coordinator_browser.open("/admin/reasons").await.0, 403);

    // A case stops with the new code; the retired one is refused; words alone count as other.
    let prison = prison(&app, &token).await;
    let case = ready_case(&app, &token, prison).await;
    let url = app.url(&format!("/api/v1/cases/{case}"));
    let stop = |body: Value| client.patch(&url).bearer_auth(&token).json(&body).send();
    let refused = stop(json!({"status": "not_proceeding", "not_proceeding_code": "no_contact"})).await.unwrap();
    assert_eq!(refused.status(), 422);
    let (_, page) = coordinator_browser.open(&format!("/cases/{case}")).await;
    assert!(page.contains("Referred to another service") && !page.contains("A party could not be contacted"));
    let stopped = stop(json!({"status": "not_proceeding", "not_proceeding_code": added.code})).await.unwrap();
    assert_eq!(stopped.status(), 200);
    let body: Value = stopped.json().await.unwrap();
    assert_eq!(body["not_proceeding_code"], "referred_to_another_service");

    // A conference not held needs its reason.
    let lead = facilitator(&app, prison, FacilitationLevel::Lead).await;
    let co = facilitator(&app, prison, FacilitationLevel::CoFacilitator).await;
    let case = ready_case(&app, &token, prison).await;
    let response = book(&app, &token, case, &format!("{}T10:00", a_tuesday()), lead, co).await;
    let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for who in [lead, co] {
        let url = app.url(&format!("/api/v1/conferences/{id}/response"));
        let accepted =
            client.post(url).bearer_auth(token_of(&app, who).await).json(&json!({"response": "accept"})).send().await;
        assert_eq!(accepted.unwrap().status(), 200);
    }
    let started = crate::helpers::now() - Duration::hours(3);
    entity::conference::ActiveModel {
        id: Set(id),
        starts_at: Set(started),
        ends_at: Set(started + Duration::hours(2)),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .unwrap();
    let outcome = app.url(&format!("/api/v1/conferences/{id}/outcome"));
    let put = |body: Value| client.put(&outcome).bearer_auth(&token).json(&body).send();
    let missing = put(json!({"held": false, "notes": ""})).await.unwrap();
    assert_eq!(missing.status(), 422);
    let body: Value = missing.json().await.unwrap();
    assert!(body["error"]["fields"]["not_held_code"].is_string(), "{body}");
    assert_eq!(put(json!({"held": false, "not_held_code": "party_absent", "notes": ""})).await.unwrap().status(), 200);
    let row = entity::conference::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.not_held_code.as_deref(), Some("party_absent"));
}
