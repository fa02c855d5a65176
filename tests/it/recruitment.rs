//! Recruitment end to end over HTTP: applying (form and API), bad input, duplicates, closed
//! intakes, the pipeline, the place limit under concurrent offers, withdrawal and the
//! waiting list, and acceptance creating a volunteer who sets a password and signs in.

use chrono::Duration;
use convene::applications::input::ApplicationInput;
use convene::applications::service;
use entity::application::{self, ApplicationStatus};
use entity::user::Role;
use entity::{enrolment, equality_monitoring, intake, outbox_message, volunteer};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, error_code};

pub struct Recruiting {
    pub token: String,
    pub intake_id: i64,
    pub course_id: i64,
}

/// A coordinator with an open intake of `places` leading to a three-session core course.
pub async fn open_intake(app: &TestApp, places: i32) -> Recruiting {
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let course: Value = app
        .api(&token)
        .post("/api/v1/courses", &json!({"name": "Core training, spring", "kind": "core"}))
        .await
        .json()
        .await
        .unwrap();
    let course_id = course["id"].as_i64().expect("course id");
    // Training that has already run (three, two and one weeks ago), so registers can be kept.
    let today = crate::helpers::today();
    for (number, date) in core_dates(today).into_iter().enumerate().map(|(i, d)| (i + 1, d.to_string())) {
        let response = app.api(&token).post(&format!("/api/v1/courses/{course_id}/sessions"), &json!({"number": number, "date": date, "starts_at": "09:30", "ends_at": "16:30", "venue": "Gloucester Guildhall"})).await;
        assert_eq!(response.status(), 201);
    }
    let response = app.api(&token).post("/api/v1/intakes", &json!({
            "name": "Spring 2027", "places": places, "course_id": course_id,
            "opens_on": (today - Duration::days(7)).to_string(), "closes_on": (today + Duration::days(30)).to_string()
        })).await;
    assert_eq!(response.status(), 201);
    let intake: Value = response.json().await.unwrap();
    assert_eq!(intake["open"], true);
    Recruiting { token, intake_id: intake["id"].as_i64().unwrap(), course_id }
}

/// The dates of the three core sessions `open_intake` creates.
pub fn core_dates(today: chrono::NaiveDate) -> [chrono::NaiveDate; 3] {
    [today - Duration::days(21), today - Duration::days(14), today - Duration::days(7)]
}

pub fn valid_application(intake_id: i64, email: &str) -> Value {
    json!({
        "intake_id": intake_id,
        "name": "Siân Llewellyn",
        "email": email,
        "phone": "01632 960001",
        "postcode": "gl1 2th",
        "date_of_birth": "1980-05-17",
        "motivation": "I want to help people find a way to repair harm after a crime.",
        "experience": "Ten years as a Samaritans listener.",
        "available_weekdays": true,
        "available_evenings": false,
        "available_weekends": true,
        "can_attend_all_dates": "yes",
        "can_commit_year": "yes",
        "agrees_to_checks": "yes",
        "willing_to_use_it": "yes",
        "privacy_consent": true,
        "equality_age_band": "45–54",
    })
}

fn form_fields(value: &Value) -> Vec<(String, String)> {
    value
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k.clone(), s.clone())),
            Value::Number(n) => Some((k.clone(), n.to_string())),
            Value::Bool(true) => Some((k.clone(), "yes".into())),
            _ => None,
        })
        .collect()
}

async fn submit_api(app: &TestApp, body: &Value) -> reqwest::Response {
    reqwest::Client::new().post(app.url("/api/v1/applications")).json(body).send().await.unwrap()
}

/// Stores an application through the service, as if from many addresses (no rate limit).
async fn submit_direct(app: &TestApp, intake_id: i64, email: &str) -> i64 {
    let input: ApplicationInput = serde_json::from_value(valid_application(intake_id, email)).unwrap();
    let new = input.parse(crate::helpers::today()).unwrap();
    let base = url::Url::parse("http://127.0.0.1/").unwrap();
    service::submit(&app.db, &base, new, None).await.unwrap().0.id
}

async fn decide(app: &TestApp, token: &str, id: i64, body: Value) -> reqwest::Response {
    app.api(token).post(&format!("/api/v1/applications/{id}/decision"), &body).await
}

