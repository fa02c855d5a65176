//! The web shell: security headers, friendly error pages, static assets, accessible forms.

use entity::user::Role;

use crate::helpers::TestApp;

fn assert_security_headers(response: &reqwest::Response) {
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(headers.get("x-request-id").is_some(), "request id propagated");
    assert!(headers.get("strict-transport-security").is_none(), "no HSTS over plain http");
}

#[tokio::test]
async fn security_headers_on_pages_api_errors_and_assets() {
    let app = TestApp::spawn().await;
    for path in ["/", "/login", "/healthz", "/api/v1/volunteers", "/no-such-page", "/static/app.css"] {
        let response = reqwest::get(app.url(path)).await.unwrap();
        assert_security_headers(&response);
    }
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_404_page() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/no-such-page")).await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let body = response.text().await.unwrap();
    assert!(body.contains("Page not found") && body.contains("href=\"/\""));
}

#[tokio::test]
async fn assets_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/static/app.css")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/css; charset=utf-8");
    assert!(response.text().await.unwrap().contains(".error-summary"));
}

#[tokio::test]
async fn the_sign_in_form_is_labelled_and_pages_use_no_inline_script() {
    let app = TestApp::spawn().await;
    let mut browser = app.browser();
    let (_, body) = browser.open("/login").await;
    let document = scraper::Html::parse_document(&body);
    for field in ["email", "password"] {
        let label = scraper::Selector::parse(&format!("label[for=\"{field}\"]")).unwrap();
        let input = scraper::Selector::parse(&format!("input#{field}[name=\"{field}\"]")).unwrap();
        assert!(document.select(&label).next().is_some(), "label for {field}");
        assert!(document.select(&input).next().is_some(), "input {field}");
    }
    let script = scraper::Selector::parse("script").unwrap();
    assert!(document.select(&script).next().is_none());

    // With errors: a summary linking to each field, and the field marked invalid.
    let response = browser.post_form("/login", &[("email", ""), ("password", "")]).await;
    let document = scraper::Html::parse_document(&response.text().await.unwrap());
    let summary = scraper::Selector::parse(".error-summary a[href=\"#email\"]").unwrap();
    assert!(document.select(&summary).next().is_some());
    let invalid =
        scraper::Selector::parse("input#email[aria-invalid=\"true\"][aria-describedby=\"email-error\"]").unwrap();
    assert!(document.select(&invalid).next().is_some());
}

#[tokio::test]
async fn flash_messages_show_once_after_an_action() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin).await;
    let other = app.create_user(Role::Coordinator).await;
    let mut browser = app.signed_in(&admin).await;
    browser.open("/admin/accounts").await;
    browser.post_form(&format!("/admin/accounts/{}/disable", other.id), &[]).await;
    let (_, page) = browser.open("/admin/accounts").await;
    assert!(page.contains("Account disabled; its sessions have ended."));
    let (_, page) = browser.open("/admin/accounts").await;
    assert!(!page.contains("Account disabled; its sessions have ended."));
}
