//! "Forgot your password" and "Change password" through the API.

use entity::outbox_message;
use entity::user::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};

async fn resets(app: &TestApp) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find().filter(outbox_message::Column::Kind.eq("password.reset")).all(&app.db).await.unwrap()
}

#[tokio::test]
async fn a_reset_is_the_same_answer_for_any_address_and_mails_only_a_live_account_three_times_an_hour() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Volunteer).await;
    let client = reqwest::Client::new();
    let ask = |email: String| client.post(app.url("/api/v1/password-reset")).json(&json!({"email": email})).send();
    let known = ask(user.email.clone()).await.unwrap();
    assert_eq!(known.status(), 202);
    let known: Value = known.json().await.unwrap();
    let unknown = ask("nobody@example.org".into()).await.unwrap();
    assert_eq!(unknown.status(), 202);
    assert_eq!(unknown.json::<Value>().await.unwrap(), known, "the same answer");
    let sent = resets(&app).await;
    assert_eq!(sent.len(), 1, "only the account is mailed");
    assert_eq!(sent[0].to_email, user.email);
    assert!(sent[0].text_body.contains("/password/reset/"), "{}", sent[0].text_body);
    for _ in 0..4 {
        assert_eq!(ask(user.email.clone()).await.unwrap().status(), 202);
    }
    assert_eq!(resets(&app).await.len(), 3, "three emails an hour, then the same answer and nothing sent");
    let bad = ask("not an address".into()).await.unwrap();
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn changing_a_password_needs_the_current_one() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&user).await;
    let wrong = app
        .api(&token)
        .post("/api/v1/me/password", &json!({"current": "nope", "new": "a much longer passphrase"}))
        .await;
    assert_eq!(wrong.status(), 422);
    let body: Value = wrong.json().await.unwrap();
    assert!(body["error"]["fields"]["current"].is_string(), "{body}");
    let weak = app.api(&token).post("/api/v1/me/password", &json!({"current": PASSWORD, "new": "short"})).await;
    assert_eq!(weak.status(), 422);
    let signed_in = app.signed_in(&user).await;
    let done = app
        .api(&token)
        .post("/api/v1/me/password", &json!({"current": PASSWORD, "new": "a much longer passphrase"}))
        .await;
    assert_eq!(done.status(), 204);
    let (status, _) = {
        let mut b = signed_in;
        b.open("/account/password").await
    };
    assert_ne!(status, 200, "the other browser session has ended");
}
