//! API lists come a page at a time (`?page=&per_page=`), with where the page sits beside
//! the rows, and a 422 per field for a page that cannot be.

use entity::audit_log;
use entity::user::Role;
use sea_orm::{EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = app.api(token).get(path).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn volunteers_come_in_pages_by_name_that_together_hold_everyone_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    for _ in 0..7 {
        app.create_user(Role::Volunteer).await;
    }

    let (status, whole) = get(&app, &token, "/api/v1/volunteers").await;
    assert_eq!(status, 200);
    assert_eq!(whole["page"], json!({"page": 1, "per_page": 100, "total": 7, "pages": 1}), "the default page");
    let everyone: Vec<Value> = whole["volunteers"].as_array().unwrap().clone();
    assert_eq!(everyone.len(), 7);

    let mut seen = Vec::new();
    for (n, expected) in [(1, 3), (2, 3), (3, 1)] {
        let (status, body) = get(&app, &token, &format!("/api/v1/volunteers?per_page=3&page={n}")).await;
        assert_eq!(status, 200);
        assert_eq!(body["page"], json!({"page": n, "per_page": 3, "total": 7, "pages": 3}));
        let rows = body["volunteers"].as_array().unwrap();
        assert_eq!(rows.len(), expected, "page {n}");
        seen.extend(rows.iter().cloned());
    }
    assert_eq!(seen, everyone, "the pages, in order, are the whole list in the same order");

    let (status, past) = get(&app, &token, "/api/v1/volunteers?per_page=3&page=4").await;
    assert_eq!(status, 200);
    assert_eq!(past["volunteers"], json!([]), "a page past the last is empty");
    assert_eq!(past["page"]["total"], 7);
}

#[tokio::test]
async fn a_page_that_cannot_be_gets_a_422_naming_each_field() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin).await;
    let token = app.token_for(&admin).await;
    let client = reqwest::Client::new();
    for list in ["/api/v1/volunteers", "/api/v1/cases", "/api/v1/applications", "/api/v1/expenses", "/api/v1/outbox"] {
        for (query, fields) in [
            ("per_page=0", vec!["per_page"]),
            ("per_page=501", vec!["per_page"]),
            ("per_page=ten", vec!["per_page"]),
            ("page=0", vec!["page"]),
            ("page=-2", vec!["page"]),
            ("page=1.5&per_page=", vec!["page"]),
            ("page=x&per_page=-1", vec!["page", "per_page"]),
        ] {
            let response = app.api(&token).get(&format!("{list}?{query}")).await;
            assert_eq!(response.status(), 422, "{list}?{query}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "validation_failed");
            let named: Vec<&str> = body["error"]["fields"].as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(named, fields, "{list}?{query}");
        }
        let response = app.api(&token).get(&format!("{list}?page=&per_page=500")).await;
        assert_eq!(response.status(), 200, "{list}: an empty page means the first, 500 is allowed");
    }
    let doc: Value = reqwest::get(app.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    for list in ["/api/v1/volunteers", "/api/v1/cases", "/api/v1/applications", "/api/v1/expenses", "/api/v1/outbox"] {
        let params: Vec<&str> = doc["paths"][list]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{list} has parameters"))
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(params.contains(&"page") && params.contains(&"per_page"), "{list}: {params:?}");
        let body = &doc["paths"][list]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
        let schema = body.as_str().and_then(|r| r.rsplit('/').next()).expect("a named body");
        assert!(doc["components"]["schemas"][schema]["properties"]["page"].is_object(), "{list}: {schema} has page");
    }
    let response = client.get(app.url("/api/v1/volunteers?per_page=x")).send().await.unwrap();
    assert_eq!(error_code(response).await, "unauthorized", "no token is still 401 first");
}

#[tokio::test]
async fn a_page_of_cases_counts_and_audits_only_what_the_viewer_may_see() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let prison = crate::checks::establishment(&app, "HMP Gloucester", true).await;
    let mut references = Vec::new();
    for _ in 0..3 {
        let case: Value = crate::scenario::new_case(&app, &token, prison).await;
        references.push(case["reference"].as_str().expect("reference").to_owned());
    }

    let (status, body) = get(&app, &token, "/api/v1/cases?per_page=2").await;
    assert_eq!(status, 200);
    assert_eq!(body["page"], json!({"page": 1, "per_page": 2, "total": 3, "pages": 2}));
    let listed: Vec<&str> =
        body["cases"].as_array().unwrap().iter().map(|c| c["reference"].as_str().unwrap()).collect();
    assert_eq!(listed, [references[2].as_str(), references[1].as_str()], "newest first");
    let audited = audit_log::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(&audit_log::Column::Action, "case.listed"))
        .order_by_desc(audit_log::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the listing is audited");
    assert_eq!(audited.detail.as_deref(), Some(listed.join(",").as_str()), "only the cases on the page were read");

    let facilitator = app.create_user(Role::Volunteer).await;
    let facilitator_token = app.token_for(&facilitator).await;
    let (status, theirs) = get(&app, &facilitator_token, "/api/v1/cases?per_page=2").await;
    assert_eq!(status, 200);
    assert_eq!(theirs, json!({"cases": [], "page": {"page": 1, "per_page": 2, "total": 0, "pages": 0}}));
}

#[tokio::test]
async fn the_case_list_page_comes_in_pages_keeps_its_filter_and_finds_a_reference() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().build().await;
    let mut references = Vec::new();
    for _ in 0..55 {
        let case = crate::scenario::new_case(&app, &world.token, world.prison).await;
        references.push(case["reference"].as_str().unwrap().to_owned());
    }
    let mut coordinator = app.signed_in(&world.coordinator).await;
    let rows = |page: &str| page.matches(r#"<td><a href="/cases/"#).count();

    let (status, first) = coordinator.open("/cases?status=referred").await;
    assert_eq!(status, 200);
    assert_eq!(rows(&first), 50);
    assert!(first.contains("Page 1 of 2 (55 in all)"), "where the page sits");
    assert!(first.contains(r#"href="/cases?status=referred&amp;q=&amp;sort=&amp;page=2""#), "next keeps the filter");
    let (_, second) = coordinator.open("/cases?status=referred&page=2").await;
    assert_eq!(rows(&second), 5);
    assert!(second.contains("Previous") && !second.contains(">Next"));
    let oldest = &references[0];
    assert!(second.contains(oldest.as_str()), "newest first, so the oldest is on the last page");

    let (_, found) = coordinator.open(&format!("/cases?q={}", oldest.to_lowercase())).await;
    assert_eq!(rows(&found), 1, "a reference, in any case");
    assert!(found.contains(oldest.as_str()) && !found.contains("Page 1 of"));
    let (status, odd) = coordinator.open("/cases?page=nonsense").await;
    assert_eq!((status, rows(&odd)), (200, 50), "a page that cannot be reads as the first");
    let (_, beyond) = coordinator.open("/cases?page=9").await;
    assert!(beyond.contains("No cases here."));
}
