//! The conference from booking to follow-up in the pages: a coordinator moves and cancels a
//! conference from its page, the allocated pair settles the agreed actions on the case page
//! (values kept and a message per field when a date is wrong), and the completion report
//! (page and API) carries dates and counts, never names or narrative.

use chrono::Duration;
use entity::conference::{self, ConferenceStatus};
use entity::user::Role;
use entity::volunteer::FacilitationLevel;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};
use crate::scenario::{a_tuesday, book, facilitator, token_of};

async fn user_of(app: &TestApp, volunteer_id: i64) -> TestUser {
    let record = entity::volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.unwrap().unwrap();
    let account = entity::user::Entity::find_by_id(record.user_id).one(&app.db).await.unwrap().unwrap();
    TestUser { id: account.id, email: account.email }
}

#[tokio::test]
async fn a_conference_is_moved_cancelled_held_settled_and_reported_through_the_pages() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().ready_case().build().await;
    let [lead, co] = world.facilitators();
    let (case, coordinator, token, prison) = (world.case(), world.coordinator, world.token, world.prison);
    let day = a_tuesday();
    let response = book(&app, &token, case, &format!("{day}T10:00"), lead, co).await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let before = conference::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();

    // The coordinator moves it to one of the offered times for the same pair.
    let mut browser = app.signed_in(&coordinator).await;
    let (status, page) = browser.open(&format!("/conferences/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Change this conference") && page.contains("Cancel this conference"), "{page}");
    let document = scraper::Html::parse_document(&page);
    let offered = scraper::Selector::parse(r#"form[action$="/reschedule"] input[name="start"]"#).unwrap();
    let starts: Vec<String> =
        document.select(&offered).filter_map(|i| i.value().attr("value").map(str::to_owned)).collect();
    assert!(!starts.is_empty(), "slots for the same pair are offered");
    let moved = browser.post_form(&format!("/conferences/{id}/reschedule"), &[("start", &starts[0])]).await;
    assert_eq!(moved.status(), 303);
    let after = conference::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(convene::scheduling::instance::local(after.starts_at), starts[0]);
    assert!(after.sequence > before.sequence && after.uid == before.uid);
    // A time that breaks a rule is refused with the reason, nothing changed.
    let refused =
        browser.post_form(&format!("/conferences/{id}/reschedule"), &[("start", &format!("{day}T06:00"))]).await;
    assert_eq!(refused.status(), 303);
    let (_, page) = browser.open(&format!("/conferences/{id}")).await;
    assert!(page.contains("cannot be booked"), "the refusal is shown: {page}");
    assert_eq!(conference::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().starts_at, after.starts_at);
    // A facilitator sees no such controls, and cannot post them.
    let mut lead_browser = app.signed_in(&user_of(&app, lead).await).await;
    let (_, page) = lead_browser.open(&format!("/conferences/{id}")).await;
    assert!(!page.contains("Cancel this conference"));
    assert_eq!(lead_browser.post_form(&format!("/conferences/{id}/cancel"), &[]).await.status(), 404);
    // Cancelled from the page: the case is ready to book again.
    assert_eq!(browser.post_form(&format!("/conferences/{id}/cancel"), &[]).await.status(), 303);
    let cancelled = conference::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(cancelled.status, ConferenceStatus::Cancelled);
    let case_row = entity::case::Entity::find_by_id(case).one(&app.db).await.unwrap().unwrap();
    assert_eq!(case_row.status, entity::case::CaseStatus::Ready);

    // Booked again with the allocated pair, held, and an outcome with two actions.
    let response = app
        .api(&token)
        .post(
            &format!("/api/v1/cases/{case}/conferences"),
            &json!({"start": format!("{}T10:00", day + Duration::days(7))}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for who in [lead, co] {
        let accepted = app
            .api(&token_of(&app, who).await)
            .post(&format!("/api/v1/conferences/{id}/response"), &json!({"response": "accept"}))
            .await;
        assert_eq!(accepted.status(), 200);
    }
    let started = crate::helpers::now() - Duration::days(3);
    conference::ActiveModel {
        id: Set(id),
        starts_at: Set(started),
        ends_at: Set(started + Duration::hours(2)),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .unwrap();
    // The lead records the outcome on the conference page; a half-filled action row comes back.
    let (_, page) = lead_browser.open(&format!("/conferences/{id}")).await;
    assert!(page.contains("Record the outcome"), "{page}");
    let due = crate::helpers::today().to_string();
    let outcome = format!("/conferences/{id}/outcome");
    let half = lead_browser
        .post_form(
            &outcome,
            &[
                ("held", "yes"),
                ("notes", "Hannah spoke about the burglary"),
                ("action_1_description", "Letter of apology"),
            ],
        )
        .await;
    assert_eq!(half.status(), 422);
    let text = half.text().await.unwrap();
    assert!(
        text.contains("Each action needs a description, an owner and a due date") && text.contains("Letter of apology")
    );
    let not_said = lead_browser.post_form(&outcome, &[("notes", "x")]).await;
    assert_eq!(not_said.status(), 422);
    let held = lead_browser
        .post_form(
            &outcome,
            &[
                ("held", "yes"),
                ("notes", "Hannah spoke about the burglary"),
                ("action_1_description", "Letter of apology"),
                ("action_1_owner", "harmer"),
                ("action_1_due", &due),
                ("action_3_description", "Replant the roses"),
                ("action_3_owner", "harmer"),
                ("action_3_due", &due),
            ],
        )
        .await;
    assert_eq!(held.status(), 303);
    let row = conference::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.status, ConferenceStatus::Held);
    let (_, page) = lead_browser.open(&format!("/conferences/{id}")).await;
    assert!(!page.contains("Record the outcome"), "recorded once");
    let mut actions: Vec<i64> = entity::outcome_action::Entity::find()
        .filter(entity::outcome_action::Column::ConferenceId.eq(id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    actions.sort_unstable();

    // The co-facilitator settles both actions on the case page.
    let mut co_browser = app.signed_in(&user_of(&app, co).await).await;
    let path = format!("/cases/{case}");
    let (_, page) = co_browser.open(&path).await;
    assert!(page.contains(&format!(r#"action="/cases/{case}/actions/{}""#, actions[0])), "{page}");
    let future = (crate::helpers::today() + Duration::days(2)).to_string();
    let on_field = format!("on-{}", actions[0]);
    let note_field = format!("note-{}", actions[0]);
    let wrong = co_browser
        .post_form(
            &format!("/cases/{case}/actions/{}", actions[0]),
            &[("settle", "completed"), (&on_field, &future), (&note_field, "Letter received")],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let text = wrong.text().await.unwrap();
    assert!(text.contains("not in the future") && text.contains("Letter received") && text.contains(&future), "kept");
    // Someone not allocated to the case cannot settle its actions.
    let stranger = facilitator(&app, prison, FacilitationLevel::Lead).await;
    let refused = app
        .api(&token_of(&app, stranger).await)
        .post(&format!("/api/v1/outcome-actions/{}/completion", actions[0]), &json!({"completed": true}))
        .await;
    assert_eq!(refused.status(), 404);
    let yesterday = (crate::helpers::today() - Duration::days(1)).to_string();
    for (action, settle) in [(actions[0], "completed"), (actions[1], "not_completed")] {
        let on = format!("on-{action}");
        let note = format!("note-{action}");
        let done = co_browser
            .post_form(
                &format!("/cases/{case}/actions/{action}"),
                &[("settle", settle), (&on, &yesterday), (&note, "")],
            )
            .await;
        assert_eq!(done.status(), 303);
    }
    let case_row = entity::case::Entity::find_by_id(case).one(&app.db).await.unwrap().unwrap();
    assert_eq!(case_row.status, entity::case::CaseStatus::FollowUp);

    // The report: dates and counts only, for the pair and coordinators; 404 for others.
    let (status, page) = co_browser.open(&format!("/cases/{case}/report")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&case_row.reference) && page.contains("2 agreed: 1 completed, 1 not completed, 0 open"),
        "{page}"
    );
    for secret in ["Harry", "Hannah", "apology", "roses"] {
        assert!(!page.contains(secret), "{secret} in the report: {page}");
    }
    let report: Value = app.api(&token).get(&format!("/api/v1/cases/{case}/report")).await.json().await.unwrap();
    assert_eq!(report["outcome"], "held");
    assert_eq!(report["actions_agreed"], 2);
    assert_eq!(report["actions_completed"], 1);
    assert_eq!(
        report["follow_up_on"],
        crate::helpers::today().to_string(),
        "settling the last action completes follow-up"
    );
    assert_eq!(
        report["conference_on"],
        crate::helpers::today().checked_sub_days(chrono::Days::new(3)).unwrap().to_string()
    );
    assert!(!report.to_string().contains("Hannah"));
    let outsider = app.create_user(Role::Volunteer).await;
    let response = app.api(&app.token_for(&outsider).await).get(&format!("/api/v1/cases/{case}/report")).await;
    assert_eq!(response.status(), 404);
}