async fn status_of(app: &TestApp, id: i64) -> ApplicationStatus {
    application::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().status
}

async fn to_interview(app: &TestApp, token: &str, id: i64) {
    assert_eq!(decide(app, token, id, json!({"decision": "shortlist"})).await.status(), 200);
    let response = decide(
        app,
        token,
        id,
        json!({"decision": "interview", "interview_date": "2027-01-12", "interview_time": "14:00", "interview_place": "Probation office, Gloucester"}),
    )
    .await;
    assert_eq!(response.status(), 200);
}

async fn outbox_for(app: &TestApp, to: &str) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find().filter(outbox_message::Column::ToEmail.eq(to)).all(&app.db).await.unwrap()
}

fn status_path(text: &str) -> String {
    let start = text.find("/applications/status/").expect("status link");
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-')).collect()
}

#[tokio::test]
async fn applying_through_the_form_confirms_emails_and_gives_a_status_link() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let mut browser = app.browser();
    let (status, page) = browser.open(&format!("/apply?intake_id={}", setup.intake_id)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Spring 2027"));
    let fields = form_fields(&valid_application(setup.intake_id, "Sian@Example.org"));
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = browser.post_form("/apply", &refs).await;
    assert_eq!(response.status(), 200);
    let confirmation = response.text().await.unwrap();
    assert!(confirmation.contains("Application sent"));
    let link = status_path(&confirmation);

    let mail = outbox_for(&app, "sian@example.org").await;
    assert_eq!(mail.len(), 1, "one acknowledgement");
    assert_eq!(mail[0].kind, "application.received");
    assert!(mail[0].text_body.contains(&link), "the email carries the same private link");
    assert!(mail[0].html_body.contains(&link));

    let stored = application::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(stored.email, "sian@example.org");
    assert_eq!(stored.postcode, "GL1 2TH");
    assert!(
        !stored.status_token_hash.contains(link.trim_start_matches("/applications/status/")),
        "token stored hashed"
    );

    let (status, page) = app.browser().open(&link).await;
    assert_eq!(status, 200);
    assert!(page.contains("We have received your application"));
    assert_eq!(app.browser().get("/applications/status/not-a-real-token").await.status(), 404);

    // The equality answer is stored apart, with no link to the application.
    assert_eq!(equality_monitoring::Entity::find().count(&app.db).await.unwrap(), 1);
}

#[tokio::test]
async fn applying_through_the_api_answers_201_with_the_status_url() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let response = submit_api(&app, &valid_application(setup.intake_id, "ana@example.org")).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "submitted");
    assert!(body["status_url"].as_str().unwrap().contains("/applications/status/"));
}

