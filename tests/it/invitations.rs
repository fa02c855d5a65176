//! Calendar updates that calendar apps act on: every email about a booked conference carries
//! its invitation (METHOD:REQUEST with the conference's SEQUENCE, or METHOD:CANCEL), from the
//! service's address as ORGANIZER to the facilitator as ATTENDEE, read back from what the SMTP
//! server received by Python's icalendar and ical.js, as a calendar app would.

use convene::notifications::worker::Worker;
use entity::user::Role;
use mail_parser::MimeHeaders;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::reminders::mailer;
use crate::scenario::{a_tuesday, book, token_of};
use crate::smtp_sink::SmtpSink;

/// The service's address in the test settings (`Convene <convene@example.org>`).
const ORGANIZER: &str = "mailto:convene@example.org";

/// One delivered invitation as a calendar app sees it.
#[derive(Debug)]
struct Received {
    to: String,
    content_type_method: String,
    python: Value,
    ical_js: Value,
}

/// Delivers the outbox to `sink` and reads each new message's .ics attachment.
async fn deliver(app: &TestApp, sink: &SmtpSink, seen: &mut usize) -> Vec<Received> {
    let worker = Worker::new(app.db.clone(), mailer(sink));
    worker.run_once(crate::helpers::now()).await.expect("deliver");
    let messages = sink.messages();
    let mut out = Vec::new();
    for message in &messages[*seen..] {
        let email = mail_parser::MessageParser::default().parse(&message.data).expect("email");
        let to = email.to().and_then(|a| a.first()).and_then(|a| a.address()).expect("to").to_owned();
        assert_eq!(email.attachment_count(), 1, "every conference email to {to} carries its invitation");
        let part = email.attachment(0).expect("attachment");
        assert_eq!(part.attachment_name(), Some("conference.ics"));
        let method = part.content_type().and_then(|c| c.attribute("method")).expect("method=").to_owned();
        let text = part.text_contents().expect("text").to_owned();
        for secret in ["Harry", "Hannah", "burglary"] {
            assert!(!text.contains(secret), "{secret} in the invitation");
        }
        let (python, ical_js) = crate::calendar::parsed(&text).await;
        out.push(Received { to, content_type_method: method, python, ical_js });
    }
    *seen = messages.len();
    out
}

/// The one event of an invitation, checked to be the same in both parsers; returns
/// (METHOD, SEQUENCE, STATUS, start in UTC).
fn read(received: &Received, uid: &str, attendee: &str) -> (String, i64, String, String) {
    let mut seen = Vec::new();
    for parsed in [&received.python, &received.ical_js] {
        let events = parsed["events"].as_array().expect("events");
        assert_eq!(events.len(), 1, "one event: {parsed}");
        let event = &events[0];
        assert_eq!(event["uid"], uid, "the conference's own UID, so the app updates its event");
        assert_eq!(event["organizer"], ORGANIZER, "ORGANIZER is the service's address");
        let attendees = event["attendees"].as_array().expect("attendees");
        assert_eq!(attendees.len(), 1);
        assert_eq!(attendees[0]["address"], format!("mailto:{attendee}"), "ATTENDEE is the facilitator");
        seen.push((
            parsed["method"].as_str().expect("METHOD").to_owned(),
            event["sequence"].as_i64().expect("SEQUENCE"),
            event["status"].as_str().expect("STATUS").to_owned(),
            event["start_utc"].as_str().expect("a timed start").to_owned(),
        ));
    }
    assert_eq!(seen[0], seen[1], "Python icalendar and ical.js agree");
    assert_eq!(seen[0].0, received.content_type_method, "the MIME method= matches METHOD");
    seen.remove(0)
}

