//! Calendar feeds over HTTP, read back by two independent parsers (Python's icalendar 7.x
//! and ical.js, installed by .ci/test-tools): personal feeds by secret token, the public
//! training feed, ETag and 304, SEQUENCE, cancellation, rotation, escaping and folding.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use entity::conference::ConferenceStatus;
use entity::conference_facilitator::{FacilitatorRole, Response};
use entity::user::Role;
use entity::volunteer::FacilitationLevel;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};
use crate::scenario::{a_tuesday, book, facilitator, prison, ready_case};

fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/calendar")
}

/// Runs one checker on the feed and returns its JSON, failing with its output.
fn run_checker(program: &Path, script: &str, feed: &Path) -> Value {
    let output = Command::new(program)
        .arg(script)
        .arg(feed)
        .current_dir(tools_dir())
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e} (run .ci/test-tools first)", program.display()));
    assert!(
        output.status.success(),
        "{script} rejected the feed:\n{}\n{}\n--- feed ---\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(feed).unwrap_or_default()
    );
    serde_json::from_slice(&output.stdout).expect("checker prints JSON")
}

/// The feed as Python's icalendar and ical.js read it: `(python, ical_js)`.
pub(crate) async fn parsed(feed: &str) -> (Value, Value) {
    let dir = tools_dir();
    assert!(
        dir.join("node_modules/ical.js").exists() && dir.join(".venv/bin/python").exists(),
        "the calendar checks need tests/calendar/node_modules and tests/calendar/.venv: run .ci/test-tools first"
    );
    let file = tempfile::Builder::new().suffix(".ics").tempfile().expect("temp file");
    std::fs::write(file.path(), feed).expect("write feed");
    let path = file.path().to_owned();
    let (python, js) = tokio::task::spawn_blocking(move || {
        let python = run_checker(&dir.join(".venv/bin/python"), "check.py", &path);
        let js = run_checker(Path::new("node"), "check.mjs", &path);
        (python, js)
    })
    .await
    .expect("checkers");
    drop(file);
    (python, js)
}

pub(crate) fn events(parsed: &Value) -> &Vec<Value> {
    parsed["events"].as_array().expect("events")
}

pub(crate) fn event<'a>(parsed: &'a Value, uid: &str) -> &'a Value {
    events(parsed).iter().find(|e| e["uid"] == uid).unwrap_or_else(|| panic!("no event {uid} in {parsed}"))
}

