//! Establishments, their weekly regimes and closures over the API.

use entity::user::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

async fn coordinator_token(app: &TestApp) -> String {
    let coordinator = app.create_user(Role::Coordinator).await;
    app.token_for(&coordinator).await
}

#[tokio::test]
async fn establishments_regimes_and_closures() {
    let app = TestApp::spawn().await;
    let token = coordinator_token(&app).await;
    let client = reqwest::Client::new();
    let response = app
        .api(&token)
        .post(
            "/api/v1/establishments",
            &json!({"name": "HMP Gloucester", "kind": "prison", "address": "Barrack Square, Gloucester",
                      "latitude": 51.867, "longitude": -2.251, "rooms": 2, "requires_vetting": true}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let prison: Value = response.json().await.unwrap();
    let id = prison["id"].as_i64().unwrap();
    assert_eq!(prison["rooms"], 2);
    assert_eq!(prison["requires_vetting"], true);

    let response = app.api(&token).patch(&format!("/api/v1/establishments/{id}"), &json!({"rooms": 3})).await;
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["rooms"], 3);
    assert_eq!(patched["name"], "HMP Gloucester", "other fields kept");
    let response = app.api(&token).patch(&format!("/api/v1/establishments/{id}"), &json!({"rooms": 0})).await;
    assert_eq!(response.status(), 422);

    let regime_url = app.url(&format!("/api/v1/establishments/{id}/regime"));
    let response = client
        .put(&regime_url)
        .bearer_auth(&token)
        .json(&json!({"windows": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:30", "end": "11:30"},
            {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "13:45", "end": "16:30"},
            {"days": ["sat"], "start": "09:30", "end": "11:00"}
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let regime: Value = client.get(&regime_url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let windows = regime["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 3);
    assert!(windows.iter().any(|w| w["days"] == json!(["sat"]) && w["start"] == "09:30"));
    assert!(windows.iter().any(|w| w["days"].as_array().unwrap().len() == 5 && w["end"] == "16:30"));

    for bad in [
        json!({"windows": [{"days": ["mon"], "start": "09:00", "end": "11:30"}, {"days": ["mon"], "start": "11:00", "end": "12:00"}]}),
        json!({"windows": [{"days": ["funday"], "start": "09:00", "end": "10:00"}]}),
        json!({"windows": [{"days": ["mon"], "start": "10:00", "end": "09:00"}]}),
        json!({"windows": [{"days": ["mon"], "start": "9am", "end": "10:00"}]}),
    ] {
        let response = client.put(&regime_url).bearer_auth(&token).json(&bad).send().await.unwrap();
        assert_eq!(response.status(), 422, "{bad}");
    }
    let unchanged: Value = client.get(&regime_url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(unchanged, regime, "a refused regime changes nothing");

    let closures_url = app.url(&format!("/api/v1/establishments/{id}/closures"));
    let response = client
        .post(&closures_url)
        .bearer_auth(&token)
        .json(&json!({"from": "2027-03-10", "to": "2027-03-11", "reason": "Staff training"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let response = client
        .post(&closures_url)
        .bearer_auth(&token)
        .json(&json!({"from": "2027-03-12", "to": "2027-03-11", "reason": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["fields"]["to"].is_string() && error["error"]["fields"]["reason"].is_string());
    let closures: Value = client.get(&closures_url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(closures["closures"].as_array().unwrap().len(), 1);

    let list: Value = app.api(&token).get("/api/v1/establishments").await.json().await.unwrap();
    assert_eq!(list["establishments"].as_array().unwrap().len(), 1);
    let response = app.api(&token).get("/api/v1/establishments/999/regime").await;
    assert_eq!(response.status(), 404);

    let volunteer = app.create_user(Role::Volunteer).await;
    let response = app.api(&app.token_for(&volunteer).await).get("/api/v1/establishments").await;
    assert_eq!(response.status(), 403);
    assert_eq!(error_code(response).await, "forbidden");
}
