//! The JSON API skeleton: health, OpenAPI, bearer tokens, the error format, body limits.

use entity::user::Role;
use sea_orm::EntityTrait;

use crate::helpers::{TestApp, error_code};

#[tokio::test]
async fn health_answers_ok_once_the_database_does() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_describes_the_api() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = reqwest::get(app.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/volunteers"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/volunteers/{id}"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/volunteers/{id}"]["patch"].is_object(), "the PATCH API.md lists");
    assert!(doc["paths"]["/healthz"]["get"].is_object());
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["ErrorResponse"].is_object());
}

#[tokio::test]
async fn bearer_tokens_valid_revoked_garbage_and_missing() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let client = reqwest::Client::new();
    let list = |t: Option<String>| {
        let mut request = client.get(app.url("/api/v1/volunteers"));
        if let Some(t) = t {
            // From bytes: the non-ASCII garbage is a valid header value on the wire (obs-text)
            // that the `&str` constructors refuse to build.
            let value = reqwest::header::HeaderValue::from_bytes(format!("Bearer {t}").as_bytes()).unwrap();
            request = request.header(reqwest::header::AUTHORIZATION, value);
        }
        request.send()
    };

    let response = list(Some(token.clone())).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"volunteers": [], "page": {"page": 1, "per_page": 100, "total": 0, "pages": 0}})
    );

    let response = list(None).await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(error_code(response).await, "unauthorized");

    for garbage in ["garbage", "cvn_nottherealtoken", "", "cvn_\u{00e9}\u{00e9}"] {
        let response = list(Some(garbage.to_owned())).await.unwrap();
        assert_eq!(response.status(), 401, "{garbage:?}");
        assert_eq!(error_code(response).await, "unauthorized");
    }
    let rejected = app.audit_count("auth.token_rejected").await;
    assert_eq!(rejected, 4, "every rejected token audited");

    // Revoked from the admin page: refused at once.
    let admin = app.create_user(Role::Admin).await;
    let mut browser = app.signed_in(&admin).await;
    let (_, page) = browser.open("/admin/accounts").await;
    let prefix: String = token.chars().take(10).collect();
    assert!(page.contains(&prefix), "the admin sees the token's prefix");
    assert!(!page.contains(&token), "never the token itself");
    let tokens = entity::api_token::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(tokens.len(), 1);
    let token_id = tokens[0].id;
    let response = browser.post_form(&format!("/admin/tokens/{token_id}/revoke"), &[]).await;
    assert_eq!(response.status(), 303);
    let response = list(Some(token)).await.unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn tokens_are_stored_hashed() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&user).await;
    let stored = entity::api_token::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].token_hash, token);
    assert_eq!(stored[0].token_hash, convene::secrets::sha256_hex(&token));
}

#[tokio::test]
async fn every_api_error_has_the_error_format() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;

    let response = app.api(&token).get("/api/v1/nothing-here").await;
    assert_eq!(response.status(), 404);
    assert_eq!(error_code(response).await, "not_found");

    let response = app.api(&token).get("/api/v1/volunteers/not-a-number").await;
    assert_eq!(response.status(), 400);
    assert_eq!(error_code(response).await, "bad_request");

    let response = app.api(&token).delete("/api/v1/volunteers").await;
    assert_eq!(response.status(), 405);
    assert_eq!(error_code(response).await, "method_not_allowed");

    let response = app.api(&token).get("/api/v1/volunteers/999999").await;
    assert_eq!(response.status(), 404);
    assert_eq!(error_code(response).await, "not_found");
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let app = TestApp::spawn().await;
    let big = vec![b'a'; 2 * 1024 * 1024];
    let client = reqwest::Client::new();

    let response = client
        .post(app.url("/api/v1/volunteers"))
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "payload_too_large");

    let response = client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));

    // A chunked body has no declared length: it is cut off while being read.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let stream = futures_util::stream::iter(chunks);
    let response = client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}