/// A new secret feed path for `user` through the API.
pub(crate) async fn feed_path(app: &TestApp, user: &TestUser) -> String {
    let token = app.token_for(user).await;
    let response =
        reqwest::Client::new().post(app.url("/api/v1/me/calendar-token")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let url = body["url"].as_str().expect("url");
    let webcal = body["webcal_url"].as_str().expect("webcal_url");
    let path = url.strip_prefix("http://127.0.0.1").expect("feed under the base URL").to_owned();
    assert_eq!(webcal, format!("webcal://127.0.0.1{path}"));
    assert!(path.starts_with("/calendar/") && path.ends_with(".ics"), "{path}");
    // 32 random bytes, base64url.
    assert_eq!(path.len(), "/calendar/".len() + 43 + ".ics".len(), "{path}");
    path
}

async fn get_feed(app: &TestApp, path: &str) -> reqwest::Response {
    reqwest::Client::new().get(app.url(path)).send().await.unwrap()
}

pub(crate) async fn feed_text(app: &TestApp, path: &str) -> String {
    let response = get_feed(app, path).await;
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(response.headers()["content-type"], "text/calendar; charset=utf-8");
    response.text().await.unwrap()
}

fn london(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    chrono_tz::Europe::London
        .from_local_datetime(&date.and_hms_opt(hour, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// A volunteer account and its volunteer record id.
pub(crate) async fn volunteer(app: &TestApp) -> (TestUser, i64) {
    let user = app.create_user(Role::Volunteer).await;
    let record = convene::volunteers::service::for_user(&app.db, user.id).await.unwrap().unwrap();
    (user, record.id)
}

/// A case at a new establishment called `place`, with named parties and an offence.
async fn case_at(app: &TestApp, token: &str, place: &str) -> (i64, i64, String) {
    let establishment = crate::checks::establishment(app, place, true).await;
    let case: Value = app.api(token).post("/api/v1/cases", &json!({"source": "probation", "offence_category": "aggravated burglary", "establishment_id": establishment, "notes": "Secret note about Harry"})).await
        .json()
        .await
        .unwrap();
    let id = case["id"].as_i64().expect("case id");
    for (role, name) in [("harmer", "Harry Harmer"), ("harmed", "Hannah Harmed")] {
        app.api(token)
            .post(&format!("/api/v1/cases/{id}/parties"), &json!({"role": role, "name": name, "consent": "given"}))
            .await;
    }
    (id, establishment, case["reference"].as_str().expect("reference").to_owned())
}

/// A confirmed two-hour conference starting at `start`, written straight to the database
/// (far-off dates the booking rules would not allow from today).
async fn conference(app: &TestApp, case: (i64, i64), start: DateTime<Utc>, lead: i64, co: i64) -> String {
    let now = crate::helpers::now();
    let uid = entity::calendar_uid::new();
    let booked = entity::conference::ActiveModel {
        case_id: Set(case.0),
        establishment_id: Set(case.1),
        starts_at: Set(start),
        ends_at: Set(start + Duration::hours(2)),
        status: Set(ConferenceStatus::Confirmed),
        uid: Set(uid.clone()),
        sequence: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    for (volunteer_id, role) in [(lead, FacilitatorRole::Lead), (co, FacilitatorRole::Co)] {
        entity::conference_facilitator::ActiveModel {
            conference_id: Set(booked.id),
            volunteer_id: Set(volunteer_id),
            role: Set(role),
            response: Set(Response::Accepted),
            responded_at: Set(Some(now)),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    uid
}

/// A course with one session, the volunteer enrolled on it; returns the session's UID.
pub(crate) async fn training(app: &TestApp, token: &str, volunteer: i64, venue: &str, date: NaiveDate) -> String {
    let course: Value = app
        .api(token)
        .post("/api/v1/courses", &json!({"name": "Core training, autumn", "kind": "core"}))
        .await
        .json()
        .await
        .unwrap();
    let course_id = course["id"].as_i64().unwrap();
    let response = app
        .api(token)
        .post(
            &format!("/api/v1/courses/{course_id}/sessions"),
            &json!({"number": 1, "date": date.to_string(), "starts_at": "09:30", "ends_at": "16:30", "venue": venue}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let session: Value = response.json().await.unwrap();
    convene::training::service::enrol(&app.db, course_id, volunteer).await.unwrap();
    let row = entity::course_session::Entity::find_by_id(session["id"].as_i64().unwrap()).one(&app.db).await.unwrap();
    row.unwrap().uid
}

#[tokio::test]
async fn feeds_are_read_alike_by_icalendar_and_ical_js_for_volunteers_and_coordinators() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let (lead_user, lead) = volunteer(&app).await;
    let (co_user, co) = volunteer(&app).await;
    let (idle_user, _) = volunteer(&app).await;

    let (case_id, place, reference) = case_at(&app, &token, "HMP Example").await;
    let june =
        conference(&app, (case_id, place), london(NaiveDate::from_ymd_opt(2027, 6, 15).unwrap(), 18), lead, co).await;
    let january =
        conference(&app, (case_id, place), london(NaiveDate::from_ymd_opt(2028, 1, 11).unwrap(), 18), lead, co).await;
    let session =
        training(&app, &token, lead, "Gloucester Guildhall", NaiveDate::from_ymd_opt(2027, 3, 2).unwrap()).await;
    let response = app.api(&token).post(&format!("/api/v1/volunteers/{lead}/supervision"), &json!({"held_on": crate::helpers::today().to_string(), "notes": "Confidential: struggling with Harry's case"})).await;
    assert_eq!(response.status(), 201);
    // A volunteer with nothing booked (before the group meeting every volunteer is invited to): a valid, empty calendar (still with its VTIMEZONE).
    let feed = feed_text(&app, &feed_path(&app, &idle_user).await).await;
    assert!(feed.contains("BEGIN:VTIMEZONE"));
    let (python, js) = parsed(&feed).await;
    assert!(events(&python).is_empty() && events(&js).is_empty());

    let meeting = convene::supervision::service::create_meeting(
        &app.db,
        &convene::supervision::service::MeetingInput {
            held_on: (crate::helpers::now().date_naive() + Duration::days(20)).to_string(),
            starts_at: "18:00".into(),
            ends_at: "20:00".into(),
            topic: "Hannah Harmed's case".into(),
            case_discussion: "Very confidential".into(),
        },
    )
    .await
    .unwrap();

    // The lead: two conferences, the training session, supervision (all day) and the meeting.
    let feed = feed_text(&app, &feed_path(&app, &lead_user).await).await;
    for secret in ["Harry", "Hannah", "burglary", "Confidential", "struggling", "lead@", "Test volunteer"] {
        assert!(!feed.contains(secret), "the feed leaks {secret:?}:\n{feed}");
    }
    assert!(feed.contains("PRODID:-//Convene//Convene//EN\r\n") && feed.contains("X-PUBLISHED-TTL:PT1H\r\n"));
    assert!(feed.contains("DTSTART;VALUE=DATE:"), "supervision is an all-day DATE value");
    let (python, js) = parsed(&feed).await;
    for reader in [&python, &js] {
        assert_eq!(events(reader).len(), 5, "{reader}");
        assert_eq!(reader["name"], "Convene — my calendar");
        let summer = event(reader, &june);
        assert_eq!(summer["summary"], format!("Restorative conference ({reference}) — HMP Example"));
        assert_eq!(summer["start_utc"], "2027-06-15T17:00:00Z", "18:00 BST is 17:00Z");
        assert_eq!(summer["status"], "CONFIRMED");
        assert!(summer["description"].as_str().unwrap().contains("You are the lead facilitator."));
        assert_eq!(event(reader, &january)["start_utc"], "2028-01-11T18:00:00Z", "18:00 GMT is 18:00Z");
        assert_eq!(event(reader, &session)["start_utc"], "2027-03-02T09:30:00Z");
        assert_eq!(event(reader, &session)["location"], "Gloucester Guildhall");
        assert_eq!(event(reader, &meeting.uid)["summary"], "Volunteer meeting");
        assert!(events(reader).iter().any(|e| e["summary"] == "One-to-one supervision" && e["start_date"].is_string()));
    }

    // The co-facilitator sees their own role.
    let feed = feed_text(&app, &feed_path(&app, &co_user).await).await;
    let (python, js) = parsed(&feed).await;
    for reader in [&python, &js] {
        assert!(event(reader, &june)["description"].as_str().unwrap().contains("You are the co-facilitator."));
        assert!(events(reader).iter().all(|e| e["summary"] != "One-to-one supervision"), "not their supervision");
    }

    // The coordinator: every conference and training session, no supervision or meetings.
    let feed = feed_text(&app, &feed_path(&app, &coordinator).await).await;
    let (python, js) = parsed(&feed).await;
    for reader in [&python, &js] {
        assert_eq!(events(reader).len(), 3, "{reader}");
        assert_eq!(event(reader, &june)["start_utc"], "2027-06-15T17:00:00Z");
        assert_eq!(event(reader, &january)["start_utc"], "2028-01-11T18:00:00Z");
        event(reader, &session);
    }
    assert!(!feed.contains("Harry") && !feed.contains("burglary"));
}

#[tokio::test]
async fn the_public_feed_lists_open_training_and_parses() {
    let app = TestApp::spawn().await;
    let recruiting = crate::recruitment::open_intake(&app, 3).await;
    let soon = crate::helpers::today() + Duration::days(40);
    let response = app.api(&recruiting.token).post(&format!("/api/v1/courses/{}/sessions", recruiting.course_id), &json!({"number": 4, "date": soon.to_string(), "starts_at": "18:00", "ends_at": "19:30", "venue": "Information evening, Gloucester Library"})).await;
    assert_eq!(response.status(), 201);
    // A course with no open intake stays out of the public feed.
    let (_, someone) = volunteer(&app).await;
    training(&app, &recruiting.token, someone, "Private venue", soon).await;

    let response = get_feed(&app, "/calendar/training.ics").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "public, max-age=3600");
    let feed = response.text().await.unwrap();
    let (python, js) = parsed(&feed).await;
    for reader in [&python, &js] {
        let listed = events(reader);
        assert_eq!(listed.len(), 1, "only future sessions of open intakes: {reader}");
        assert_eq!(listed[0]["location"], "Information evening, Gloucester Library");
    }
}

#[tokio::test]
async fn unchanged_data_gives_identical_bytes_and_a_304_with_the_same_etag() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let (user, lead) = volunteer(&app).await;
    let (_, co) = volunteer(&app).await;
    let case = case_at(&app, &token, "HMP Example").await;
    conference(&app, (case.0, case.1), london(NaiveDate::from_ymd_opt(2027, 6, 15).unwrap(), 18), lead, co).await;
    let path = feed_path(&app, &user).await;

    let first = get_feed(&app, &path).await;
    assert_eq!(first.headers()["cache-control"], "private, max-age=3600");
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"') && !etag.starts_with("W/"), "a strong ETag: {etag}");
    let first = first.bytes().await.unwrap();
    let second = get_feed(&app, &path).await;
    assert_eq!(second.headers()["etag"], etag.as_str());
    assert_eq!(second.bytes().await.unwrap(), first, "byte-identical");

    let client = reqwest::Client::new();
    for presented in [etag.clone(), format!("\"other\", {etag}"), format!("W/{etag}")] {
        let cached = client.get(app.url(&path)).header("if-none-match", presented).send().await.unwrap();
        assert_eq!(cached.status(), 304);
        assert_eq!(cached.headers()["etag"], etag.as_str());
        assert_eq!(cached.headers()["cache-control"], "private, max-age=3600");
        assert!(cached.bytes().await.unwrap().is_empty());
    }
    let stale = client.get(app.url(&path)).header("if-none-match", "\"stale\"").send().await.unwrap();
    assert_eq!(stale.status(), 200);

    // A new event changes both the bytes and the ETag.
    conference(&app, (case.0, case.1), london(NaiveDate::from_ymd_opt(2027, 7, 6).unwrap(), 10), lead, co).await;
    let changed = client.get(app.url(&path)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"], etag.as_str());
    assert_ne!(changed.bytes().await.unwrap(), first);
}

/// A booked conference through the API; returns its id, UID and the lead's feed path.
async fn booked(app: &TestApp) -> (String, i64, String, String) {
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let prison = prison(app, &token).await;
    let lead = facilitator(app, prison, FacilitationLevel::Lead).await;
    let co = facilitator(app, prison, FacilitationLevel::CoFacilitator).await;
    let case = ready_case(app, &token, prison).await;
    let response = book(app, &token, case, &format!("{}T10:00", a_tuesday()), lead, co).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let body: Value = response.json().await.unwrap();
    let id = body["id"].as_i64().or_else(|| body["conference"]["id"].as_i64()).expect("conference id");
    let row = entity::conference::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    let lead_user = entity::volunteer::Entity::find_by_id(lead).one(&app.db).await.unwrap().unwrap().user_id;
    let account = entity::user::Entity::find_by_id(lead_user).one(&app.db).await.unwrap().unwrap();
    let path = feed_path(app, &TestUser { id: account.id, email: account.email }).await;
    (token, id, row.uid, path)
}

async fn patch_conference(app: &TestApp, token: &str, id: i64, body: Value) {
    let response = app.api(token).patch(&format!("/api/v1/conferences/{id}"), &body).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn rescheduling_bumps_sequence_and_keeps_the_uid() {
    let app = TestApp::spawn().await;
    let (token, id, uid, path) = booked(&app).await;
    let (before, _) = parsed(&feed_text(&app, &path).await).await;
    let was = event(&before, &uid).clone();
    assert_eq!(was["status"], "TENTATIVE", "asked, not yet accepted");
    let sequence = was["sequence"].as_i64().unwrap();

    let later = a_tuesday() + Duration::days(1);
    patch_conference(&app, &token, id, json!({"start": format!("{later}T14:00")})).await;
    let feed = feed_text(&app, &path).await;
    let (python, js) = parsed(&feed).await;
    for reader in [&python, &js] {
        let now = event(reader, &uid);
        assert_eq!(now["sequence"].as_i64().unwrap(), sequence + 1, "{reader}");
        assert_ne!(now["start_utc"], was["start_utc"]);
        assert_eq!(now["start_utc"], london(later, 14).format("%Y-%m-%dT%H:%M:%SZ").to_string());
    }
}

#[tokio::test]
async fn a_cancelled_conference_stays_thirty_days_as_cancelled_then_goes() {
    let app = TestApp::spawn().await;
    let (token, id, uid, path) = booked(&app).await;
    patch_conference(&app, &token, id, json!({"status": "cancelled"})).await;
    let feed = feed_text(&app, &path).await;
    let (python, js) = parsed(&feed).await;
    for reader in [&python, &js] {
        assert_eq!(event(reader, &uid)["status"], "CANCELLED");
    }
    let etag = get_feed(&app, &path).await.headers()["etag"].to_str().unwrap().to_owned();

    let cancelled_at = |days: i64| entity::conference::ActiveModel {
        id: Set(id),
        cancelled_at: Set(Some(crate::helpers::now() - Duration::days(days))),
        ..Default::default()
    };
    cancelled_at(29).update(&app.db).await.unwrap();
    assert!(feed_text(&app, &path).await.contains(&format!("UID:{uid}\r\n")), "still there after 29 days");
    cancelled_at(31).update(&app.db).await.unwrap();
    let response = reqwest::Client::new().get(app.url(&path)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(response.status(), 200, "dropping the event changes the ETag");
    let feed = response.text().await.unwrap();
    assert!(!feed.contains(&uid), "gone after 30 days:\n{feed}");
}

#[tokio::test]
async fn rotating_the_token_retires_the_old_link_at_once() {
    let app = TestApp::spawn().await;
    let (user, _) = volunteer(&app).await;
    let mut browser = app.signed_in(&user).await;
    let (status, dashboard) = browser.open("/").await;
    assert_eq!(status, 200);
    assert!(dashboard.contains("webcal://127.0.0.1/calendar/training.ics"), "public subscribe link");
    assert!(dashboard.contains("http://127.0.0.1/calendar/training.ics"));
    assert!(dashboard.contains("Google Calendar") && dashboard.contains("Outlook") && dashboard.contains("Apple"));
    assert!(dashboard.contains("Get your private calendar link"));

    let (status, profile) = browser.open("/me").await;
    assert_eq!(status, 200);
    assert!(profile.contains("no private calendar link yet"));
    let response = browser.post_form("/me/calendar-token", &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let page = response.text().await.unwrap();
    let first = link_in(&page);
    assert!(page.contains(&format!("webcal://127.0.0.1{first}")), "webcal link on the page");
    assert_eq!(get_feed(&app, &first).await.status(), 200);
    let stored = entity::calendar_token::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!first.contains(&stored[0].token_hash) && stored[0].token_hash.len() == 64, "stored hashed");

    browser.open("/me").await;
    let second = link_in(&browser.post_form("/me/calendar-token", &[]).await.text().await.unwrap());
    assert_ne!(first, second);
    let old = get_feed(&app, &first).await;
    assert_eq!(old.status(), 404, "the old link is dead at once");
    assert_eq!(old.headers()["content-type"], "application/json");
    assert_eq!(get_feed(&app, &second).await.status(), 200);
    assert_eq!(app.audit_count("calendar.token_rotated").await, 2);

    // The API rotates too, and the page's link stops.
    let third = feed_path(&app, &user).await;
    assert_eq!(get_feed(&app, &second).await.status(), 404);
    assert_eq!(get_feed(&app, &third).await.status(), 200);
    // Without credentials the API refuses.
    let anonymous = reqwest::Client::new().post(app.url("/api/v1/me/calendar-token")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

fn link_in(page: &str) -> String {
    let start = page.find("http://127.0.0.1/calendar/").expect("a feed link on the page") + "http://127.0.0.1".len();
    let end = start + page[start..].find(".ics").expect(".ics") + ".ics".len();
    let path = page[start..end].to_owned();
    assert_ne!(path, "/calendar/training.ics", "the personal link comes first");
    path
}

#[tokio::test]
async fn unknown_and_malformed_tokens_are_not_found() {
    let app = TestApp::spawn().await;
    let (user, _) = volunteer(&app).await;
    feed_path(&app, &user).await;
    let unknown = format!("/calendar/{}.ics", "A".repeat(43));
    for path in [unknown.as_str(), "/calendar/abc.ics", "/calendar/nothing", "/calendar/%2e%2e.ics"] {
        let response = get_feed(&app, path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(crate::helpers::error_code(response).await, "not_found", "{path}");
    }
}

#[tokio::test]
async fn awkward_text_is_escaped_and_folded_and_read_back_exactly() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let (user, volunteer_id) = volunteer(&app).await;
    let venue = "Ysbyty Ystwyth, Llanfair-ym-Muallt; Tŷ Hywel\\ — Neuadd 🙂 Ŵyn";
    let uid = training(&app, &token, volunteer_id, venue, NaiveDate::from_ymd_opt(2027, 9, 7).unwrap()).await;
    // A newline can only come from the database; the feed must still carry it escaped.
    let session = entity::course_session::Entity::find().all(&app.db).await.unwrap().remove(0);
    let multiline = format!("{venue}\nSecond floor, room 2; ring \\ knock");
    entity::course_session::ActiveModel { id: Set(session.id), venue: Set(multiline.clone()), ..Default::default() }
        .update(&app.db)
        .await
        .unwrap();

    let feed = feed_text(&app, &feed_path(&app, &user).await).await;
    assert!(feed.ends_with("\r\n"));
    assert_eq!(feed.matches('\n').count(), feed.matches("\r\n").count(), "CRLF only");
    let lines: Vec<&str> = feed.split("\r\n").collect();
    for pair in lines.windows(2) {
        assert!(pair[0].len() <= 75, "{} octets: {:?}", pair[0].len(), pair[0]);
        if pair[1].starts_with(' ') {
            let trailing = pair[0].bytes().rev().take_while(|b| *b == b'\\').count();
            assert_eq!(trailing % 2, 0, "an escape split across lines at {:?}", pair[0]);
        }
    }
    let unfolded = feed.replace("\r\n ", "");
    assert!(
        unfolded.contains(
            "\r\nLOCATION:Ysbyty Ystwyth\\, Llanfair-ym-Muallt\\; Tŷ Hywel\\\\ — Neuadd 🙂 Ŵyn\\nSecond floor\\, room 2\\; ring \\\\ knock\r\n"
        ),
        "{unfolded}"
    );
    let (python, js) = parsed(&feed).await;
    for reader in [&python, &js] {
        assert_eq!(event(reader, &uid)["location"], multiline.as_str(), "{reader}");
    }
}

#[tokio::test]
async fn the_migration_gives_existing_rows_distinct_random_uids() {
    use migration::MigratorTrait;
    use sea_orm::ConnectionTrait;
    let (url, _dir) = crate::helpers::fresh_database().await;
    let db = convene::db::connect(&url).await.unwrap();
    let before_calendar = migration::Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261202_000007_calendar")
        .expect("the calendar migration") as u32;
    migration::Migrator::up(&db, Some(before_calendar)).await.unwrap();
    let backend = db.get_database_backend();
    let now = if backend == sea_orm::DbBackend::Postgres { "now()" } else { "'2026-12-01 10:00:00+00:00'" };
    for sql in [
        format!("INSERT INTO courses (name, kind, created_at, updated_at) VALUES ('Core', 'core', {now}, {now})"),
        format!(
            "INSERT INTO course_sessions (course_id, number, date, starts_at, ends_at, venue, created_at, updated_at) VALUES (1, 1, '2027-03-02', '09:30:00', '16:30:00', 'Hall', {now}, {now})"
        ),
        format!(
            "INSERT INTO course_sessions (course_id, number, date, starts_at, ends_at, venue, created_at, updated_at) VALUES (1, 2, '2027-03-09', '09:30:00', '16:30:00', 'Hall', {now}, {now})"
        ),
        format!(
            "INSERT INTO volunteer_meetings (held_on, starts_at, ends_at, topic, case_discussion, created_at) VALUES ('2027-03-10', '18:00:00', '20:00:00', 'T', '', {now})"
        ),
    ] {
        db.execute_unprepared(&sql).await.unwrap();
    }
    migration::Migrator::up(&db, None).await.unwrap();
    let sessions = entity::course_session::Entity::find().all(&db).await.unwrap();
    let meetings = entity::volunteer_meeting::Entity::find().all(&db).await.unwrap();
    let mut uids: Vec<&str> =
        sessions.iter().map(|s| s.uid.as_str()).chain(meetings.iter().map(|m| m.uid.as_str())).collect();
    assert_eq!(uids.len(), 3);
    assert!(uids.iter().all(|u| u.len() == 32 + "@convene".len() && u.ends_with("@convene")), "{uids:?}");
    uids.sort_unstable();
    uids.dedup();
    assert_eq!(uids.len(), 3, "distinct");
    assert!(sessions.iter().all(|s| s.sequence == 0));
    assert_eq!(meetings[0].updated_at, meetings[0].created_at, "last change backfilled from creation");
}
