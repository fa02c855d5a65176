//! Booking conferences: every hard rule checked in the transaction, and no facilitator
//! double-booked even under 50 concurrent requests.

use chrono::Duration;
use entity::user::Role;
use entity::volunteer::{self, FacilitationLevel};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::scenario::{a_tuesday, book, facilitator, prison, ready_case, token_of};

#[tokio::test]
async fn a_ready_case_is_booked_and_every_hard_rule_is_checked() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().co().ready_case().build().await;
    let [lead, co, other_co] = world.facilitators();
    let (case, token, prison) = (world.case(), world.token, world.prison);
    let day = a_tuesday();

    let response = book(&app, &token, case, &format!("{day}T08:00"), lead, co).await;
    assert_eq!(response.status(), 409, "before the regime window opens");
    let response = book(&app, &token, case, &format!("{day}T16:00"), lead, co).await;
    assert_eq!(response.status(), 409, "a 120-minute conference cannot end after 17:00");
    let response = book(&app, &token, case, &format!("{day}T10:00"), co, lead).await;
    assert_eq!(response.status(), 409, "the first facilitator must be a lead");
    let response = book(&app, &token, case, &format!("{day}T10:00"), lead, lead).await;
    assert_eq!(response.status(), 422);
    let saturday = day + Duration::days(4);
    assert_eq!(
        book(&app, &token, case, &format!("{saturday}T10:00"), lead, co).await.status(),
        409,
        "closed at weekends"
    );

    let response = book(&app, &token, case, &format!("{day}T10:00"), lead, co).await;
    assert_eq!(response.status(), 201);
    let conference: Value = response.json().await.unwrap();
    assert_eq!(conference["status"], "proposed");
    assert_eq!(conference["facilitators"][0]["role"], "lead");
    assert_eq!(conference["facilitators"][1]["response"], "asked");
    let case_row = entity::case::Entity::find_by_id(case).one(&app.db).await.unwrap().unwrap();
    assert_eq!(case_row.status, entity::case::CaseStatus::Booked);

    let asked = entity::outbox_message::Entity::find()
        .filter(entity::outbox_message::Column::Kind.eq("conference.asked"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(asked.len(), 2, "both facilitators are asked");
    for mail in &asked {
        assert!(mail.subject.contains(&case_row.reference) && mail.text_body.contains("HMP Gloucester"));
        for secret in ["Harry Harmer", "Hannah Harmed", "burglary"] {
            assert!(!mail.text_body.contains(secret) && !mail.html_body.contains(secret), "no {secret} in email");
        }
    }

    // The lead is now taken until 12:00, plus an hour's travel buffer.
    let second_case = ready_case(&app, &token, prison).await;
    let response = book(&app, &token, second_case, &format!("{day}T12:30"), lead, other_co).await;
    assert_eq!(response.status(), 409, "inside the travel buffer");
    assert_eq!(
        book(&app, &token, case, &format!("{day}T14:00"), lead, co).await.status(),
        409,
        "the case is already booked"
    );
    // One room: the prison is busy 10:00–12:00 whoever facilitates.
    let third_lead = facilitator(&app, prison, FacilitationLevel::Lead).await;
    let response = book(&app, &token, second_case, &format!("{day}T11:00"), third_lead, other_co).await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains("room"));
    assert_eq!(
        book(&app, &token, second_case, &format!("{day}T14:00"), lead, other_co).await.status(),
        201,
        "after the buffer"
    );
}

#[tokio::test]
async fn fifty_concurrent_bookings_for_one_facilitator_make_exactly_one_conference() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let prison = prison(&app, &token).await;
    entity::establishment::ActiveModel { id: Set(prison), rooms: Set(50), ..Default::default() }
        .update(&app.db)
        .await
        .unwrap();
    let lead = facilitator(&app, prison, FacilitationLevel::Lead).await;
    let day = a_tuesday();
    let mut requests = Vec::new();
    for n in 0..50 {
        let co = facilitator(&app, prison, FacilitationLevel::CoFacilitator).await;
        let case = ready_case(&app, &token, prison).await;
        // Overlapping slots 09:00 to 11:15, all with the same lead.
        let start = format!("{day}T{:02}:{:02}", 9 + (n % 10) / 4, (n % 4) * 15);
        requests.push((case, start, co));
    }
    let attempts = requests.iter().map(|(case, start, co)| book(&app, &token, *case, start, lead, *co));
    let statuses: Vec<u16> =
        futures_util::future::join_all(attempts).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 49, "{statuses:?}");
    let held = entity::conference_facilitator::Entity::find()
        .filter(entity::conference_facilitator::Column::VolunteerId.eq(lead))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(held, 1);
}

