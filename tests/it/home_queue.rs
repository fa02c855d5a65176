//! The coordinator's home is a work queue: counts of what needs a person, each linking to
//! the list it counts, the open cases nearest their deadline, conferences waiting for an
//! answer. A coordinator's day is walked in Chromium on the demo.

use chrono::Duration;
use entity::user::Role;
use entity::{case, dbs_check};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, browser_script, today};
use crate::scenario::{a_tuesday, book, new_case};

async fn reference(app: &TestApp, id: i64) -> String {
    case::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().reference
}

/// Where `needle` first appears in `page` (it must).
fn at(page: &str, needle: &str) -> usize {
    page.find(needle).unwrap_or_else(|| panic!("{needle} is on the page"))
}

#[tokio::test]
async fn the_home_queue_counts_open_cases_by_stage_and_lists_the_nearest_deadlines_first() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().ready_case().build().await;
    let [lead, co] = world.facilitators();
    let ready = world.case();
    let soon = new_case(&app, &world.token, world.prison).await["id"].as_i64().unwrap();
    let later = new_case(&app, &world.token, world.prison).await["id"].as_i64().unwrap();
    for (id, days) in [(soon, 5), (ready, 30), (later, 60)] {
        let deadline = (today() + Duration::days(days)).to_string();
        let response =
            app.api(&world.token).patch(&format!("/api/v1/cases/{id}"), &json!({"deadline": deadline})).await;
        assert_eq!(response.status(), 200);
    }
    let booked = book(&app, &world.token, ready, &format!("{}T10:00", a_tuesday()), lead, co).await;
    assert_eq!(booked.status(), 201);
    let mut coordinator = app.signed_in(&world.coordinator).await;
    let listed_before = app.audit_count("case.listed").await;
    let (status, home) = coordinator.open("/").await;
    assert_eq!(status, 200);
    assert!(home.contains(r#"href="/cases?status=referred&amp;sort=deadline"><span class="n">2</span>"#), "{home}");
    assert!(home.contains(r#"href="/cases?status=booked&amp;sort=deadline"><span class="n">1</span>"#));
    let (soon, ready, later) =
        (reference(&app, soon).await, reference(&app, ready).await, reference(&app, later).await);
    let table = &home[at(&home, "Nearest deadlines")..];
    assert!(at(table, &soon) < at(table, &ready) && at(table, &ready) < at(table, &later), "nearest first");
    assert!(table.contains("5 days left"));
    let waiting = &home[at(&home, "Conferences waiting for an answer")..at(&home, "Agreed actions due")];
    assert!(waiting.contains(&ready) && waiting.contains("waiting for 2 answers"), "{waiting}");
    assert_eq!(app.audit_count("case.listed").await, listed_before + 1, "the cases named on the home page are audited");

    let (_, by_deadline) = coordinator.open("/cases?status=referred&sort=deadline").await;
    assert!(at(&by_deadline, &soon) < at(&by_deadline, &later), "the list the count links to, nearest first");
    assert!(!by_deadline.contains(&ready), "only that stage");

    let volunteer = app.create_user(Role::Volunteer).await;
    let (_, theirs) = app.signed_in(&volunteer).await.open("/").await;
    assert!(!theirs.contains("Nearest deadlines") && !theirs.contains(&soon), "a volunteer has no queue");
}

#[tokio::test]
async fn the_volunteer_list_filters_by_name_status_and_overdue_supervision() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().build().await;
    let [lead, _] = world.facilitators();
    let record = entity::volunteer::Entity::find_by_id(lead).one(&app.db).await.unwrap().unwrap();
    let account = entity::user::Entity::find_by_id(record.user_id).one(&app.db).await.unwrap().unwrap();
    let mut coordinator = app.signed_in(&world.coordinator).await;

    let (_, one) = coordinator.open(&format!("/volunteers?q={}", account.email)).await;
    assert!(one.contains("1 of 2 volunteers") && one.contains(&account.name), "search by email");
    let (_, none) = coordinator.open("/volunteers?status=left").await;
    assert!(none.contains("Nobody matches."));
    let (status, overdue) = coordinator.open("/volunteers?supervision=overdue").await;
    assert_eq!(status, 200);
    let expected = convene::supervision::service::overdue(&app.db, today()).await.unwrap().len();
    assert!(overdue.contains(&format!("{expected} of 2 volunteers")), "the list the home count links to");
}

#[tokio::test]
async fn a_coordinators_day_follows_checks_overdue_records_a_check_and_comes_back_to_a_lower_count() {
    let app = TestApp::spawn().await;
    let logins = app.load_demo().await;
    let coordinator = logins.iter().find(|l| l.role == Role::Coordinator).unwrap();
    let checks_before = dbs_check::Entity::find().count(&app.db).await.unwrap();
    let args = json!({"base": app.url(""), "email": coordinator.email, "password": coordinator.password,
                      "issued": today().to_string()});
    let day: Value = browser_script("day.mjs", vec![args.to_string()], Vec::new()).await;

    assert_eq!(day["problems"], json!([]), "the home page passes axe and fits a phone");
    let before = day["before"].as_i64().unwrap();
    assert!(before >= 1, "the demo has a check overdue: {day}");
    assert_eq!(day["after"].as_i64().unwrap(), before - 1, "{day}");
    assert_eq!(day["flash"], "DBS check recorded.");
    assert_eq!(dbs_check::Entity::find().count(&app.db).await.unwrap(), checks_before + 1);
    let recorded = dbs_check::Entity::find()
        .filter(dbs_check::Column::CertificateNumber.is_not_null())
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.issued_on == Some(today()))
        .count();
    assert_eq!(recorded, 1, "the check the browser recorded, issued today");
}

#[tokio::test]
async fn the_checks_overview_filters_by_volunteer_and_kind_of_check() {
    let app = TestApp::spawn().await;
    let logins = app.load_demo().await;
    let coordinator = logins.iter().find(|l| l.role == Role::Coordinator).unwrap();
    let mut browser = app.browser();
    browser.open("/login").await;
    let signed =
        browser.post_form("/login", &[("email", &coordinator.email), ("password", &coordinator.password)]).await;
    assert_eq!(signed.status(), 303);
    let rows = |page: &str| page.matches(r#"<td><a href="/volunteers/"#).count();

    let (_, all) = browser.open("/checks").await;
    assert!(rows(&all) >= 2 && all.contains("Enhanced DBS renewal"), "the demo has DBS renewals due and overdue");
    let (_, vetting) = browser.open("/checks?kind=vetting").await;
    assert!(!vetting.contains("Enhanced DBS renewal"), "only prison vetting");
    let first = scraper::Html::parse_document(&all);
    let link = scraper::Selector::parse(r#"#overdue tbody a, #due tbody a"#).unwrap();
    let name: String = first.select(&link).next().unwrap().text().collect();
    let (_, one) = browser.open(&format!("/checks?q={}", name.to_uppercase().replace(' ', "+"))).await;
    let found = scraper::Html::parse_document(&one);
    let names: Vec<String> = found.select(&link).map(|a| a.text().collect()).collect();
    assert!(!names.is_empty() && names.iter().all(|n| *n == name), "{name}: {names:?}");
}