#[tokio::test]
async fn one_address_gets_the_hourly_limit_of_applications_even_all_at_once() {
    let app = TestApp::spawn().await;
    let recruiting = open_intake(&app, 20).await;
    let limit = service::MAX_APPLICATIONS_PER_ADDRESS_PER_HOUR as usize;
    let bodies: Vec<Value> =
        (0..limit + 3).map(|n| valid_application(recruiting.intake_id, &format!("burst{n}@example.org"))).collect();
    let responses = futures_util::future::join_all(bodies.iter().map(|body| submit_api(&app, body))).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), limit, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 3, "{statuses:?}");
    let stored = application::Entity::find()
        .filter(application::Column::IntakeId.eq(recruiting.intake_id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(stored as usize, limit);
}

#[tokio::test]
async fn every_bad_field_gets_its_own_message_and_the_form_keeps_the_values() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let base = valid_application(setup.intake_id, "ana@example.org");
    let cases: Vec<(&str, Value)> = vec![
        ("name", json!("")),
        ("email", json!("not an email")),
        ("phone", json!("12")),
        ("postcode", json!("nowhere")),
        ("date_of_birth", json!("31/02/1990")),
        ("date_of_birth", json!((crate::helpers::today() - Duration::days(365 * 17)).to_string())),
        ("motivation", json!("too short")),
        ("motivation", json!("x".repeat(5001))),
        ("can_attend_all_dates", json!("no")),
        ("can_commit_year", json!("")),
        ("agrees_to_checks", json!("no")),
        ("willing_to_use_it", json!("maybe")),
        ("privacy_consent", json!(false)),
        ("intake_id", json!("abc")),
    ];
    for (field, bad) in cases {
        let mut body = base.clone();
        body[field] = bad.clone();
        let response = submit_api(&app, &body).await;
        assert_eq!(response.status(), 422, "{field} = {bad}");
        let error: Value = response.json().await.unwrap();
        assert!(error["error"]["fields"][field].is_string(), "{field}: {error}");
        assert_eq!(error["error"]["fields"].as_object().unwrap().len(), 1, "only {field} is wrong: {error}");
    }
    let mut body = base.clone();
    for field in ["available_weekdays", "available_evenings", "available_weekends"] {
        body[field] = json!(false);
    }
    let error: Value = submit_api(&app, &body).await.json().await.unwrap();
    assert!(error["error"]["fields"]["available_weekdays"].is_string());

    // The HTML form: a summary, the message by the field, the other values kept.
    let mut browser = app.browser();
    browser.open("/apply").await;
    let mut fields = form_fields(&base);
    fields.retain(|(k, _)| k != "postcode");
    fields.push(("postcode".into(), "nowhere".into()));
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = browser.post_form("/apply", &refs).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("Enter a full UK postcode"));
    assert!(page.contains("value=\"Siân Llewellyn\""), "name kept");
    assert!(page.contains("value=\"nowhere\""), "the bad value kept to correct");
    assert!(page.contains("I want to help people find a way"), "motivation kept");
    assert_eq!(application::Entity::find().count(&app.db).await.unwrap(), 0, "nothing stored");

    // Malformed JSON and a body of the wrong shape.
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/applications"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(error_code(response).await, "bad_request");
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/applications"))
        .json(&json!({"name": ["a", "list"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn a_second_application_for_the_same_email_and_intake_is_refused_kindly() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    assert_eq!(submit_api(&app, &valid_application(setup.intake_id, "ana@example.org")).await.status(), 201);
    let response = submit_api(&app, &valid_application(setup.intake_id, "ANA@example.org")).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["fields"]["email"].as_str().unwrap().contains("already applied"));

    let mut browser = app.browser();
    browser.open("/apply").await;
    let fields = form_fields(&valid_application(setup.intake_id, "ana@example.org"));
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = browser.post_form("/apply", &refs).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("You have already applied to this intake"));
    assert_eq!(application::Entity::find().count(&app.db).await.unwrap(), 1);
    assert_eq!(outbox_message::Entity::find().count(&app.db).await.unwrap(), 1, "no second email");
}

#[tokio::test]
async fn a_closed_intake_takes_no_applications() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let today = crate::helpers::today();
    let response = app.api(&setup.token).post("/api/v1/intakes", &json!({"name": "Autumn 2026", "places": 5, "course_id": setup.course_id,
            "opens_on": (today - Duration::days(60)).to_string(), "closes_on": (today - Duration::days(1)).to_string()})).await;
    let closed: Value = response.json().await.unwrap();
    assert_eq!(closed["open"], false);
    let response = submit_api(&app, &valid_application(closed["id"].as_i64().unwrap(), "ana@example.org")).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["fields"]["intake_id"].as_str().unwrap().contains("closed"));
    let (_, page) = app.browser().open("/volunteer").await;
    assert!(page.contains("Spring 2027") && !page.contains("Autumn 2026"), "only open intakes are listed");
}

#[tokio::test]
async fn the_honeypot_and_the_rate_limit_stop_bots() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let mut browser = app.browser();
    browser.open("/apply").await;
    let mut fields = form_fields(&valid_application(setup.intake_id, "bot@example.org"));
    fields.push(("website".into(), "http://spam.example".into()));
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = browser.post_form("/apply", &refs).await;
    assert_eq!(response.status(), 200, "looks like success to the bot");
    assert_eq!(application::Entity::find().count(&app.db).await.unwrap(), 0, "but nothing is stored");

    for n in 0..5 {
        let response = submit_api(&app, &valid_application(setup.intake_id, &format!("person{n}@example.org"))).await;
        assert_eq!(response.status(), 201);
    }
    let response = submit_api(&app, &valid_application(setup.intake_id, "person6@example.org")).await;
    assert_eq!(response.status(), 429);
    assert_eq!(error_code(response).await, "rate_limited");
}