#[tokio::test]
async fn a_moved_conference_sends_a_request_with_a_higher_sequence_and_a_cancelled_one_a_cancel() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let world = app.scenario().prison().lead().co().ready_case().build().await;
    let [lead, co] = world.facilitators();
    let (case, token) = (world.case(), world.token);
    let day = a_tuesday();
    let booked: Value = book(&app, &token, case, &format!("{day}T10:00"), lead, co).await.json().await.expect("json");
    let id = booked["id"].as_i64().expect("id");
    let uid = entity::conference::Entity::find_by_id(id).one(&app.db).await.expect("q").expect("row").uid;
    let mut emails = std::collections::HashMap::new();
    for who in [lead, co] {
        let record = entity::volunteer::Entity::find_by_id(who).one(&app.db).await.expect("q").expect("volunteer");
        let account = entity::user::Entity::find_by_id(record.user_id).one(&app.db).await.expect("q").expect("user");
        emails.insert(who, account.email);
    }
    let mut seen = 0;
    let at = |hour| crate::reminders::london(day, hour, 0).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    // Each step: what both facilitators' calendars are told, as (METHOD, SEQUENCE, STATUS, start).
    let mut step = async |expected: (&str, i64, &str, String)| {
        let received = deliver(&app, &sink, &mut seen).await;
        assert_eq!(received.len(), 2, "one email per facilitator for {expected:?}");
        for who in [lead, co] {
            let mine = received.iter().find(|r| r.to == emails[&who]).expect("an email to each facilitator");
            let (method, sequence, status, start) = read(mine, &uid, &emails[&who]);
            assert_eq!((method.as_str(), sequence, status.as_str(), start), expected.clone());
        }
    };

    step(("REQUEST", 0, "TENTATIVE", at(10))).await;
    let client = reqwest::Client::new();
    for who in [lead, co] {
        let answer = app
            .api(&token_of(&app, who).await)
            .post(&format!("/api/v1/conferences/{id}/response"), &json!({"response": "accept"}))
            .await;
        assert_eq!(answer.status(), 200);
    }
    step(("REQUEST", 1, "CONFIRMED", at(10))).await;

    let url = app.url(&format!("/api/v1/conferences/{id}"));
    let moved = client.patch(&url).bearer_auth(&token).json(&json!({"start": format!("{day}T14:00")})).send().await;
    assert_eq!(moved.expect("patch").status(), 200);
    step(("REQUEST", 2, "CONFIRMED", at(14))).await;

    let cancelled = client.patch(&url).bearer_auth(&token).json(&json!({"status": "cancelled"})).send().await;
    assert_eq!(cancelled.expect("patch").status(), 200);
    step(("CANCEL", 3, "CANCELLED", at(14))).await;
}

/// The volunteer's feed as both parsers read it: the event with `uid`, or `None` when the
/// feed no longer shows it. Fails when the parsers disagree.
async fn in_feed(app: &TestApp, path: &str, uid: &str) -> Option<Value> {
    let feed = crate::calendar::feed_text(app, path).await;
    let (python, ical_js) = crate::calendar::parsed(&feed).await;
    let find = |parsed: &Value| crate::calendar::events(parsed).iter().find(|e| e["uid"] == uid).cloned();
    let (a, b) = (find(&python), find(&ical_js));
    for field in ["sequence", "status", "start_utc", "start_date", "location"] {
        assert_eq!(a.as_ref().map(|e| e[field].clone()), b.as_ref().map(|e| e[field].clone()), "{field} differs");
    }
    a
}

