//! Safety first: whatever means a case may not go ahead stops its live bookings in the same
//! transaction — the conference is cancelled with a coded reason, both facilitators are told
//! once (no names), an answer to it is refused, and the feed shows it CANCELLED.

use chrono::Duration;
use entity::conference::{self, ConferenceStatus};
use entity::outbox_message;
use entity::user::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::scenario::{a_tuesday, book, token_of};

/// A booked conference: (app, coordinator's token, prison, case, conference, lead, co).
struct Booked {
    app: TestApp,
    token: String,
    prison: i64,
    case: i64,
    conference: i64,
    lead: i64,
    co: i64,
}

async fn booked() -> Booked {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().ready_case().build().await;
    let [lead, co] = world.facilitators();
    let (case, token, prison) = (world.case(), world.token, world.prison);
    let response = book(&app, &token, case, &format!("{}T10:00", a_tuesday()), lead, co).await;
    assert_eq!(response.status(), 201);
    let conference = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    Booked { app, token, prison, case, conference, lead, co }
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn answer(b: &Booked, who: i64, response: &str) -> u16 {
    client()
        .post(b.app.url(&format!("/api/v1/conferences/{}/response", b.conference)))
        .bearer_auth(token_of(&b.app, who).await)
        .json(&json!({"response": response}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn party_of(b: &Booked, role: &str) -> i64 {
    let parties: Value = client()
        .get(b.app.url(&format!("/api/v1/cases/{}/parties", b.case)))
        .bearer_auth(&b.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    parties["parties"].as_array().unwrap().iter().find(|p| p["role"] == role).unwrap()["id"].as_i64().unwrap()
}

async fn withdraw(b: &Booked, party: i64) -> u16 {
    client()
        .post(b.app.url(&format!("/api/v1/parties/{party}/consent")))
        .bearer_auth(&b.token)
        .json(&json!({"consent": "withdrawn"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The conference is cancelled for `reason`, with its sequence moved on; each facilitator has
/// exactly one cancellation email, naming nobody; answering is refused; the lead's feed shows
/// it CANCELLED with the new SEQUENCE.
async fn assert_stopped(b: &Booked, reason: &str, case_now: entity::case::CaseStatus) {
    let row = conference::Entity::find_by_id(b.conference).one(&b.app.db).await.unwrap().unwrap();
    assert_eq!(row.status, ConferenceStatus::Cancelled, "{reason}");
    assert_eq!(row.cancel_reason.as_deref(), Some(reason));
    assert!(row.sequence >= 1 && row.cancelled_at.is_some());
    let case = entity::case::Entity::find_by_id(b.case).one(&b.app.db).await.unwrap().unwrap();
    assert_eq!(case.status, case_now, "{reason}");

    let mails = outbox_message::Entity::find()
        .filter(outbox_message::Column::Kind.eq("conference.cancelled"))
        .all(&b.app.db)
        .await
        .unwrap();
    assert_eq!(mails.len(), 2, "one email to each facilitator: {reason}");
    for mail in &mails {
        let text = format!("{} {} {}", mail.subject, mail.text_body, mail.html_body);
        assert!(text.contains(&case.reference) && text.contains("HMP Gloucester"), "{text}");
        assert!(text.contains(convene::cases::guards::StopReason::parse(reason).unwrap().words()), "{text}");
        for secret in ["Harry", "Hannah", "burglary"] {
            assert!(!text.contains(secret), "{secret} in a facilitator's email: {text}");
        }
        // The invitation the calendar app acts on: a CANCEL of the same event.
        assert!(mail.attachment_content_type.as_deref().is_some_and(|c| c.contains("method=CANCEL")), "{mail:?}");
        let (python, _) = crate::calendar::parsed(mail.attachment_body.as_deref().expect("an .ics")).await;
        assert_eq!(python["method"], "CANCEL");
        let event = crate::calendar::event(&python, &row.uid);
        assert_eq!((&event["status"], &event["sequence"]), (&json!("CANCELLED"), &json!(row.sequence)), "{event}");
    }

    assert_eq!(answer(b, b.lead, "accept").await, 409, "answering a stopped conference");
    assert_eq!(answer(b, b.co, "decline").await, 409);

    let issued: Value = client()
        .post(b.app.url("/api/v1/me/calendar-token"))
        .bearer_auth(token_of(&b.app, b.lead).await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = issued["url"].as_str().unwrap().strip_prefix("http://127.0.0.1").unwrap().to_owned();
    let feed = crate::calendar::feed_text(&b.app, &path).await;
    let (python, _) = crate::calendar::parsed(&feed).await;
    let event = crate::calendar::event(&python, &row.uid);
    assert_eq!(event["status"], "CANCELLED", "{event}");
    assert_eq!(event["sequence"], row.sequence, "{event}");
}

#[tokio::test]
async fn a_withdrawn_consent_cancels_the_booked_conference() {
    let b = booked().await;
    assert_eq!(answer(&b, b.lead, "accept").await, 200);
    let harmed = party_of(&b, "harmed").await;
    assert_eq!(withdraw(&b, harmed).await, 200);
    assert_stopped(&b, "consent_withdrawn", entity::case::CaseStatus::Assessing).await;
    assert_eq!(withdraw(&b, harmed).await, 409, "withdrawn once");

    // The coordinator sees on the case page what happened and why.
    let coordinator = b.app.create_user(Role::Coordinator).await;
    let mut browser = b.app.signed_in(&coordinator).await;
    let (status, page) = browser.open(&format!("/cases/{}", b.case)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Cancelled by the service") && page.contains("a party has withdrawn consent"), "{page}");
}

#[tokio::test]
async fn a_not_suitable_assessment_cancels_the_confirmed_conference() {
    let b = booked().await;
    assert_eq!(answer(&b, b.lead, "accept").await, 200);
    assert_eq!(answer(&b, b.co, "accept").await, 200);
    let response = client()
        .post(b.app.url(&format!("/api/v1/cases/{}/assessments", b.case)))
        .bearer_auth(&b.token)
        .json(&{
            let mut form = crate::helpers::assessment_json("risk", "not_suitable");
            form["notes"] = json!("New information from probation");
            form
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_stopped(&b, "not_suitable", entity::case::CaseStatus::Assessing).await;
}

#[tokio::test]
async fn a_case_not_proceeding_cancels_its_conference() {
    let b = booked().await;
    let response = client()
        .patch(b.app.url(&format!("/api/v1/cases/{}", b.case)))
        .bearer_auth(&b.token)
        .json(&json!({"status": "not_proceeding", "not_proceeding_reason": "harmer released"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_stopped(&b, "not_proceeding", entity::case::CaseStatus::NotProceeding).await;
}

#[tokio::test]
async fn a_closure_on_the_day_cancels_the_conference_and_one_on_another_day_does_not() {
    let b = booked().await;
    let day = a_tuesday();
    let close = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
        client()
            .post(b.app.url(&format!("/api/v1/establishments/{}/closures", b.prison)))
            .bearer_auth(&b.token)
            .json(&json!({"from": from.to_string(), "to": to.to_string(), "reason": "lockdown"}))
            .send()
    };
    let other = close(day + Duration::days(1), day + Duration::days(2)).await.unwrap();
    assert_eq!(other.status(), 201);
    let row = conference::Entity::find_by_id(b.conference).one(&b.app.db).await.unwrap().unwrap();
    assert_eq!(row.status, ConferenceStatus::Proposed, "a closure on other days leaves it");
    assert_eq!(close(day - Duration::days(1), day).await.unwrap().status(), 201);
    assert_stopped(&b, "closure", entity::case::CaseStatus::Ready).await;
}

#[tokio::test]
async fn a_facilitators_vetting_withdrawn_cancels_the_conference() {
    let b = booked().await;
    let response = client()
        .post(b.app.url(&format!("/api/v1/volunteers/{}/checks", b.co)))
        .bearer_auth(&b.token)
        .json(&json!({"type": "prison_vetting", "establishment_id": b.prison, "level": "enhanced",
                      "status": "withdrawn"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    assert_stopped(&b, "clearance_lapsed", entity::case::CaseStatus::Ready).await;
}

#[tokio::test]
async fn twenty_concurrent_withdrawals_and_acceptances_end_cancelled() {
    let b = booked().await;
    let harmed = party_of(&b, "harmed").await;
    let (lead_token, co_token) = (token_of(&b.app, b.lead).await, token_of(&b.app, b.co).await);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let request = if i % 2 == 0 {
            client()
                .post(b.app.url(&format!("/api/v1/parties/{harmed}/consent")))
                .bearer_auth(&b.token)
                .json(&json!({"consent": "withdrawn"}))
        } else {
            client()
                .post(b.app.url(&format!("/api/v1/conferences/{}/response", b.conference)))
                .bearer_auth(if i % 4 == 1 { &lead_token } else { &co_token })
                .json(&json!({"response": "accept"}))
        };
        tasks.push(tokio::spawn(async move { (i % 2 == 0, request.send().await.unwrap().status().as_u16()) }));
    }
    let mut withdrawn = 0;
    for task in tasks {
        let (is_withdrawal, status) = task.await.unwrap();
        assert!(status == 200 || status == 409, "every request is answered, none fails: {status}");
        if is_withdrawal && status == 200 {
            withdrawn += 1;
        }
    }
    assert_eq!(withdrawn, 1, "consent is withdrawn once");
    assert_stopped(&b, "consent_withdrawn", entity::case::CaseStatus::Assessing).await;
}