#[tokio::test]
async fn every_transition_of_the_pipeline_and_forbidden_ones() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let id = submit_direct(&app, setup.intake_id, "ana@example.org").await;

    let response = decide(&app, &setup.token, id, json!({"decision": "accept"})).await;
    assert_eq!(response.status(), 409, "cannot accept a submitted application");
    assert_eq!(error_code(response).await, "conflict");
    let response = decide(&app, &setup.token, id, json!({"decision": "fly"})).await;
    assert_eq!(response.status(), 422);

    to_interview(&app, &setup.token, id).await;
    let interview_mail = outbox_for(&app, "ana@example.org").await;
    assert!(
        interview_mail
            .iter()
            .any(|m| m.kind == "application.interview" && m.text_body.contains("Probation office, Gloucester"))
    );
    let response = decide(&app, &setup.token, id, json!({"decision": "shortlist"})).await;
    assert_eq!(response.status(), 409, "a stale decision changes nothing");

    assert_eq!(decide(&app, &setup.token, id, json!({"decision": "offer"})).await.status(), 200);
    assert_eq!(status_of(&app, id).await, ApplicationStatus::Offered);
    assert_eq!(decide(&app, &setup.token, id, json!({"decision": "accept"})).await.status(), 200);
    assert_eq!(status_of(&app, id).await, ApplicationStatus::Accepted);
    assert_eq!(decide(&app, &setup.token, id, json!({"decision": "accept"})).await.status(), 409);

    let rejected = submit_direct(&app, setup.intake_id, "ben@example.org").await;
    let response = decide(&app, &setup.token, rejected, json!({"decision": "reject"})).await;
    assert_eq!(response.status(), 422, "a reason is needed");
    let response = decide(
        &app,
        &setup.token,
        rejected,
        json!({"decision": "reject", "reason": "We had many strong applications."}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let mail = outbox_for(&app, "ben@example.org").await;
    assert!(mail.iter().any(|m| m.kind == "application.rejected" && m.text_body.contains("many strong applications")));
    assert_eq!(
        decide(&app, &setup.token, rejected, json!({"decision": "shortlist"})).await.status(),
        409,
        "rejected is final"
    );

    let waitlisted = submit_direct(&app, setup.intake_id, "cat@example.org").await;
    to_interview(&app, &setup.token, waitlisted).await;
    assert_eq!(decide(&app, &setup.token, waitlisted, json!({"decision": "waitlist"})).await.status(), 200);
    assert_eq!(status_of(&app, waitlisted).await, ApplicationStatus::Waitlisted);

    // A volunteer's token cannot decide.
    let volunteer = app.create_user(Role::Volunteer).await;
    let response = decide(&app, &app.token_for(&volunteer).await, waitlisted, json!({"decision": "offer"})).await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn twenty_parallel_offers_for_three_places_make_exactly_three_offers() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let mut ids = Vec::new();
    for n in 0..20 {
        let id = submit_direct(&app, setup.intake_id, &format!("applicant{n}@example.org")).await;
        to_interview(&app, &setup.token, id).await;
        ids.push(id);
    }
    let offers = ids.iter().map(|id| decide(&app, &setup.token, *id, json!({"decision": "offer"})));
    let responses = futures_util::future::join_all(offers).await;
    assert!(responses.iter().all(|r| r.status() == 200), "each offer is answered");
    let offered = application::Entity::find()
        .filter(application::Column::Status.eq(ApplicationStatus::Offered))
        .count(&app.db)
        .await
        .unwrap();
    let waitlisted = application::Entity::find()
        .filter(application::Column::Status.eq(ApplicationStatus::Waitlisted))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(offered, 3);
    assert_eq!(waitlisted, 17);
    let row = intake::Entity::find_by_id(setup.intake_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.places_taken, 3);
}

#[tokio::test]
async fn withdrawal_of_an_offer_frees_the_place_and_flags_the_first_waiting() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 1).await;
    let response = submit_api(&app, &valid_application(setup.intake_id, "first@example.org")).await;
    let receipt: Value = response.json().await.unwrap();
    let first = receipt["id"].as_i64().unwrap();
    let first_link = status_path(receipt["status_url"].as_str().unwrap());
    let second = submit_direct(&app, setup.intake_id, "second@example.org").await;
    let third = submit_direct(&app, setup.intake_id, "third@example.org").await;
    for id in [first, second, third] {
        to_interview(&app, &setup.token, id).await;
        assert_eq!(decide(&app, &setup.token, id, json!({"decision": "offer"})).await.status(), 200);
    }
    assert_eq!(status_of(&app, first).await, ApplicationStatus::Offered);
    assert_eq!(status_of(&app, second).await, ApplicationStatus::Waitlisted);
    assert_eq!(status_of(&app, third).await, ApplicationStatus::Waitlisted);
    let response = decide(&app, &setup.token, third, json!({"decision": "offer"})).await;
    assert_eq!(response.status(), 409, "no place is free for the waiting list yet");

    // The offered applicant withdraws through their private link.
    let mut browser = app.browser();
    let (_, page) = browser.open(&first_link).await;
    assert!(page.contains("Withdraw my application"));
    let response = browser.post_form(&format!("{first_link}/withdraw"), &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(status_of(&app, first).await, ApplicationStatus::Withdrawn);

    let flagged: Value =
        app.api(&setup.token).get(&format!("/api/v1/applications/{second}")).await.json().await.unwrap();
    assert!(flagged["place_free_flagged_at"].is_string(), "the first on the waiting list is flagged");
    let third_row = application::Entity::find_by_id(third).one(&app.db).await.unwrap().unwrap();
    assert!(third_row.place_free_flagged_at.is_none(), "only the first");
    let alerts = outbox_message::Entity::find()
        .filter(outbox_message::Column::Kind.eq("application.place_free"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1, "the coordinator is told");
    assert!(alerts[0].text_body.contains("Siân Llewellyn"));

    let response = decide(&app, &setup.token, second, json!({"decision": "offer"})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(status_of(&app, second).await, ApplicationStatus::Offered);
}

#[tokio::test]
async fn acceptance_creates_a_volunteer_who_sets_a_password_and_signs_in() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let id = submit_direct(&app, setup.intake_id, "newbie@example.org").await;
    to_interview(&app, &setup.token, id).await;
    decide(&app, &setup.token, id, json!({"decision": "offer"})).await;
    let response = decide(&app, &setup.token, id, json!({"decision": "accept"})).await;
    assert_eq!(response.status(), 200);
    let accepted: Value = response.json().await.unwrap();
    let volunteer_id = accepted["volunteer_id"].as_i64().expect("volunteer created");

    let record = volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(record.status, entity::volunteer::VolunteerStatus::Onboarding);
    assert_eq!(record.level, entity::volunteer::FacilitationLevel::Trainee);
    let enrolled =
        enrolment::Entity::find().filter(enrolment::Column::VolunteerId.eq(volunteer_id)).one(&app.db).await.unwrap();
    assert_eq!(enrolled.map(|e| e.course_id), Some(setup.course_id), "enrolled on the intake's core course");

    let invitation = outbox_for(&app, "newbie@example.org")
        .await
        .into_iter()
        .find(|m| m.kind == "account.invitation")
        .expect("invitation");
    let start = invitation.text_body.find("/invitations/").unwrap();
    let path: String = invitation.text_body[start..].chars().take_while(|c| !c.is_whitespace()).collect();

    let mut browser = app.browser();
    let (status, _) = browser.open(&path).await;
    assert_eq!(status, 200);
    let response = browser.post_form(&path, &[("password", "short"), ("confirm", "short")]).await;
    assert_eq!(response.status(), 422);
    let response = browser.post_form(&path, &[("password", PASSWORD), ("confirm", "something else entirely")]).await;
    assert_eq!(response.status(), 422);
    let response = browser.post_form(&path, &[("password", PASSWORD), ("confirm", PASSWORD)]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(browser.open(&path).await.0, 404, "single use");

    browser.open("/login").await;
    let response = browser.post_form("/login", &[("email", "newbie@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 303);
    let (_, home) = browser.open("/").await;
    assert!(home.contains("Welcome, Siân Llewellyn"));
}

#[tokio::test]
async fn an_expired_invitation_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Volunteer).await;
    let (_, token) = convene::auth::invitations::create(&app.db, user.id).await.unwrap();
    use sea_orm::sea_query::Expr;
    entity::password_invitation::Entity::update_many()
        .col_expr(
            entity::password_invitation::Column::ExpiresAt,
            Expr::value(crate::helpers::now() - Duration::minutes(1)),
        )
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(app.browser().open(&format!("/invitations/{token}")).await.0, 404);
}

#[tokio::test]
async fn the_queue_counts_filters_searches_and_exports_without_equality_data() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let ana = submit_direct(&app, setup.intake_id, "ana@example.org").await;
    submit_direct(&app, setup.intake_id, "ben@example.org").await;
    decide(&app, &setup.token, ana, json!({"decision": "shortlist"})).await;
    application::Entity::update_many()
        .col_expr(
            application::Column::Motivation,
            sea_orm::sea_query::Expr::value("=HYPERLINK(\"http://evil\") I care a lot"),
        )
        .filter(application::Column::Id.eq(ana))
        .exec(&app.db)
        .await
        .unwrap();

    let list: Value = app.api(&setup.token).get("/api/v1/applications?status=shortlisted").await.json().await.unwrap();
    assert_eq!(list["applications"].as_array().unwrap().len(), 1);
    assert_eq!(list["counts"]["submitted"], 1);
    assert_eq!(list["counts"]["shortlisted"], 1);
    assert!(list["applications"][0].get("equality_age_band").is_none());
    let found: Value = app.api(&setup.token).get("/api/v1/applications?q=BEN%40").await.json().await.unwrap();
    assert_eq!(found["applications"].as_array().unwrap().len(), 1);
    assert_eq!(found["applications"][0]["email"], "ben@example.org");

    let coordinator = app.create_user(Role::Coordinator).await;
    let mut browser = app.signed_in(&coordinator).await;
    let (status, page) = browser.open("/applications?q=ana").await;
    assert_eq!(status, 200);
    assert!(page.contains("ana@example.org") && !page.contains("ben@example.org"));
    let (_, detail) = browser.open(&format!("/applications/{ana}")).await;
    assert!(!detail.contains("45–54"), "equality answers never beside the application");
    let response =
        browser.post_form(&format!("/applications/{ana}/notes"), &[("body", "Strong on listening skills.")]).await;
    assert_eq!(response.status(), 303);
    let (_, detail) = browser.open(&format!("/applications/{ana}")).await;
    assert!(detail.contains("Strong on listening skills."));

    let response = browser.get("/applications.csv").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("id,intake,name,email"));
    assert!(csv.contains("ana@example.org") && csv.contains("ben@example.org"));
    assert!(!csv.contains("45–54"), "no equality data in the export");
    assert!(csv.contains("\"'=HYPERLINK("), "formulas are neutralised: {csv}");

    let volunteer = app.create_user(Role::Volunteer).await;
    assert_eq!(app.signed_in(&volunteer).await.get("/applications.csv").await.status(), 403);
}

#[tokio::test]
async fn the_role_description_comes_from_settings_an_admin_edits() {
    let app = TestApp::spawn().await;
    open_intake(&app, 3).await;
    let (_, page) = app.browser().open("/volunteer").await;
    assert!(page.contains("What you need to know") && page.contains("Core training dates"));
    let first = convene::domain::time::long_date(core_dates(crate::helpers::today())[0]);
    assert!(page.contains(&first), "core training dates listed");

    let admin = app.create_user(Role::Admin).await;
    let mut browser = app.signed_in(&admin).await;
    browser.open("/admin/settings").await;
    let numbers = [
        ("checks.dbs_renewal_years", "2"),
        ("supervision.interval_weeks", "12"),
        ("progression.lead_after_conferences", "3"),
        ("cases.default_timeframe_days", "90"),
    ];
    let mut fields = numbers.to_vec();
    fields.extend([
        ("role.need_to_know", "Our service covers Gloucestershire."),
        ("role.what_you_will_do", "Facilitate."),
        ("role.what_we_expect", ""),
        ("role.what_you_can_expect", "Support."),
    ]);
    fields.extend([
        ("retention.unsuccessful_application_months", "6"),
        ("retention.left_volunteer_months", "72"),
        ("retention.closed_case_months", "24"),
    ]);
    let response = browser.post_form("/admin/settings", &fields).await;
    assert_eq!(response.status(), 422, "empty text refused");
    let page = response.text().await.unwrap();
    assert!(page.contains("Our service covers Gloucestershire."), "values kept");
    assert!(
        page.contains(r#"aria-describedby="role_what_we_expect-error" aria-invalid="true""#),
        "the message is tied to its field"
    );
    let mut bad_number = fields.clone();
    bad_number[0] = ("checks.dbs_renewal_years", "0");
    bad_number[6] = ("role.what_we_expect", "Commitment.");
    let response = browser.post_form("/admin/settings", &bad_number).await;
    assert_eq!(response.status(), 422, "out-of-range number refused");
    assert!(response.text().await.unwrap().contains("Enter a whole number from 1 to 10."));
    fields[6] = ("role.what_we_expect", "Commitment.");
    let response = browser.post_form("/admin/settings", &fields).await;
    assert_eq!(response.status(), 303);
    let years =
        convene::settings::service::number(&app.db, &convene::settings::service::DBS_RENEWAL_YEARS).await.unwrap();
    assert_eq!(years, 2, "the renewal period setting is saved");
    assert_eq!(app.audit_count("settings.changed").await, 1, "the change is in the audit log");
    let (_, page) = app.browser().open("/volunteer").await;
    assert!(page.contains("Our service covers Gloucestershire."));
}

#[tokio::test]
async fn rejecting_an_offer_frees_its_place_and_an_accepted_applicant_who_withdraws_leaves() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 1).await;
    let first = submit_direct(&app, setup.intake_id, "first@example.org").await;
    let second = submit_direct(&app, setup.intake_id, "second@example.org").await;
    for id in [first, second] {
        to_interview(&app, &setup.token, id).await;
        decide(&app, &setup.token, id, json!({"decision": "offer"})).await;
    }
    assert_eq!(status_of(&app, second).await, ApplicationStatus::Waitlisted);
    let response =
        decide(&app, &setup.token, first, json!({"decision": "reject", "reason": "References did not come back."}))
            .await;
    assert_eq!(response.status(), 200);
    let row = intake::Entity::find_by_id(setup.intake_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.places_taken, 0, "the rejected offer's place is free again");
    assert_eq!(decide(&app, &setup.token, second, json!({"decision": "offer"})).await.status(), 200);
    assert_eq!(decide(&app, &setup.token, second, json!({"decision": "accept"})).await.status(), 200);
    let volunteer_id =
        application::Entity::find_by_id(second).one(&app.db).await.unwrap().unwrap().volunteer_id.unwrap();

    // A coordinator records that the accepted applicant has withdrawn.
    assert_eq!(decide(&app, &setup.token, second, json!({"decision": "withdraw"})).await.status(), 200);
    let record = volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(record.status, entity::volunteer::VolunteerStatus::Left);
    let account = entity::user::Entity::find_by_id(record.user_id).one(&app.db).await.unwrap().unwrap();
    assert!(account.disabled_at.is_some(), "the account cannot be used");
    let invitation =
        outbox_for(&app, "second@example.org").await.into_iter().find(|m| m.kind == "account.invitation").unwrap();
    let start = invitation.text_body.find("/invitations/").unwrap();
    let path: String = invitation.text_body[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    assert_eq!(app.browser().open(&path).await.0, 404, "the password link is revoked");
    let row = intake::Entity::find_by_id(setup.intake_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.places_taken, 0);
}

#[tokio::test]
async fn an_interview_needs_a_date_time_and_place() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let id = submit_direct(&app, setup.intake_id, "ana@example.org").await;
    decide(&app, &setup.token, id, json!({"decision": "shortlist"})).await;
    let response = decide(&app, &setup.token, id, json!({"decision": "interview", "interview_date": "soon"})).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    for field in ["interview_date", "interview_time", "interview_place"] {
        assert!(error["error"]["fields"][field].is_string(), "{field}: {error}");
    }
    let response = decide(
        &app,
        &setup.token,
        id,
        json!({"decision": "interview", "interview_date": "2027-03-28", "interview_time": "01:30", "interview_place": "Office"}),
    )
    .await;
    assert_eq!(response.status(), 422, "01:30 on the day the clocks go forward does not exist");
    assert_eq!(status_of(&app, id).await, ApplicationStatus::Shortlisted);
}
