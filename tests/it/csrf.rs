//! Every state-changing form must carry this session's CSRF token.

use entity::user::Role;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn a_form_without_its_token_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let browser = app.signed_in(&user).await;
    let response = browser.post_raw_form("/logout", &[]).await;
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("This form has expired"));
    assert_eq!(browser.get("/volunteers").await.status(), 200, "still signed in");
    assert_eq!(app.audit_count("csrf.rejected").await, 1);
}

#[tokio::test]
async fn a_wrong_token_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let browser = app.signed_in(&user).await;
    let response = browser.post_raw_form("/logout", &[("csrf_token", "x".repeat(43).as_str())]).await;
    assert_eq!(response.status(), 403);
    let response = browser.post_raw_form("/logout", &[("csrf_token", &browser.csrf)]).await;
    assert_eq!(response.status(), 303, "the right one works");
}

#[tokio::test]
async fn another_sessions_token_is_refused() {
    let app = TestApp::spawn().await;
    let ana = app.create_user(Role::Coordinator).await;
    let ben = app.create_user(Role::Coordinator).await;
    let ana_browser = app.signed_in(&ana).await;
    let ben_browser = app.signed_in(&ben).await;
    assert_ne!(ana_browser.csrf, ben_browser.csrf);
    let response = ben_browser.post_raw_form("/logout", &[("csrf_token", &ana_browser.csrf)]).await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn the_sign_in_form_is_protected_too() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Volunteer).await;
    let browser = app.browser();
    // No visit to the form first: no CSRF cookie, no token.
    let response = browser.post_raw_form("/login", &[("email", &user.email), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.audit_count("login.success").await, 0);
}

#[tokio::test]
async fn the_token_may_come_in_a_header_for_multipart_forms() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let browser = app.signed_in(&user).await;
    let response = browser.client.post(app.url("/logout")).header("x-csrf-token", &browser.csrf).send().await.unwrap();
    assert_eq!(response.status(), 303);
}
