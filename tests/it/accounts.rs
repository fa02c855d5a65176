//! Signing in and out, throttling, session expiry, disabling accounts.

use chrono::Duration;
use entity::session;
use entity::user::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn sign_in_succeeds_with_a_fresh_session_and_the_right_cookie_flags() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let mut browser = app.browser();
    browser.open("/login").await;
    // A cookie planted before sign-in must not become the session.
    let response = browser.post_form("/login", &[("email", &user.email.to_uppercase()), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("convene_session="))
        .expect("session cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http base URL: {cookie}");

    let (status, body) = browser.open("/").await;
    assert_eq!(status, 200);
    assert!(body.contains("Welcome, Test coordinator"), "dashboard after sign-in");
    assert_eq!(app.audit_count("login.success").await, 1);

    // Signing in again replaces the session rather than adding one.
    browser.post_form("/login", &[("email", &user.email), ("password", PASSWORD)]).await;
    let sessions = session::Entity::find().filter(session::Column::UserId.eq(user.id)).count(&app.db).await.unwrap();
    assert_eq!(sessions, 1);
}

#[tokio::test]
async fn cookies_are_secure_and_hsts_sent_behind_https() {
    let app = TestApp::builder().base_url("https://convene.example.org/").spawn().await;
    let user = app.create_user(Role::Volunteer).await;
    let mut browser = app.browser();
    let response = browser.get("/login").await;
    assert!(response.headers().get("strict-transport-security").is_some());
    browser.open("/login").await;
    let response = browser.post_form("/login", &[("email", &user.email), ("password", PASSWORD)]).await;
    let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cookie.starts_with("convene_session=") && cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_the_email_kept_and_audited() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Volunteer).await;
    let mut browser = app.browser();
    browser.open("/login").await;
    let response = browser.post_form("/login", &[("email", &user.email), ("password", "not the password")]).await;
    assert_eq!(response.status(), 401);
    let body = response.text().await.unwrap();
    assert!(body.contains("The email address or password is not right."));
    assert!(body.contains(&format!("value=\"{}\"", user.email)), "email kept in the form");
    assert!(!body.contains("not the password"), "password never echoed");
    assert_eq!(app.audit_count("login.failure").await, 1);

    // Unknown accounts and empty fields get the same kind of answer.
    let response = browser.post_form("/login", &[("email", "nobody@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 401);
    let response = browser.post_form("/login", &[("email", ""), ("password", "")]).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("Enter your email address.") && body.contains("Enter your password."));
}

#[tokio::test]
async fn five_failures_lock_the_account_for_a_while_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Volunteer).await;
    let other = app.create_user(Role::Volunteer).await;
    let mut browser = app.browser();
    browser.open("/login").await;
    for _ in 0..5 {
        let response = browser.post_form("/login", &[("email", &user.email), ("password", "wrong password")]).await;
        assert_eq!(response.status(), 401);
    }
    let response = browser.post_form("/login", &[("email", &user.email), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().get("retry-after").is_some());
    assert!(response.text().await.unwrap().contains("Too many failed attempts"));
    assert_eq!(app.audit_count("login.throttled").await, 1);

    // Another account from the same address is not locked by it.
    let response = browser.post_form("/login", &[("email", &other.email), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 303);

    // Failures older than the window no longer count.
    app.allow_audit_rewrites().await;
    entity::audit_log::Entity::update_many()
        .col_expr(entity::audit_log::Column::OccurredAt, Expr::value(crate::helpers::now() - Duration::minutes(16)))
        .exec(&app.db)
        .await
        .unwrap();
    let mut fresh = app.browser();
    fresh.open("/login").await;
    let response = fresh.post_form("/login", &[("email", &user.email), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn twenty_failures_from_one_address_throttle_that_address() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Volunteer).await;
    let mut browser = app.browser();
    browser.open("/login").await;
    for n in 0..20 {
        let email = format!("guess{n}@example.org");
        let response = browser.post_form("/login", &[("email", &email), ("password", "guess")]).await;
        assert_eq!(response.status(), 401);
    }
    let response = browser.post_form("/login", &[("email", &user.email), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 429);
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let mut browser = app.signed_in(&user).await;
    let response = browser.post_form("/logout", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login");
    let (_, body) = browser.open("/login").await;
    assert!(body.contains("You have signed out."), "flash shown once");
    let (_, body) = browser.open("/login").await;
    assert!(!body.contains("You have signed out."), "and only once");
    let response = browser.get("/volunteers").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?next=%2Fvolunteers");
    assert_eq!(session::Entity::find().count(&app.db).await.unwrap(), 0);
}

async fn age_sessions(app: &TestApp, column: session::Column, by: Duration) {
    session::Entity::update_many()
        .col_expr(column, Expr::value(crate::helpers::now() - by))
        .exec(&app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn sessions_expire_after_30_idle_minutes() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let browser = app.signed_in(&user).await;
    age_sessions(&app, session::Column::LastSeenAt, Duration::minutes(29)).await;
    assert_eq!(browser.get("/volunteers").await.status(), 200, "29 idle minutes is fine");
    age_sessions(&app, session::Column::LastSeenAt, Duration::minutes(31)).await;
    assert_eq!(browser.get("/volunteers").await.status(), 303, "31 idle minutes is not");
    assert_eq!(session::Entity::find().count(&app.db).await.unwrap(), 0, "expired session deleted");
}

#[tokio::test]
async fn sessions_expire_12_hours_after_sign_in_even_when_busy() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let browser = app.signed_in(&user).await;
    age_sessions(&app, session::Column::CreatedAt, Duration::hours(11)).await;
    assert_eq!(browser.get("/volunteers").await.status(), 200);
    age_sessions(&app, session::Column::CreatedAt, Duration::hours(12) + Duration::minutes(1)).await;
    assert_eq!(browser.get("/volunteers").await.status(), 303);
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_stops_its_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin).await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let victim = app.signed_in(&coordinator).await;
    assert_eq!(victim.get("/volunteers").await.status(), 200);

    let mut admin_browser = app.signed_in(&admin).await;
    admin_browser.open("/admin/accounts").await;
    let response = admin_browser.post_form(&format!("/admin/accounts/{}/disable", coordinator.id), &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.audit_count("account.disabled").await, 1);

    assert_eq!(victim.get("/volunteers").await.status(), 303, "session ended");
    let api = app.api(&token).get("/api/v1/volunteers").await;
    assert_eq!(api.status(), 401, "token of a disabled account refused");
    let mut again = app.browser();
    again.open("/login").await;
    let response = again.post_form("/login", &[("email", &coordinator.email), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 401, "cannot sign in while disabled");

    admin_browser.post_form(&format!("/admin/accounts/{}/enable", coordinator.id), &[]).await;
    let response = again.post_form("/login", &[("email", &coordinator.email), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 303, "enabled again");
}

#[tokio::test]
async fn an_admin_cannot_disable_themself() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin).await;
    let mut browser = app.signed_in(&admin).await;
    browser.open("/admin/accounts").await;
    let response = browser.post_form(&format!("/admin/accounts/{}/disable", admin.id), &[]).await;
    assert_eq!(response.status(), 409);
    assert_eq!(browser.get("/admin/accounts").await.status(), 200);
}

#[tokio::test]
async fn a_planted_session_cookie_is_never_promoted_at_sign_in() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let base: reqwest::Url = app.url("/").parse().unwrap();
    jar.add_cookie_str("convene_session=planted-by-an-attacker; Path=/", &base);
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = crate::helpers::csrf_token_in(&page).unwrap();
    let response = client
        .post(app.url("/login"))
        .form(&[("email", user.email.as_str()), ("password", PASSWORD), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cookies = jar_value(&jar, &base);
    assert!(!cookies.contains("planted-by-an-attacker"), "{cookies}");
    let stored: Vec<String> =
        session::Entity::find().all(&app.db).await.unwrap().into_iter().map(|s| s.id_hash).collect();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], convene::secrets::sha256_hex("planted-by-an-attacker"));
}

fn jar_value(jar: &reqwest::cookie::Jar, url: &reqwest::Url) -> String {
    use reqwest::cookie::CookieStore;
    jar.cookies(url).and_then(|v| v.to_str().ok().map(str::to_owned)).unwrap_or_default()
}

#[tokio::test]
async fn only_same_site_paths_are_followed_after_sign_in() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let mut browser = app.browser();
    browser.open("/login").await;
    let response =
        browser.post_form("/login", &[("email", &user.email), ("password", PASSWORD), ("next", "/volunteers")]).await;
    assert_eq!(response.headers()["location"], "/volunteers");
    for evil in ["//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example", "/\n"] {
        let response = browser.get(&format!("/login?next={}", url_escape(evil))).await;
        assert_eq!(response.status(), 303, "{evil:?}");
        assert_eq!(response.headers()["location"], "/", "{evil:?}");
    }
}

fn url_escape(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn parallel_guesses_cannot_get_past_the_account_limit() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Volunteer).await;
    let mut browser = app.browser();
    browser.open("/login").await;
    let fields = [("email", user.email.as_str()), ("password", "a wrong guess")];
    let attempts = (0..12).map(|_| browser.post_form("/login", &fields));
    let statuses: Vec<u16> =
        futures_util::future::join_all(attempts).await.iter().map(|r| r.status().as_u16()).collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + throttled, 12, "{statuses:?}");
    assert!(checked <= 5, "at most 5 passwords checked, got {checked}: {statuses:?}");
    assert_eq!(app.audit_count("login.failure").await as usize, checked);
}

#[tokio::test]
async fn sign_in_attempts_record_the_address_and_never_the_password() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Volunteer).await;
    let mut browser = app.browser();
    browser.open("/login").await;
    browser.post_form("/login", &[("email", &user.email), ("password", "secret guess 123")]).await;
    let rows = entity::audit_log::Entity::find().all(&app.db).await.unwrap();
    let failure = rows.iter().find(|r| r.action == "login.failure").expect("failure audited");
    assert_eq!(failure.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(failure.actor, user.email);
    assert_eq!(failure.actor_user_id, Some(user.id));
    for row in &rows {
        assert!(!format!("{row:?}").contains("secret guess 123"));
    }
}