#[tokio::test]
async fn training_sessions_meetings_and_supervision_move_and_cancel_in_the_feed() {
    use chrono::{Duration, NaiveDate};
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let (volunteer_user, volunteer) = crate::calendar::volunteer(&app).await;
    let today = crate::helpers::today();
    let day = today + Duration::days(21);
    let session_uid = crate::calendar::training(&app, &token, volunteer, "Guildhall", day).await;
    let session = entity::course_session::Entity::find()
        .filter(entity::course_session::Column::Uid.eq(&session_uid))
        .one(&app.db)
        .await
        .expect("q")
        .expect("session");
    let meeting = convene::supervision::service::create_meeting(
        &app.db,
        &convene::supervision::service::MeetingInput {
            held_on: day.to_string(),
            starts_at: "18:00".into(),
            ends_at: "20:00".into(),
            topic: "Peer support".into(),
            case_discussion: String::new(),
        },
    )
    .await
    .expect("meeting");
    let supervised = app
        .api(&token)
        .post(
            &format!("/api/v1/volunteers/{volunteer}/supervision"),
            &json!({"held_on": today.to_string(), "notes": ""}),
        )
        .await;
    assert_eq!(supervised.status(), 201);
    let supervision: Value = supervised.json().await.expect("json");
    let supervision_id = supervision["id"].as_i64().expect("id");
    let supervision_uid = entity::supervision_session::Entity::find_by_id(supervision_id)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row")
        .uid;
    let feed = crate::calendar::feed_path(&app, &volunteer_user).await;
    let utc =
        |date: NaiveDate, hour: u32| crate::reminders::london(date, hour, 0).format("%Y-%m-%dT%H:%M:%SZ").to_string();

    let first = in_feed(&app, &feed, &session_uid).await.expect("the session is in the feed");
    assert_eq!((first["sequence"].as_i64(), first["status"].as_str()), (Some(0), Some("CONFIRMED")));

    let mut browser = app.signed_in(&coordinator).await;
    // A bad form keeps what was typed and says what is wrong, changing nothing.
    browser.open(&format!("/sessions/{}", session.id)).await;
    let refused = browser
        .post_form(
            &format!("/sessions/{}", session.id),
            &[("date", &day.to_string()), ("starts_at", "15:00"), ("ends_at", "11:00"), ("venue", "Town Hall")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("page");
    assert!(page.contains("The end must be after the start.") && page.contains("value=\"Town Hall\""), "{page}");
    assert_eq!(in_feed(&app, &feed, &session_uid).await.expect("still there")["sequence"], 0);

    // Moved: a day later, at another venue.
    let later = day + Duration::days(1);
    let moved = browser
        .post_form(
            &format!("/sessions/{}", session.id),
            &[("date", &later.to_string()), ("starts_at", "10:00"), ("ends_at", "15:00"), ("venue", "Town Hall")],
        )
        .await;
    assert_eq!(moved.status(), 303);
    let event = in_feed(&app, &feed, &session_uid).await.expect("moved, still there");
    assert_eq!((event["sequence"].as_i64(), event["status"].as_str()), (Some(1), Some("CONFIRMED")));
    assert_eq!(
        (event["start_utc"].as_str(), event["location"].as_str()),
        (Some(utc(later, 10).as_str()), Some("Town Hall"))
    );
    // Saving the same again is no change.
    browser.open(&format!("/sessions/{}", session.id)).await;
    let same = [
        ("date", later.to_string()),
        ("starts_at", "10:00".into()),
        ("ends_at", "15:00".into()),
        ("venue", "Town Hall".into()),
    ];
    let same: Vec<(&str, &str)> = same.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(browser.post_form(&format!("/sessions/{}", session.id), &same).await.status(), 303);
    assert_eq!(in_feed(&app, &feed, &session_uid).await.expect("there")["sequence"], 1);

    // Cancelled: shown as CANCELLED with a higher SEQUENCE, no longer reminded or registered.
    assert_eq!(browser.post_form(&format!("/sessions/{}/cancel", session.id), &[]).await.status(), 303);
    let event = in_feed(&app, &feed, &session_uid).await.expect("a cancelled session stays, as cancelled");
    assert_eq!((event["sequence"].as_i64(), event["status"].as_str()), (Some(2), Some("CANCELLED")));
    let (_, page) = browser.open(&format!("/sessions/{}", session.id)).await;
    assert!(page.contains("Cancelled") && !page.contains("Save register"), "{page}");
    let register = app
        .api(&token)
        .put(
            &format!("/api/v1/sessions/{}/attendance", session.id),
            &json!({"marks": [{"volunteer_id": volunteer, "mark": "present"}]}),
        )
        .await;
    assert_eq!(register.status(), 409, "no register for a cancelled session");
    assert_eq!(browser.post_form(&format!("/sessions/{}/cancel", session.id), &[]).await.status(), 303);
    assert_eq!(in_feed(&app, &feed, &session_uid).await.expect("there")["sequence"], 2, "cancelling twice is refused");
    // Its number is free again for the session that replaces it.
    let replacement = app.api(&token).post(&format!("/api/v1/courses/{}/sessions", session.course_id), &json!({"number": session.number, "date": later.to_string(), "starts_at": "09:30", "ends_at": "16:30", "venue": "Guildhall"})).await;
    assert_eq!(replacement.status(), 201);

    // The meeting moves to 19:00, then is cancelled.
    browser.open(&format!("/meetings/{}", meeting.id)).await;
    let fields = [
        ("held_on", day.to_string()),
        ("starts_at", "19:00".to_owned()),
        ("ends_at", "21:00".to_owned()),
        ("topic", "Peer support".to_owned()),
        ("case_discussion", String::new()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(browser.post_form(&format!("/meetings/{}", meeting.id), &fields).await.status(), 303);
    let event = in_feed(&app, &feed, &meeting.uid).await.expect("the meeting");
    assert_eq!((event["sequence"].as_i64(), event["start_utc"].as_str()), (Some(1), Some(utc(day, 19).as_str())));
    let home = app.signed_in(&volunteer_user).await;
    assert!(dashboard(&home).await.contains("Peer support"), "the meeting is on the volunteer's dashboard");
    assert_eq!(browser.post_form(&format!("/meetings/{}/cancel", meeting.id), &[]).await.status(), 303);
    assert!(!dashboard(&home).await.contains("Peer support"), "a cancelled meeting leaves the dashboard");
    let volunteer_id = volunteer.to_string();
    let attendance = [("volunteer_id", volunteer_id.as_str())];
    assert_eq!(browser.post_form(&format!("/meetings/{}/attendance", meeting.id), &attendance).await.status(), 303);
    let (_, attended) = convene::supervision::service::meeting(&app.db, meeting.id).await.expect("q").expect("meeting");
    assert!(attended.is_empty(), "a cancelled meeting takes no attendance");
    let event = in_feed(&app, &feed, &meeting.uid).await.expect("a cancelled meeting stays");
    assert_eq!((event["sequence"].as_i64(), event["status"].as_str()), (Some(2), Some("CANCELLED")));

    // Supervision: the date corrected, then withdrawn (and no longer counted as held).
    let yesterday = today - Duration::days(1);
    browser.open(&format!("/volunteers/{volunteer}")).await;
    let corrected = browser
        .post_form(
            &format!("/supervision/{supervision_id}"),
            &[("action", "date"), ("held_on", &yesterday.to_string())],
        )
        .await;
    assert_eq!(corrected.status(), 303);
    let event = in_feed(&app, &feed, &supervision_uid).await.expect("the supervision");
    assert_eq!(
        (event["sequence"].as_i64(), event["start_date"].as_str()),
        (Some(1), Some(yesterday.to_string().as_str()))
    );
    let withdrawn = browser.post_form(&format!("/supervision/{supervision_id}"), &[("action", "withdraw")]).await;
    assert_eq!(withdrawn.status(), 303);
    let event = in_feed(&app, &feed, &supervision_uid).await.expect("withdrawn, still shown");
    assert_eq!((event["sequence"].as_i64(), event["status"].as_str()), (Some(2), Some("CANCELLED")));
    assert!(convene::supervision::service::list(&app.db, volunteer).await.expect("list").is_empty(), "not counted");

    // Thirty days after the London day it was cancelled, each is gone from the feed.
    let long_ago = crate::helpers::now() - Duration::days(31);
    for table in ["course_sessions", "volunteer_meetings", "supervision_sessions"] {
        let backend = app.db.get_database_backend();
        let sql = format!("UPDATE {table} SET cancelled_at = $1 WHERE cancelled_at IS NOT NULL");
        let sql = if backend == sea_orm::DbBackend::Sqlite { sql.replace("$1", "?") } else { sql };
        app.db
            .execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, [long_ago.into()]))
            .await
            .expect("backdate");
    }
    for uid in [&session_uid, &meeting.uid, &supervision_uid] {
        assert!(in_feed(&app, &feed, uid).await.is_none(), "{uid} still shown after 30 days");
    }
}

/// The signed-in user's dashboard.
async fn dashboard(home: &crate::helpers::Browser) -> String {
    home.get("/").await.text().await.expect("dashboard")
}
