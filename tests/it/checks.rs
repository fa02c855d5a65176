//! Background checks over HTTP: recording DBS checks and prison vetting (API and pages),
//! validation, renewal dates from the setting, clearance on a date at its boundaries, who may
//! see certificate numbers, and the due / overdue / missing overview.

use chrono::{Duration, Months, NaiveDate};
use convene::checks::clearance::Clearance;
use convene::checks::service;
use convene::domain::time::short_date;
use convene::establishments::input::EstablishmentInput;
use convene::settings::service::{DBS_RENEWAL_YEARS, set};
use entity::user::Role;
use entity::volunteer::{self, VolunteerStatus};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, error_code};

struct Volunteer {
    user: TestUser,
    id: i64,
    token: String,
}

async fn volunteer(app: &TestApp) -> Volunteer {
    let user = app.create_user(Role::Volunteer).await;
    let record = volunteer::Entity::find()
        .filter(volunteer::Column::UserId.eq(user.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("volunteer record");
    let token = app.token_for(&user).await;
    Volunteer { user, id: record.id, token }
}

async fn coordinator_token(app: &TestApp) -> String {
    let coordinator = app.create_user(Role::Coordinator).await;
    app.token_for(&coordinator).await
}

pub async fn establishment(app: &TestApp, name: &str, requires_vetting: bool) -> i64 {
    let input = EstablishmentInput {
        name: name.into(),
        kind: if requires_vetting { "prison" } else { "community_venue" }.into(),
        address: "1 Example Road, Gloucester".into(),
        rooms: "2".into(),
        requires_vetting: if requires_vetting { "yes" } else { "" }.into(),
        ..Default::default()
    };
    convene::establishments::service::create_establishment(&app.db, input.parse().unwrap()).await.unwrap().id
}

pub async fn post_check(app: &TestApp, token: &str, volunteer_id: i64, body: Value) -> reqwest::Response {
    app.api(token).post(&format!("/api/v1/volunteers/{volunteer_id}/checks"), &body).await
}

async fn get_checks(app: &TestApp, token: &str, volunteer_id: i64) -> reqwest::Response {
    app.api(token).get(&format!("/api/v1/volunteers/{volunteer_id}/checks")).await
}

fn today() -> NaiveDate {
    crate::helpers::today()
}

fn enhanced_clear(issued_on: NaiveDate) -> Value {
    json!({"type": "dbs", "level": "enhanced", "status": "clear", "certificate_number": "0012 3456 7890",
           "issued_on": issued_on.to_string(), "update_service": false, "notes": "Seen the original"})
}

#[tokio::test]
async fn recording_checks_over_the_api_gives_renewal_dates_from_the_setting() {
    let app = TestApp::spawn().await;
    let token = coordinator_token(&app).await;
    let v = volunteer(&app).await;
    let issued = today() - Duration::days(100);

    let response = post_check(&app, &token, v.id, enhanced_clear(issued)).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["type"], "dbs");
    assert_eq!(created["certificate_number"], "001234567890", "spaces are removed");
    let three_years = issued.checked_add_months(Months::new(36)).unwrap();
    assert_eq!(created["renewal_due"], three_years.to_string());

    let mut on_update_service = enhanced_clear(issued);
    on_update_service["update_service"] = json!(true);
    on_update_service["level"] = json!("enhanced_barred");
    let created: Value = post_check(&app, &token, v.id, on_update_service).await.json().await.unwrap();
    assert_eq!(created["renewal_due"], Value::Null, "no renewal on the Update Service");

    // A check not yet returned needs no certificate number or date.
    let response =
        post_check(&app, &token, v.id, json!({"type": "dbs", "level": "enhanced", "status": "in_progress"})).await;
    assert_eq!(response.status(), 201);

    let prison = establishment(&app, "HMP Example", true).await;
    let response = post_check(
        &app,
        &token,
        v.id,
        json!({"type": "prison_vetting", "establishment_id": prison, "level": "enhanced", "status": "cleared",
               "cleared_on": issued.to_string(), "expires_on": (issued + Duration::days(700)).to_string()}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let vetting: Value = response.json().await.unwrap();
    assert_eq!(vetting["type"], "prison_vetting");
    assert_eq!(vetting["establishment"], "HMP Example");

    set(&app.db, DBS_RENEWAL_YEARS.key, "2").await.unwrap();
    let listed: Value = get_checks(&app, &token, v.id).await.json().await.unwrap();
    let dbs = listed["dbs"].as_array().unwrap();
    assert_eq!(dbs.len(), 3);
    assert_eq!(dbs[0]["renewal_due"], issued.checked_add_months(Months::new(24)).unwrap().to_string());
    assert_eq!(dbs[0]["notes"], "Seen the original");
    assert_eq!(dbs[1]["renewal_due"], Value::Null);
    assert_eq!(dbs[2]["status"], "in_progress");
    assert_eq!(listed["prison_vetting"].as_array().unwrap().len(), 1);

    let document: Value = reqwest::get(app.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    let path = &document["paths"]["/api/v1/volunteers/{id}/checks"];
    assert!(path["get"].is_object() && path["post"].is_object(), "both handlers are in the OpenAPI document");
}

#[tokio::test]
async fn invalid_checks_get_a_message_per_field() {
    let app = TestApp::spawn().await;
    let token = coordinator_token(&app).await;
    let v = volunteer(&app).await;
    let issued = today() - Duration::days(10);

    for bad in ["12345678901", "1234567890123", "12345678901a", "1234-5678-9012", ""] {
        let mut body = enhanced_clear(issued);
        body["certificate_number"] = json!(bad);
        let response = post_check(&app, &token, v.id, body).await;
        assert_eq!(response.status(), 422, "{bad:?}");
        let error: Value = response.json().await.unwrap();
        assert!(error["error"]["fields"]["certificate_number"].as_str().is_some(), "{bad:?}: {error}");
    }
    let future = enhanced_clear(today() + Duration::days(1));
    let error: Value = post_check(&app, &token, v.id, future).await.json().await.unwrap();
    assert_eq!(error["error"]["fields"]["issued_on"], "The issue date cannot be in the future.");

    let response =
        post_check(&app, &token, v.id, json!({"type": "dbs", "level": "top secret", "status": "fine"})).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["fields"]["level"].is_string() && error["error"]["fields"]["status"].is_string());

    let response = post_check(&app, &token, v.id, json!({"type": "fingerprints"})).await;
    assert_eq!(error_code(response).await, "validation_failed");

    let prison = establishment(&app, "HMP Example", true).await;
    let response = post_check(
        &app,
        &token,
        v.id,
        json!({"type": "prison_vetting", "establishment_id": prison, "level": "standard", "status": "cleared"}),
    )
    .await;
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["fields"]["cleared_on"].is_string() && error["error"]["fields"]["expires_on"].is_string());
    let response = post_check(
        &app,
        &token,
        v.id,
        json!({"type": "prison_vetting", "establishment_id": prison + 100, "level": "standard", "status": "requested"}),
    )
    .await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["fields"]["establishment_id"].is_string());

    // Unknown volunteer: 404; a volunteer may not record checks: 403.
    assert_eq!(post_check(&app, &token, v.id + 1000, enhanced_clear(issued)).await.status(), 404);
    assert_eq!(post_check(&app, &v.token, v.id, enhanced_clear(issued)).await.status(), 403);
    let listed: Value = get_checks(&app, &token, v.id).await.json().await.unwrap();
    assert_eq!(listed["dbs"].as_array().unwrap().len(), 0, "nothing was stored");
}

#[tokio::test]
async fn certificate_numbers_are_for_coordinators_only_and_others_checks_are_hidden() {
    let app = TestApp::spawn().await;
    let token = coordinator_token(&app).await;
    let a = volunteer(&app).await;
    let b = volunteer(&app).await;
    for v in [&a, &b] {
        assert_eq!(post_check(&app, &token, v.id, enhanced_clear(today() - Duration::days(5))).await.status(), 201);
    }

    let response = get_checks(&app, &a.token, a.id).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains("001234567890") && !text.contains("certificate_number"), "{text}");
    assert!(!text.contains("Seen the original"), "notes are for coordinators");
    let own: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(own["dbs"][0]["level"], "enhanced");
    assert_eq!(own["dbs"][0]["status"], "clear");
    assert!(own["dbs"][0]["renewal_due"].is_string());

    let response = get_checks(&app, &a.token, b.id).await;
    assert_eq!(response.status(), 404);
    assert_eq!(error_code(response).await, "not_found");
    assert_eq!(get_checks(&app, &a.token, b.id + 1000).await.status(), 404);

    // Pages: their own page without the number; another volunteer's is 404; recording is 403.
    let mut browser = app.signed_in(&a.user).await;
    let (status, page) = browser.open(&format!("/volunteers/{}/checks", a.id)).await;
    assert_eq!(status, 200);
    assert!(page.contains("enhanced") && !page.contains("001234567890") && !page.contains("Record a DBS check"));
    let (status, page) = browser.open(&format!("/volunteers/{}/checks", b.id)).await;
    assert_eq!(status, 404);
    assert!(!page.contains("001234567890"));
    let response = browser
        .post_form(&format!("/volunteers/{}/checks/dbs", a.id), &[("level", "enhanced"), ("status", "requested")])
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(browser.open("/checks").await.0, 403);

    let coordinator = app.create_user(Role::Coordinator).await;
    let mut browser = app.signed_in(&coordinator).await;
    let (status, page) = browser.open(&format!("/volunteers/{}/checks", b.id)).await;
    assert_eq!(status, 200);
    assert!(page.contains("001234567890") && page.contains("Seen the original"));
}