#[tokio::test]
async fn candidates_are_ranked_with_scores_and_everyone_else_is_ruled_out_with_a_reason() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().co().build().await;
    let [lead, co, unvetted] = world.facilitators();
    let (token, prison) = (world.token, world.prison);
    entity::prison_vetting::Entity::delete_many()
        .filter(entity::prison_vetting::Column::VolunteerId.eq(unvetted))
        .exec(&app.db)
        .await
        .unwrap();
    let lapsed = facilitator(&app, prison, FacilitationLevel::Lead).await;
    let yesterday = crate::helpers::today() - Duration::days(1);
    entity::prison_vetting::Entity::update_many()
        .col_expr(entity::prison_vetting::Column::ExpiresOn, sea_orm::sea_query::Expr::value(yesterday))
        .filter(entity::prison_vetting::Column::VolunteerId.eq(lapsed))
        .exec(&app.db)
        .await
        .unwrap();
    let trainee = app.create_user(Role::Volunteer).await;
    let case = ready_case(&app, &token, prison).await;

    let response = app.api(&token).get(&format!("/api/v1/cases/{case}/candidates?limit=5")).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let candidates = body["candidates"].as_array().unwrap();
    // One pair can facilitate: its options are three, each on a different day.
    assert_eq!(candidates.len(), 3, "{candidates:?}");
    let days: std::collections::HashSet<&str> =
        candidates.iter().map(|c| &c["start"].as_str().unwrap()[..10]).collect();
    assert_eq!(days.len(), 3, "one option a day for the pair: {candidates:?}");
    let first = &candidates[0];
    assert_eq!(first["lead"]["volunteer_id"], lead);
    assert_eq!(first["second"]["volunteer_id"], co);
    let total = first["score"]["total"].as_i64().unwrap();
    let parts: i64 = ["base", "continuity", "days_to_deadline", "travel", "recent"]
        .iter()
        .map(|k| first["score"][k].as_i64().unwrap())
        .sum();
    assert_eq!(total, parts, "the breakdown adds up");
    let scores: Vec<i64> = candidates.iter().map(|c| c["score"]["total"].as_i64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "ranked: {scores:?}");

    let ruled_out = body["ruled_out"].as_array().unwrap();
    let reason_for =
        |id: i64| ruled_out.iter().find(|r| r["volunteer_id"] == id).map(|r| r["reason"].as_str().unwrap().to_owned());
    // In a coordinator's words: the establishment by name, dates as people write them.
    assert_eq!(reason_for(unvetted).as_deref(), Some("not vetted at HMP Gloucester"), "{ruled_out:?}");
    let expected = format!(
        "prison vetting at HMP Gloucester expires {}, before {}",
        yesterday.format("%-d %b %Y"),
        (yesterday + Duration::days(1)).format("%-d %b %Y")
    );
    assert_eq!(reason_for(lapsed), Some(expected), "{ruled_out:?}");
    let trainee_record = convene::volunteers::service::for_user(&app.db, trainee.id).await.unwrap().unwrap();
    assert_eq!(reason_for(trainee_record.id).as_deref(), Some("has not started core training"), "the stage, in words");

    // The first candidate books.
    let response = book(&app, &token, case, first["start"].as_str().unwrap(), lead, co).await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn volunteers_keep_their_own_availability_and_it_rules_bookings() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().build().await;
    let [lead, co] = world.facilitators();
    let (token, prison) = (world.token, world.prison);
    let lead_record = volunteer::Entity::find_by_id(lead).one(&app.db).await.unwrap().unwrap();
    let own_token = convene::auth::service::create_api_token(&app.db, lead_record.user_id).await.unwrap();
    let stranger = app.create_user(Role::Volunteer).await;
    let stranger_token = app.token_for(&stranger).await;
    let client = reqwest::Client::new();
    let url = app.url(&format!("/api/v1/volunteers/{lead}/availability"));

    let response = client
        .put(&url)
        .bearer_auth(&own_token)
        .json(&json!({"windows": [{"days": ["tue", "wed"], "start": "09:00", "end": "13:00"}], "max_conferences_per_month": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let saved: Value = client.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(saved["windows"][0]["days"], json!(["tue", "wed"]));
    assert_eq!(saved["max_conferences_per_month"], 2);
    assert_eq!(client.get(&url).bearer_auth(&stranger_token).send().await.unwrap().status(), 404);
    let response = client
        .put(&url)
        .bearer_auth(&own_token)
        .json(
            &json!({"windows": [{"days": ["tue"], "start": "13:00", "end": "09:00"}], "max_conferences_per_month": 2}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);

    let day = a_tuesday();
    let case = ready_case(&app, &token, prison).await;
    assert_eq!(
        book(&app, &token, case, &format!("{day}T12:00"), lead, co).await.status(),
        409,
        "outside the lead's hours (until 13:00)"
    );

    let response = app.api(&own_token).post(&format!("/api/v1/volunteers/{lead}/unavailability"), &json!({"from": format!("{day}T00:00"), "to": format!("{}T00:00", day + Duration::days(1)), "reason": "Dentist"})).await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        book(&app, &token, case, &format!("{day}T10:00"), lead, co).await.status(),
        409,
        "marked unavailable that day"
    );
    let wednesday = day + Duration::days(1);
    let response = app
        .api(&token)
        .post(&format!("/api/v1/volunteers/{co}/conflicts"), &json!({"case_id": case, "note": "Knows the family"}))
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        book(&app, &token, case, &format!("{wednesday}T10:00"), lead, co).await.status(),
        409,
        "declared conflict"
    );
    let other_co = facilitator(&app, prison, FacilitationLevel::CoFacilitator).await;
    assert_eq!(book(&app, &token, case, &format!("{wednesday}T10:00"), lead, other_co).await.status(), 201);
}

#[tokio::test]
async fn facilitators_answer_a_decline_reopens_the_search_and_the_lead_records_the_outcome() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().co().build().await;
    let [lead, co, other_co] = world.facilitators();
    let (token, prison) = (world.token, world.prison);
    let (lead_token, co_token, other_token) =
        (token_of(&app, lead).await, token_of(&app, co).await, token_of(&app, other_co).await);
    let case = ready_case(&app, &token, prison).await;
    let day = a_tuesday();
    let client = reqwest::Client::new();
    let answer = |id: i64, who: &str, response: &str| {
        client
            .post(app.url(&format!("/api/v1/conferences/{id}/response")))
            .bearer_auth(who.to_owned())
            .json(&json!({"response": response}))
            .send()
    };

    // The co-facilitator declines: the conference is cancelled and the case is ready again.
    let first: Value = book(&app, &token, case, &format!("{day}T10:00"), lead, co).await.json().await.unwrap();
    let first_id = first["id"].as_i64().unwrap();
    assert_eq!(app.api(&other_token).get(&format!("/api/v1/conferences/{first_id}")).await.status(), 404);
    assert_eq!(answer(first_id, &other_token, "accept").await.unwrap().status(), 404, "only the asked answer");
    let declined: Value = answer(first_id, &co_token, "decline").await.unwrap().json().await.unwrap();
    assert_eq!(declined["status"], "cancelled");
    let case_row = entity::case::Entity::find_by_id(case).one(&app.db).await.unwrap().unwrap();
    assert_eq!(case_row.status, entity::case::CaseStatus::Ready);
    let search: Value = app.api(&token).get(&format!("/api/v1/cases/{case}/candidates")).await.json().await.unwrap();
    let best = &search["candidates"][0];
    assert_eq!(best["lead"]["volunteer_id"], lead, "the lead is kept");
    assert_eq!(best["score"]["continuity"], 40, "continuity rewards keeping them");

    // Booked again with the other co-facilitator; both accept: confirmed.
    let second: Value = book(&app, &token, case, &format!("{day}T10:00"), lead, other_co).await.json().await.unwrap();
    let id = second["id"].as_i64().unwrap();
    assert_eq!(answer(id, &lead_token, "accept").await.unwrap().status(), 200);
    let confirmed: Value = answer(id, &other_token, "accept").await.unwrap().json().await.unwrap();
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(answer(id, &other_token, "decline").await.unwrap().status(), 409, "already answered");

    // Rescheduled: every rule is checked again, and the calendar sequence moves on.
    let before = entity::conference::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    let url = app.url(&format!("/api/v1/conferences/{id}"));
    let response =
        client.patch(&url).bearer_auth(&token).json(&json!({"start": format!("{day}T07:00")})).send().await.unwrap();
    assert_eq!(response.status(), 409, "before the regime opens");
    let moved: Value = client
        .patch(&url)
        .bearer_auth(&token)
        .json(&json!({"start": format!("{day}T13:00")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(moved["starts_at"].as_str().unwrap().contains("T1"), "{moved}");
    let after = entity::conference::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert!(after.sequence > before.sequence);
    assert_eq!(after.uid, before.uid, "the calendar identity is stable");

    // The outcome: the co-facilitator may not record it, the lead may, once it has started.
    let outcome_url = app.url(&format!("/api/v1/conferences/{id}/outcome"));
    let body = json!({"held": true, "notes": "Agreement reached", "actions": [{"description": "Letter of apology", "owner": "harmer", "due_on": (day + Duration::days(30)).to_string()}]});
    assert_eq!(client.put(&outcome_url).bearer_auth(&lead_token).json(&body).send().await.unwrap().status(), 409);
    let started = crate::helpers::now() - Duration::hours(3);
    entity::conference::ActiveModel {
        id: Set(id),
        starts_at: Set(started),
        ends_at: Set(started + Duration::hours(2)),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .unwrap();
    assert_eq!(client.put(&outcome_url).bearer_auth(&other_token).json(&body).send().await.unwrap().status(), 403);
    let held: Value =
        client.put(&outcome_url).bearer_auth(&lead_token).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(held["status"], "held");
    let case_row = entity::case::Entity::find_by_id(case).one(&app.db).await.unwrap().unwrap();
    assert_eq!(case_row.status, entity::case::CaseStatus::Held);
    assert_eq!(entity::outcome_action::Entity::find().count(&app.db).await.unwrap(), 1);

    // Follow-up: the case cannot close while the action is open; settling it moves the case on.
    let close = json!({"status": "closed"});
    let case_url = app.url(&format!("/api/v1/cases/{case}"));
    let to_follow_up = json!({"status": "follow_up"});
    assert_eq!(client.patch(&case_url).bearer_auth(&token).json(&to_follow_up).send().await.unwrap().status(), 200);
    assert_eq!(client.patch(&case_url).bearer_auth(&token).json(&close).send().await.unwrap().status(), 409);
    let action = entity::outcome_action::Entity::find().one(&app.db).await.unwrap().unwrap();
    let settle = app.url(&format!("/api/v1/outcome-actions/{}/completion", action.id));
    let tomorrow = (crate::helpers::today() + Duration::days(1)).to_string();
    let future = json!({"completed": true, "on": tomorrow});
    let refused = client.post(&settle).bearer_auth(&lead_token).json(&future).send().await.unwrap();
    assert_eq!(refused.status(), 422, "not in the future");
    assert_eq!(
        client.post(&settle).bearer_auth(&co_token).json(&json!({"completed": true})).send().await.unwrap().status(),
        404,
        "the decliner is not on it"
    );
    let done = json!({"completed": true, "note": "Letter passed on"});
    let settled: Value =
        client.post(&settle).bearer_auth(&lead_token).json(&done).send().await.unwrap().json().await.unwrap();
    assert_eq!(settled["completed_on"], crate::helpers::today().to_string(), "{settled}");
    assert_eq!(settled["note"], "Letter passed on");
    assert_eq!(
        client.post(&settle).bearer_auth(&token).json(&done).send().await.unwrap().status(),
        409,
        "settled once"
    );
    assert_eq!(client.patch(&case_url).bearer_auth(&token).json(&close).send().await.unwrap().status(), 200);
    assert_eq!(convene::commitment::service::held_as_co_facilitator(&app.db, other_co).await.unwrap(), 1);
    assert_eq!(
        convene::commitment::service::held_as_co_facilitator(&app.db, co).await.unwrap(),
        0,
        "the decliner held nothing"
    );
}
