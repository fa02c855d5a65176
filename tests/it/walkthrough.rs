//! The demo walked through in headless Chromium (Debian's chromium, driven by
//! playwright-core, no JavaScript): the coordinator signs in, opens a ready case, sees its
//! candidates and books one with the demo volunteer; the volunteer signs in, accepts it,
//! sees it on the dashboard and in their calendar feed.

use entity::case::{self, CaseStatus};
use entity::conference::{self, ConferenceStatus};
use entity::conference_facilitator::{self, Response};
use entity::user::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{TestApp, browser_script};

const VOLUNTEER_NAME: &str = "Val Okafor";

#[tokio::test]
async fn the_demo_walked_through_in_a_browser_books_accepts_and_shows_the_conference_in_the_feed() {
    let app = TestApp::spawn().await;
    let logins = app.load_demo().await;
    let login = |role| logins.iter().find(|l| l.role == role).expect("a demo sign-in");
    let (coordinator, volunteer) = (login(Role::Coordinator), login(Role::Volunteer));

    let args = [
        app.url(""),
        coordinator.email.clone(),
        coordinator.password.clone(),
        volunteer.email.clone(),
        volunteer.password.clone(),
        VOLUNTEER_NAME.to_owned(),
    ];
    let result = browser_script("walkthrough.mjs", args.to_vec(), Vec::new()).await;
    let reference = result["reference"].as_str().unwrap();
    let feed = result["feed"].as_str().unwrap();

    // What the browser did is in the database: the case booked, the volunteer's answer.
    let booked =
        case::Entity::find().filter(case::Column::Reference.eq(reference)).one(&app.db).await.unwrap().unwrap();
    assert_eq!(booked.status, CaseStatus::Booked);
    let conference = conference::Entity::find()
        .filter(conference::Column::CaseId.eq(booked.id))
        .filter(conference::Column::Status.is_in([ConferenceStatus::Proposed, ConferenceStatus::Confirmed]))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the booked conference");
    let account = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(&volunteer.email))
        .one(&app.db)
        .await
        .unwrap();
    let val = convene::volunteers::service::for_user(&app.db, account.unwrap().id).await.unwrap().unwrap();
    let answer = conference_facilitator::Entity::find()
        .filter(conference_facilitator::Column::ConferenceId.eq(conference.id))
        .filter(conference_facilitator::Column::VolunteerId.eq(val.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the volunteer is on it");
    assert_eq!(answer.response, Response::Accepted);
    assert!(conference.starts_at > crate::helpers::now(), "candidates are all in the future");
    assert!(app.audit_count("case.viewed").await >= 1, "opening the case was audited");

    // The feed carries the conference by reference and place, and nothing about the parties.
    assert!(feed.contains(&conference.uid), "the conference's UID is in the feed");
    assert!(feed.contains(&format!("Restorative conference ({reference})")), "{feed}");
    let parties =
        entity::party::Entity::find().filter(entity::party::Column::CaseId.eq(booked.id)).all(&app.db).await.unwrap();
    assert!(!parties.is_empty());
    for party in parties {
        assert!(!feed.contains(&party.name), "a party's name in the feed");
    }
    assert!(!feed.contains(&booked.offence_category), "the offence in the feed");
}