#[tokio::test]
async fn recording_on_the_pages_keeps_values_and_shows_a_message_per_field() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let v = volunteer(&app).await;
    let mut browser = app.signed_in(&coordinator).await;

    let (status, list) = browser.open("/volunteers").await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!("/volunteers/{}/checks", v.id)), "the list links to each volunteer's checks");

    browser.open("/establishments").await;
    let response = browser
        .post_form(
            "/establishments",
            &[
                ("name", "HMP Example"),
                ("kind", "prison"),
                ("address", "Gloucester"),
                ("rooms", "0"),
                ("requires_vetting", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("from 1 to 100") && page.contains("value=\"HMP Example\""));
    let response = browser
        .post_form(
            "/establishments",
            &[
                ("name", "HMP Example"),
                ("kind", "prison"),
                ("address", "Gloucester"),
                ("rooms", "2"),
                ("requires_vetting", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let prison = convene::establishments::service::establishments(&app.db).await.unwrap();
    assert_eq!((prison.len(), prison[0].rooms, prison[0].requires_vetting), (1, 2, true));
    let prison_id = prison[0].id.to_string();

    let path = format!("/volunteers/{}/checks", v.id);
    browser.open(&path).await;
    let issued = (today() - Duration::days(3)).to_string();
    let fields = |number: &'static str| {
        vec![("level", "enhanced"), ("status", "clear"), ("certificate_number", number), ("issued_on", issued.as_str())]
    };
    let response = browser.post_form(&format!("{path}/dbs"), &fields("1234 5678 901")).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("exactly 12 digits") && page.contains("value=\"1234 5678 901\""), "{page}");
    assert!(page.contains(&format!("value=\"{issued}\"")));
    let response = browser.post_form(&format!("{path}/dbs"), &fields("1234 5678 9012")).await;
    assert_eq!(response.status(), 303);

    let tomorrow = (today() + Duration::days(1)).to_string();
    let vetting = [
        ("vetting_establishment_id", prison_id.as_str()),
        ("vetting_level", "standard"),
        ("vetting_status", "cleared"),
        ("vetting_cleared_on", tomorrow.as_str()),
        ("vetting_expires_on", "not a date"),
    ];
    let response = browser.post_form(&format!("{path}/vetting"), &vetting).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("href=\"#vetting_cleared_on\"") && page.contains("href=\"#vetting_expires_on\""), "{page}");
    assert!(page.contains("value=\"not a date\""));
    let good = (today() + Duration::days(365)).to_string();
    let vetting = [
        ("vetting_establishment_id", prison_id.as_str()),
        ("vetting_level", "standard"),
        ("vetting_status", "cleared"),
        ("vetting_cleared_on", issued.as_str()),
        ("vetting_expires_on", good.as_str()),
    ];
    assert_eq!(browser.post_form(&format!("{path}/vetting"), &vetting).await.status(), 303);

    let (_, page) = browser.open(&path).await;
    assert!(page.contains("123456789012") && page.contains("HMP Example") && page.contains(&good));
    let cleared = service::clearance(&app.db, v.id, prison[0].id, today()).await.unwrap();
    assert_eq!(cleared, Clearance::Cleared);
}

fn reasons(clearance: Clearance) -> Vec<String> {
    match clearance {
        Clearance::Cleared => Vec::new(),
        Clearance::NotCleared(reasons) => reasons.iter().map(ToString::to_string).collect(),
    }
}

#[tokio::test]
async fn clearance_through_the_database_at_its_boundaries() {
    let app = TestApp::spawn().await;
    let token = coordinator_token(&app).await;
    let v = volunteer(&app).await;
    let prison = establishment(&app, "HMP Example", true).await;
    let venue = establishment(&app, "Community Hall", false).await;
    let issued = today() - Duration::days(30);
    let due = issued.checked_add_months(Months::new(36)).unwrap();

    assert_eq!(reasons(service::clearance(&app.db, v.id, venue, today()).await.unwrap()), ["no DBS check recorded"]);
    assert!(service::clearance(&app.db, v.id, venue + prison + 100, today()).await.is_err(), "unknown establishment");

    let basic = json!({"type": "dbs", "level": "basic", "status": "clear", "certificate_number": "111122223333",
                       "issued_on": issued.to_string()});
    assert_eq!(post_check(&app, &token, v.id, basic).await.status(), 201);
    assert_eq!(
        reasons(service::clearance(&app.db, v.id, venue, today()).await.unwrap()),
        ["DBS is basic; an enhanced check is required"]
    );
    assert_eq!(post_check(&app, &token, v.id, enhanced_clear(issued)).await.status(), 201);

    // Renewal due date: the day before still counts, the day itself does not.
    let day_before = due - Duration::days(1);
    assert_eq!(service::clearance(&app.db, v.id, venue, day_before).await.unwrap(), Clearance::Cleared);
    assert_eq!(
        reasons(service::clearance(&app.db, v.id, venue, due).await.unwrap()),
        [format!("DBS renewal due {}, on the day itself", short_date(due))]
    );
    // Vetting is needed only where the establishment requires it.
    assert_eq!(
        reasons(service::clearance(&app.db, v.id, prison, today()).await.unwrap()),
        ["not vetted at HMP Example"]
    );
    let expires = today() + Duration::days(20);
    let vetting = json!({"type": "prison_vetting", "establishment_id": prison, "level": "enhanced", "status": "cleared",
                         "cleared_on": issued.to_string(), "expires_on": expires.to_string()});
    assert_eq!(post_check(&app, &token, v.id, vetting).await.status(), 201);
    // Expiry date: the last valid day.
    assert_eq!(service::clearance(&app.db, v.id, prison, expires).await.unwrap(), Clearance::Cleared);
    let after = expires + Duration::days(1);
    assert_eq!(
        reasons(service::clearance(&app.db, v.id, prison, after).await.unwrap()),
        [format!("prison vetting at HMP Example expires {}, before {}", short_date(expires), short_date(after))]
    );

    // A shorter renewal period from the setting moves the DBS boundary.
    set(&app.db, DBS_RENEWAL_YEARS.key, "2").await.unwrap();
    let due_two = issued.checked_add_months(Months::new(24)).unwrap();
    assert!(service::clearance(&app.db, v.id, venue, due_two - Duration::days(1)).await.unwrap().is_cleared());
    assert!(!service::clearance(&app.db, v.id, venue, due_two).await.unwrap().is_cleared());
}

#[tokio::test]
async fn the_checks_page_lists_due_overdue_and_missing() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let renewing = volunteer(&app).await;
    let lapsed = volunteer(&app).await;
    let missing = volunteer(&app).await;
    let gone = volunteer(&app).await;
    let fine = volunteer(&app).await;
    let prison = establishment(&app, "HMP Example", true).await;

    // Renewal in 30 days (3 years after issue); overdue since 10 days ago; fine for years.
    let years_ago =
        |days_from_now: i64| (today() + Duration::days(days_from_now)).checked_sub_months(Months::new(36)).unwrap();
    assert_eq!(post_check(&app, &token, renewing.id, enhanced_clear(years_ago(30))).await.status(), 201);
    assert_eq!(post_check(&app, &token, lapsed.id, enhanced_clear(years_ago(-10))).await.status(), 201);
    assert_eq!(post_check(&app, &token, fine.id, enhanced_clear(today() - Duration::days(1))).await.status(), 201);
    let expired = json!({"type": "prison_vetting", "establishment_id": prison, "level": "standard", "status": "cleared",
                         "cleared_on": (today() - Duration::days(400)).to_string(),
                         "expires_on": (today() - Duration::days(1)).to_string()});
    assert_eq!(post_check(&app, &token, fine.id, expired).await.status(), 201);
    let requested = json!({"type": "dbs", "level": "enhanced", "status": "requested"});
    assert_eq!(post_check(&app, &token, missing.id, requested).await.status(), 201);
    let mut left: volunteer::ActiveModel =
        volunteer::Entity::find_by_id(gone.id).one(&app.db).await.unwrap().unwrap().into();
    left.status = Set(VolunteerStatus::Left);
    left.update(&app.db).await.unwrap();

    let mut browser = app.signed_in(&coordinator).await;
    let (status, page) = browser.open("/checks").await;
    assert_eq!(status, 200);
    let html = scraper::Html::parse_document(&page);
    // Each entry links to the volunteer's checks; the closing quote keeps id 1 apart from 12.
    let section = |id: &str| {
        let selector = scraper::Selector::parse(&format!("section#{id}")).unwrap();
        html.select(&selector).next().map(|s| s.html()).unwrap_or_default()
    };
    let link = |v: &Volunteer| format!("href=\"/volunteers/{}/checks\"", v.id);
    let (overdue, due, missing_list) = (section("overdue"), section("due"), section("missing"));
    assert!(due.contains(&link(&renewing)) && due.contains(&(today() + Duration::days(30)).to_string()), "{due}");
    assert!(!due.contains(&link(&lapsed)) && !due.contains(&link(&fine)), "{due}");
    assert!(overdue.contains(&link(&lapsed)) && !overdue.contains(&link(&renewing)), "{overdue}");
    assert!(overdue.contains(&link(&fine)) && overdue.contains("Prison vetting at HMP Example"), "{overdue}");
    assert!(missing_list.contains(&link(&missing)), "{missing_list}");
    assert!(!missing_list.contains(&link(&fine)) && !missing_list.contains(&link(&lapsed)), "{missing_list}");
    assert!(!page.contains(&link(&gone)), "volunteers who have left are not listed");
    assert!(page.contains("href=\"/checks\""), "Checks is in the coordinator navigation");
}
