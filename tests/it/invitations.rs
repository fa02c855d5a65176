//! Calendar updates that calendar apps act on: every email about a booked conference carries
//! its invitation (METHOD:REQUEST with the conference's SEQUENCE, or METHOD:CANCEL), from the
//! service's address as ORGANIZER to the facilitator as ATTENDEE, read back from what the SMTP
//! server received by Python's icalendar and ical.js, as a calendar app would.

use convene::notifications::worker::Worker;
use entity::user::Role;
use entity::volunteer::FacilitationLevel;
use mail_parser::MimeHeaders;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::booking::{a_tuesday, book, facilitator, prison, ready_case, token_of};
use crate::helpers::TestApp;
use crate::reminders::mailer;
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
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let prison = prison(&app, &token).await;
    let lead = facilitator(&app, prison, FacilitationLevel::Lead).await;
    let co = facilitator(&app, prison, FacilitationLevel::CoFacilitator).await;
    let case = ready_case(&app, &token, prison).await;
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
        let answer = client
            .post(app.url(&format!("/api/v1/conferences/{id}/response")))
            .bearer_auth(token_of(&app, who).await)
            .json(&json!({"response": "accept"}))
            .send()
            .await
            .expect("answer");
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
