//! "Forgot your password" and "Change password" through the API.

use entity::outbox_message;
use entity::user::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use convene::notifications::smtp::Mailer;
use convene::notifications::worker::Worker;

use crate::helpers::{PASSWORD, TestApp, browser_script};
use crate::smtp_sink::SmtpSink;

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

#[tokio::test]
async fn five_wrong_current_passwords_in_an_hour_stop_further_changes() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Volunteer).await;
    let token = app.token_for(&user).await;
    let change = |current: &'static str| {
        let body = json!({"current": current, "new": "a much longer passphrase"});
        let api = app.api(&token);
        async move { api.post("/api/v1/me/password", &body).await.status() }
    };
    for _ in 0..5 {
        assert_eq!(change("a wrong guess").await, 422);
    }
    assert_eq!(change(PASSWORD).await, 429, "even the right password waits once five were wrong");
    assert_eq!(app.audit_count("password.change_refused").await, 5);
    assert_eq!(app.audit_count("password.changed").await, 0);
    app.signed_in(&user).await; // the old password still signs in
}

#[tokio::test]
async fn a_forgotten_password_is_reset_in_a_browser_through_the_emailed_link() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let sink = SmtpSink::start().await;
    let base = app.url("");
    let phase = |phase: &str, extra: Value| {
        let mut args = json!({"phase": phase, "base": base, "email": user.email});
        args.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        browser_script("accounts.mjs", vec![args.to_string()], Vec::new())
    };
    let asked = phase("ask", json!({})).await;
    assert_eq!(asked["problems"], json!([]), "the forgot page passes axe and fits a phone");

    let mailer = Mailer::new(&sink.url(), "Convene <convene@example.org>", &url::Url::parse(&base).unwrap()).unwrap();
    let report = Worker::new(app.db.clone(), mailer).run_once(crate::helpers::now()).await.unwrap();
    assert_eq!(report.sent, 1);
    let received = sink.messages();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, vec![user.email.clone()]);
    let email = mail_parser::MessageParser::default().parse(&received[0].data).expect("a parsable email");
    let text = email.body_text(0).expect("a text part").into_owned();
    let path = text
        .split_whitespace()
        .find_map(|word| word.find("/password/reset/").map(|at| word[at..].trim_end_matches('.').to_owned()))
        .unwrap_or_else(|| panic!("a reset link in: {text}"));

    let new_password = "a new and longer passphrase";
    let reset =
        phase("set", json!({"link": app.url(&path), "heading": "Choose a new password", "password": new_password}))
            .await;
    assert_eq!(reset["problems"], json!([]), "the reset page passes axe and fits a phone");
    assert!(reset["heading"].as_str().is_some_and(|h| !h.is_empty()), "signed in with the new password: {reset}");
    assert_eq!(app.audit_count("password.reset").await, 1);
    let mut old = app.browser();
    old.open("/login").await;
    let refused = old.post_form("/login", &[("email", &user.email), ("password", PASSWORD)]).await;
    assert_ne!(refused.status(), 303, "the old password no longer signs in");
}
