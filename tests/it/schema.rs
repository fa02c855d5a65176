//! The migrations produce every column the entities read, on this database.

use sea_orm::EntityTrait;

use crate::helpers::TestApp;

#[tokio::test]
async fn every_entity_reads_from_the_migrated_schema() {
    let app = TestApp::spawn().await;
    entity::user::Entity::find().all(&app.db).await.unwrap();
    entity::session::Entity::find().all(&app.db).await.unwrap();
    entity::api_token::Entity::find().all(&app.db).await.unwrap();
    entity::audit_log::Entity::find().all(&app.db).await.unwrap();
    entity::volunteer::Entity::find().all(&app.db).await.unwrap();
    entity::establishment::Entity::find().all(&app.db).await.unwrap();
    entity::dbs_check::Entity::find().all(&app.db).await.unwrap();
    entity::prison_vetting::Entity::find().all(&app.db).await.unwrap();
}

#[tokio::test]
async fn expense_entities_read_from_the_migrated_schema() {
    let app = TestApp::spawn().await;
    entity::expense_claim::Entity::find().all(&app.db).await.unwrap();
    entity::expense_item::Entity::find().all(&app.db).await.unwrap();
    entity::expense_receipt::Entity::find().all(&app.db).await.unwrap();
    entity::idempotency_key::Entity::find().all(&app.db).await.unwrap();
}

#[tokio::test]
async fn recruitment_record_and_case_entities_read_from_the_migrated_schema() {
    let app = TestApp::spawn().await;
    macro_rules! reads {
        ($($entity:ident),* $(,)?) => { $( entity::$entity::Entity::find().all(&app.db).await.unwrap(); )* };
    }
    reads!(
        setting,
        course,
        course_session,
        enrolment,
        intake,
        application,
        application_note,
        equality_monitoring,
        password_invitation,
        outbox_message,
        attendance,
        supervision_session,
        volunteer_meeting,
        meeting_attendance,
        regime_window,
        closure,
        availability_window,
        unavailability,
        case_counter,
        case,
        party,
        party_availability,
        appointment,
        assessment,
        conflict_of_interest,
        case_contact,
        conference,
        conference_facilitator,
        outcome_action,
    );
}
