//! Pages and API calls are gated by role; refusals are audited.

use entity::user::Role;

use crate::helpers::{TestApp, error_code};

#[tokio::test]
async fn a_volunteer_gets_403_on_coordinator_and_admin_pages() {
    let app = TestApp::spawn().await;
    let volunteer = app.create_user(Role::Volunteer).await;
    let browser = app.signed_in(&volunteer).await;
    for path in ["/volunteers", "/admin/accounts"] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), 403, "{path}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(response.text().await.unwrap().contains("You cannot open this page"));
    }
    assert_eq!(app.audit_count("authz.denied").await, 2);
}

#[tokio::test]
async fn a_coordinator_sees_volunteers_but_not_accounts() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    app.create_user(Role::Volunteer).await;
    let mut browser = app.signed_in(&coordinator).await;
    let (status, body) = browser.open("/volunteers").await;
    assert_eq!(status, 200);
    assert!(body.contains("Test volunteer") && body.contains("onboarding") && body.contains("trainee"));
    assert_eq!(browser.get("/admin/accounts").await.status(), 403);
}

#[tokio::test]
async fn navigation_follows_the_role() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin).await;
    let volunteer = app.create_user(Role::Volunteer).await;
    let (_, admin_home) = app.signed_in(&admin).await.open("/").await;
    assert!(admin_home.contains("href=\"/admin/accounts\""));
    let (_, volunteer_home) = app.signed_in(&volunteer).await.open("/").await;
    assert!(!volunteer_home.contains("href=\"/volunteers\""));
    assert!(!volunteer_home.contains("href=\"/admin/accounts\""));
}

#[tokio::test]
async fn anonymous_page_requests_are_sent_to_sign_in() {
    let app = TestApp::spawn().await;
    let response = app.browser().get("/admin/accounts").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?next=%2Fadmin%2Faccounts");
}

#[tokio::test]
async fn a_volunteer_token_gets_403_on_the_list_and_404_on_someone_else() {
    let app = TestApp::spawn().await;
    let me = app.create_user(Role::Volunteer).await;
    app.create_user(Role::Volunteer).await;
    let token = app.token_for(&me).await;

    let response = app.api(&token).get("/api/v1/volunteers").await;
    assert_eq!(response.status(), 403);
    assert_eq!(error_code(response).await, "forbidden");

    let coordinator = app.create_user(Role::Coordinator).await;
    let list: serde_json::Value =
        app.api(&app.token_for(&coordinator).await).get("/api/v1/volunteers").await.json().await.unwrap();
    let ids: Vec<(i64, String)> = list["volunteers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["id"].as_i64().unwrap(), v["email"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(ids.len(), 2);
    let mine = ids.iter().find(|(_, email)| *email == me.email).unwrap().0;
    let theirs = ids.iter().find(|(_, email)| *email != me.email).unwrap().0;

    let response = app.api(&token).get(&format!("/api/v1/volunteers/{mine}")).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["email"], me.email.as_str());
    assert_eq!(body["status"], "onboarding");

    let response = app.api(&token).get(&format!("/api/v1/volunteers/{theirs}")).await;
    assert_eq!(response.status(), 404);
    assert_eq!(error_code(response).await, "not_found");
}
