//! Scheduled reminders: due at 08:00 London (right on both clock-change days), queued once
//! however often the sweep runs, caught up after downtime, skipped for users who opted out,
//! delivered with List-Unsubscribe and both parts; attachments reach the SMTP server.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::London;
use convene::config::Settings;
use convene::jobs::{self, Sweep, reminders};
use convene::notifications::messages::Message;
use convene::notifications::outbox::{self, Attachment, Extras, Outgoing};
use convene::notifications::smtp::Mailer;
use convene::notifications::worker::Worker;
use entity::conference::ConferenceStatus;
use entity::conference_facilitator::{FacilitatorRole, Response};
use entity::outbox_message;
use entity::user::Role;
use mail_parser::MimeHeaders;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::smtp_sink::SmtpSink;

const BASE_URL: &str = "https://convene.example.org/";

fn settings() -> Settings {
    Settings {
        database_url: String::new(),
        bind: "127.0.0.1:0".parse().expect("address"),
        base_url: url::Url::parse(BASE_URL).expect("base url"),
        smtp_url: None,
        mail_from: "Convene <convene@example.org>".into(),
        files_dir: std::env::temp_dir(),
        metrics: Default::default(),
        trusted_proxies: Default::default(),
    }
}

pub(crate) fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("a UTC instant")
}

pub(crate) fn london(date: NaiveDate, h: u32, min: u32) -> DateTime<Utc> {
    London
        .from_local_datetime(&date.and_hms_opt(h, min, 0).expect("time"))
        .single()
        .expect("one London instant")
        .with_timezone(&Utc)
}

/// A volunteer's id and account email.
pub(crate) async fn volunteer(app: &TestApp) -> (i64, i64, String) {
    let user = app.create_user(Role::Volunteer).await;
    let record = convene::volunteers::service::for_user(&app.db, user.id).await.expect("query").expect("volunteer");
    (record.id, user.id, user.email)
}

/// A confirmed conference at 10:00 London on `date` with two accepted facilitators.
async fn conference(app: &TestApp, token: &str, date: NaiveDate, facilitators: [i64; 2]) -> i64 {
    let prison = crate::checks::establishment(app, &format!("HMP {date}"), true).await;
    let case: Value = crate::scenario::new_case(app, token, prison).await;
    let case_id = case["id"].as_i64().expect("case id");
    let starts = london(date, 10, 0);
    let now = crate::helpers::now();
    let booked = entity::conference::ActiveModel {
        case_id: Set(case_id),
        establishment_id: Set(prison),
        starts_at: Set(starts),
        ends_at: Set(starts + chrono::TimeDelta::hours(2)),
        status: Set(ConferenceStatus::Confirmed),
        uid: Set(format!("conference-{case_id}@convene.example.org")),
        sequence: Set(0),
        cancelled_at: Set(None),
        outcome_notes: Set(None),
        follow_up_done_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("conference");
    for (volunteer_id, role) in facilitators.into_iter().zip([FacilitatorRole::Lead, FacilitatorRole::Co]) {
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
        .expect("facilitator");
    }
    booked.id
}

async fn reminders_to(app: &TestApp, email: &str) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::ToEmail.eq(email))
        .filter(outbox_message::Column::Kind.eq(reminders::CONFERENCE_IN_TWO_DAYS))
        .all(&app.db)
        .await
        .expect("outbox")
}

pub(crate) async fn sweep(app: &TestApp, now: DateTime<Utc>) -> Sweep {
    jobs::sweep(&app.db, &settings(), now).await.expect("sweep")
}

fn conference_only(n: usize) -> Sweep {
    Sweep { conference_in_two_days: n, ..Sweep::default() }
}

#[tokio::test]
async fn conference_reminders_go_at_0800_london_on_both_clock_change_days_and_only_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let (lead, _, lead_email) = volunteer(&app).await;
    let (co, _, co_email) = volunteer(&app).await;

    // Clocks go forward on Sunday 28 March 2027: 08:00 London that day is 07:00 UTC.
    let spring = conference(&app, &token, NaiveDate::from_ymd_opt(2027, 3, 30).expect("date"), [lead, co]).await;
    assert_eq!(sweep(&app, utc(2027, 3, 27, 8, 0)).await, Sweep::default(), "three days before");
    assert_eq!(sweep(&app, utc(2027, 3, 28, 6, 59)).await, Sweep::default(), "07:59 London");
    assert_eq!(sweep(&app, utc(2027, 3, 28, 7, 0)).await, conference_only(2), "08:00 London = 07:00Z");
    assert_eq!(sweep(&app, utc(2027, 3, 28, 7, 1)).await, Sweep::default(), "swept again: nothing new");
    assert_eq!(sweep(&app, utc(2027, 3, 29, 7, 0)).await, Sweep::default(), "the next day: nothing new");
    for email in [&lead_email, &co_email] {
        let rows = reminders_to(&app, email).await;
        assert_eq!(rows.len(), 1, "{email}");
        assert!(rows[0].idempotency_key.starts_with(&format!("reminder.conference_2d:{spring}:0:")));
        assert!(rows[0].subject.contains("In two days"));
        assert!(!rows[0].text_body.contains("burglary"), "no offence details in a reminder");
        assert_eq!(rows[0].list_unsubscribe.as_deref(), Some("<https://convene.example.org/me/email-preferences>"));
    }

    // Clocks go back on Sunday 31 October 2027: 08:00 London that day is 08:00 UTC.
    conference(&app, &token, NaiveDate::from_ymd_opt(2027, 11, 2).expect("date"), [lead, co]).await;
    assert_eq!(sweep(&app, utc(2027, 10, 31, 7, 0)).await, Sweep::default(), "07:00 London is not yet");
    assert_eq!(sweep(&app, utc(2027, 10, 31, 7, 59)).await, Sweep::default(), "07:59 London");
    assert_eq!(sweep(&app, utc(2027, 10, 31, 8, 0)).await, conference_only(2), "08:00 London = 08:00Z");
    assert_eq!(sweep(&app, utc(2027, 10, 31, 8, 0)).await, Sweep::default(), "the same minute twice");
    assert_eq!(reminders_to(&app, &lead_email).await.len(), 2);
}

#[tokio::test]
async fn a_sweep_after_downtime_catches_up_and_a_past_conference_is_not_reminded() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let (lead, _, lead_email) = volunteer(&app).await;
    let (co, _, _) = volunteer(&app).await;
    conference(&app, &token, NaiveDate::from_ymd_opt(2027, 3, 30).expect("date"), [lead, co]).await;
    // Down from Saturday until Monday lunchtime: the Sunday 08:00 reminder still goes.
    assert_eq!(sweep(&app, utc(2027, 3, 29, 12, 30)).await, conference_only(2));
    assert_eq!(reminders_to(&app, &lead_email).await.len(), 1);

    let (late_lead, _, late_email) = volunteer(&app).await;
    conference(&app, &token, NaiveDate::from_ymd_opt(2027, 4, 6).expect("date"), [late_lead, co]).await;
    // First sweep only after it started: too late to remind.
    assert_eq!(sweep(&app, utc(2027, 4, 6, 12, 0)).await, Sweep::default());
    assert!(reminders_to(&app, &late_email).await.is_empty());
}

#[tokio::test]
async fn a_user_who_opted_out_gets_no_reminder_of_that_kind() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let (lead, lead_user, lead_email) = volunteer(&app).await;
    let (co, _, co_email) = volunteer(&app).await;
    entity::email_opt_out::ActiveModel {
        user_id: Set(lead_user),
        kind: Set(reminders::CONFERENCE_IN_TWO_DAYS.into()),
        created_at: Set(crate::helpers::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("opt out");
    conference(&app, &token, NaiveDate::from_ymd_opt(2027, 6, 10).expect("date"), [lead, co]).await;
    assert_eq!(sweep(&app, utc(2027, 6, 8, 7, 0)).await, conference_only(1));
    assert!(reminders_to(&app, &lead_email).await.is_empty(), "opted out");
    assert_eq!(reminders_to(&app, &co_email).await.len(), 1);
}

pub(crate) fn mailer(sink: &SmtpSink) -> Mailer {
    Mailer::new(&sink.url(), "Convene <convene@example.org>", &url::Url::parse(BASE_URL).expect("base url"))
        .expect("mailer")
}

#[tokio::test]
async fn a_swept_reminder_reaches_smtp_once_with_list_unsubscribe_and_both_parts() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let (lead, _, _) = volunteer(&app).await;
    let (co, _, _) = volunteer(&app).await;
    conference(&app, &token, NaiveDate::from_ymd_opt(2027, 3, 30).expect("date"), [lead, co]).await;
    let at = utc(2027, 3, 28, 7, 0);
    sweep(&app, at).await;
    sweep(&app, at).await;
    let worker = Worker::new(app.db.clone(), mailer(&sink));
    assert_eq!(worker.run_once(at).await.expect("deliver").sent, 2);
    assert_eq!(worker.run_once(at).await.expect("again").claimed, 0);
    assert_eq!(sink.count(), 2, "one email each");
    for received in sink.messages() {
        let email = mail_parser::MessageParser::default().parse(&received.data).expect("email");
        assert_eq!(
            email.header_raw("List-Unsubscribe").map(str::trim),
            Some("<https://convene.example.org/me/email-preferences>")
        );
        assert_eq!(email.text_body_count(), 1);
        assert_eq!(email.html_body_count(), 1);
        assert!(email.body_text(0).is_some_and(|t| t.contains("/me/email-preferences")), "footer link");
        assert!(email.body_html(0).is_some_and(|h| h.contains("at HMP 2027-03-30")));
    }
}

#[tokio::test]
async fn an_attachment_arrives_beside_both_alternatives() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let now = crate::helpers::now();
    let calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene//test//EN\r\nEND:VCALENDAR\r\n";
    let outgoing = Outgoing {
        key: "conference.asked:1:0:1".into(),
        kind: "conference.asked",
        to: "lead@example.org".into(),
        message: Message {
            subject: "Please confirm".into(),
            text: "Plain words".into(),
            html: "<p>HTML words</p>".into(),
        },
        send_after: now,
    };
    let attachment = Attachment {
        filename: "conference.ics".into(),
        content_type: "text/calendar; method=REQUEST".into(),
        body: calendar.into(),
    };
    assert!(
        outbox::enqueue_with(&app.db, outgoing, Extras { list_unsubscribe: None, attachment: Some(attachment) })
            .await
            .expect("enqueue")
    );
    let worker = Worker::new(app.db.clone(), mailer(&sink));
    assert_eq!(worker.run_once(now).await.expect("deliver").sent, 1);
    let received = sink.messages();
    assert_eq!(received.len(), 1);
    let email = mail_parser::MessageParser::default().parse(&received[0].data).expect("email");
    assert!(email.content_type().is_some_and(|t| t.ctype() == "multipart" && t.subtype() == Some("mixed")));
    assert!(email.header_raw("List-Unsubscribe").is_none(), "not a reminder");
    assert_eq!(email.body_text(0).as_deref().map(str::trim), Some("Plain words"));
    assert!(email.body_html(0).is_some_and(|h| h.contains("HTML words")));
    assert_eq!(email.attachment_count(), 1);
    let ics = email.attachment(0).expect("attachment");
    assert!(ics.content_type().is_some_and(|t| t.ctype() == "text" && t.subtype() == Some("calendar")));
    assert_eq!(ics.attachment_name(), Some("conference.ics"));
    assert!(ics.text_contents().is_some_and(|t| t.contains("BEGIN:VCALENDAR")));
}

#[tokio::test]
async fn the_preferences_page_turns_a_reminder_kind_off_and_on() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Volunteer).await;
    let mut browser = app.signed_in(&user).await;
    let (status, html) = browser.open("/me/email-preferences").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"name="reminder.conference_2d""#) && html.contains("checked"));
    let response = browser.post_form("/me/email-preferences", &[("reminder.training_1d", "on")]).await;
    assert_eq!(response.status(), 303);
    assert!(reminders::opted_out(&app.db, user.id, reminders::CONFERENCE_IN_TWO_DAYS).await.expect("query"));
    assert!(!reminders::opted_out(&app.db, user.id, reminders::TRAINING_TOMORROW).await.expect("query"));
    let response = browser
        .post_form("/me/email-preferences", &[("reminder.training_1d", "on"), ("reminder.conference_2d", "on")])
        .await;
    assert_eq!(response.status(), 303);
    assert!(!reminders::opted_out(&app.db, user.id, reminders::CONFERENCE_IN_TWO_DAYS).await.expect("query"));
    assert_eq!(app.browser().get("/me/email-preferences").await.status(), 303, "signed-out visitors sign in first");
}

#[tokio::test]
async fn training_reminders_go_at_0800_london_the_day_before_and_only_once() {
    let app = TestApp::spawn().await;
    let (enrolled, _, enrolled_email) = volunteer(&app).await;
    let now = crate::helpers::now();
    let course = entity::course::ActiveModel {
        name: Set("Core training, spring 2027".into()),
        kind: Set(entity::course::CourseKind::Core),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("course");
    // Monday 1 November 2027, the day after the clocks go back: reminded 08:00 GMT on the 31st.
    entity::course_session::ActiveModel {
        course_id: Set(course.id),
        number: Set(1),
        date: Set(NaiveDate::from_ymd_opt(2027, 11, 1).expect("date")),
        starts_at: Set(chrono::NaiveTime::from_hms_opt(9, 30, 0).expect("time")),
        ends_at: Set(chrono::NaiveTime::from_hms_opt(16, 30, 0).expect("time")),
        venue: Set("Quaker Meeting House".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("session");
    entity::enrolment::ActiveModel {
        course_id: Set(course.id),
        volunteer_id: Set(enrolled),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("enrolment");
    let training = |n| Sweep { training_tomorrow: n, ..Sweep::default() };
    assert_eq!(sweep(&app, utc(2027, 10, 30, 8, 0)).await, training(0), "two days before");
    assert_eq!(sweep(&app, utc(2027, 10, 31, 7, 59)).await, training(0), "07:59 London");
    assert_eq!(sweep(&app, utc(2027, 10, 31, 8, 0)).await, training(1), "08:00 London = 08:00Z");
    assert_eq!(sweep(&app, utc(2027, 11, 1, 8, 0)).await, training(0), "swept again the next morning");
    let rows = outbox_message::Entity::find()
        .filter(outbox_message::Column::ToEmail.eq(&enrolled_email))
        .all(&app.db)
        .await
        .expect("outbox");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].text_body.contains("Monday 1 November 2027, 09:30–16:30, at Quaker Meeting House"));
}

/// Booking emails of `kind` to the facilitator `volunteer_id`.
async fn booking_emails(app: &TestApp, kind: &str, volunteer_id: i64) -> Vec<outbox_message::Model> {
    let record = entity::volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.expect("query").expect("row");
    let account = entity::user::Entity::find_by_id(record.user_id).one(&app.db).await.expect("query").expect("user");
    outbox_message::Entity::find()
        .filter(outbox_message::Column::ToEmail.eq(account.email))
        .filter(outbox_message::Column::Kind.eq(kind))
        .all(&app.db)
        .await
        .expect("outbox")
}

#[tokio::test]
async fn facilitators_are_emailed_once_when_a_booking_is_confirmed_moved_and_cancelled() {
    use crate::scenario::{a_tuesday, book, token_of};

    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().ready_case().build().await;
    let [lead, co] = world.facilitators();
    let (case, token) = (world.case(), world.token);
    let day = a_tuesday();
    let booked: Value = book(&app, &token, case, &format!("{day}T10:00"), lead, co).await.json().await.expect("json");
    let id = booked["id"].as_i64().expect("id");
    let client = reqwest::Client::new();
    let answer = |who: String| {
        client
            .post(app.url(&format!("/api/v1/conferences/{id}/response")))
            .bearer_auth(who)
            .json(&json!({"response": "accept"}))
            .send()
    };

    assert_eq!(answer(token_of(&app, lead).await).await.expect("answer").status(), 200);
    for who in [lead, co] {
        assert!(booking_emails(&app, "conference.confirmed", who).await.is_empty(), "one accepted is not confirmed");
    }
    assert_eq!(answer(token_of(&app, co).await).await.expect("answer").status(), 200);
    let reference = entity::case::Entity::find_by_id(case).one(&app.db).await.expect("q").expect("case").reference;
    for who in [lead, co] {
        let confirmed = booking_emails(&app, "conference.confirmed", who).await;
        assert_eq!(confirmed.len(), 1, "one confirmation each");
        let email = &confirmed[0];
        assert!(email.subject.contains(&reference), "{}", email.subject);
        assert!(email.text_body.contains(&format!("/conferences/{id}")), "a link behind login");
        for secret in ["Harry Harmer", "Hannah Harmed", "burglary"] {
            assert!(!email.text_body.contains(secret) && !email.html_body.contains(secret), "{secret} leaked");
        }
    }

    let url = app.url(&format!("/api/v1/conferences/{id}"));
    let patch = |body: Value| client.patch(&url).bearer_auth(&token).json(&body).send();
    assert_eq!(patch(json!({"start": format!("{day}T13:00")})).await.expect("patch").status(), 200);
    assert_eq!(patch(json!({"start": format!("{day}T14:00")})).await.expect("patch").status(), 200);
    for who in [lead, co] {
        let changed = booking_emails(&app, "conference.changed", who).await;
        assert_eq!(changed.len(), 2, "one email per change (the key carries the sequence)");
        assert!(changed.iter().any(|e| e.text_body.contains("14:00")), "the new time is given");
    }
    assert_eq!(patch(json!({"status": "cancelled"})).await.expect("patch").status(), 200);
    assert_eq!(patch(json!({"status": "cancelled"})).await.expect("patch").status(), 409, "already cancelled");
    for who in [lead, co] {
        assert_eq!(booking_emails(&app, "conference.cancelled", who).await.len(), 1, "one cancellation each");
    }
}

#[tokio::test]
async fn check_renewals_are_reminded_at_60_and_30_days_once_each_until_renewed() {
    use entity::dbs_check::{DbsLevel, DbsStatus};
    use entity::prison_vetting::VettingStatus;
    let app = TestApp::spawn().await;
    let (volunteer_id, _, email) = volunteer(&app).await;
    let years = convene::checks::service::renewal_years(&app.db).await.expect("years");
    let issued = NaiveDate::from_ymd_opt(2024, 5, 10).expect("date");
    let due = convene::checks::clearance::renewal_due(Some(issued), false, years).expect("a due date");
    let now = crate::helpers::now();
    let check = entity::dbs_check::ActiveModel {
        volunteer_id: Set(volunteer_id),
        level: Set(DbsLevel::Enhanced),
        certificate_number: Set(Some("001234567890".into())),
        issued_on: Set(Some(issued)),
        update_service: Set(false),
        status: Set(DbsStatus::Clear),
        notes: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    check.clone().insert(&app.db).await.expect("dbs check");
    let prison = crate::checks::establishment(&app, "HMP Renewal", true).await;
    let vetting_expires = due + chrono::Days::new(10);
    entity::prison_vetting::ActiveModel {
        volunteer_id: Set(volunteer_id),
        establishment_id: Set(prison),
        level: Set("standard".into()),
        status: Set(VettingStatus::Cleared),
        cleared_on: Set(Some(issued)),
        expires_on: Set(Some(vetting_expires)),
        notes: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("vetting");
    let renewal = |n| Sweep { check_renewal: n, ..Sweep::default() };
    let before = |d: NaiveDate, days| d - chrono::Days::new(days);

    assert_eq!(sweep(&app, london(before(due, 60), 7, 59)).await, renewal(0), "not before 08:00 London");
    assert_eq!(sweep(&app, london(before(due, 60), 8, 0)).await, renewal(1), "DBS at 60 days");
    assert_eq!(sweep(&app, london(before(due, 60), 8, 1)).await, renewal(0), "once");
    // Catching up late inside the 60-day window of the vetting sends only that one.
    assert_eq!(sweep(&app, london(before(vetting_expires, 59), 12, 0)).await, renewal(1), "vetting at 60 days");
    assert_eq!(sweep(&app, london(before(due, 30), 8, 0)).await, renewal(1), "DBS at 30 days");
    assert_eq!(sweep(&app, london(before(due, 30), 9, 0)).await, renewal(0), "once");
    let sent: Vec<outbox_message::Model> = outbox_message::Entity::find()
        .filter(outbox_message::Column::ToEmail.eq(&email))
        .filter(outbox_message::Column::Kind.eq(reminders::CHECK_RENEWAL))
        .all(&app.db)
        .await
        .expect("outbox");
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().any(|m| m.text_body.contains("HMP Renewal")), "the vetting names its prison");

    // A renewal under way stops the DBS reminders; the vetting's 30-day one still comes.
    let renewing = entity::dbs_check::ActiveModel {
        status: Set(DbsStatus::InProgress),
        issued_on: Set(None),
        certificate_number: Set(None),
        ..check
    };
    renewing.insert(&app.db).await.expect("renewal");
    let late = london(before(vetting_expires, 30), 8, 0);
    assert_eq!(sweep(&app, late).await, renewal(1), "only the vetting at 30 days");
    assert_eq!(sweep(&app, late).await, renewal(0));
}

#[tokio::test]
async fn overdue_supervision_is_reminded_to_the_volunteer_and_coordinators_once_from_the_next_morning() {
    use convene::settings::service::{SUPERVISION_INTERVAL_WEEKS, number};
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let (volunteer_id, _, email) = volunteer(&app).await;
    let trained_on = NaiveDate::from_ymd_opt(2027, 1, 4).expect("date");
    let record = entity::volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.expect("q").expect("row");
    let mut trained: entity::volunteer::ActiveModel = record.into();
    trained.trained_on = Set(Some(trained_on));
    trained.update(&app.db).await.expect("trained");
    let weeks = number(&app.db, &SUPERVISION_INTERVAL_WEEKS).await.expect("interval");
    let due_on = trained_on + chrono::Duration::weeks(weeks);
    let next = due_on.succ_opt().expect("next day");
    let overdue = |n| Sweep { supervision_overdue: n, ..Sweep::default() };

    assert_eq!(sweep(&app, london(due_on, 12, 0)).await, overdue(0), "due today is not overdue");
    assert_eq!(sweep(&app, london(next, 7, 59)).await, overdue(0), "not before 08:00 London");
    assert_eq!(sweep(&app, london(next, 8, 0)).await, overdue(2), "the volunteer and the coordinator");
    assert_eq!(sweep(&app, london(next, 8, 1)).await, overdue(0), "once");
    assert_eq!(sweep(&app, london(next + chrono::Days::new(7), 8, 0)).await, overdue(0), "once per due date");
    let to_coordinator = outbox_message::Entity::find()
        .filter(outbox_message::Column::ToEmail.eq(&coordinator.email))
        .filter(outbox_message::Column::Kind.eq(reminders::SUPERVISION_OVERDUE))
        .one(&app.db)
        .await
        .expect("outbox")
        .expect("the coordinator's reminder");
    assert!(to_coordinator.text_body.contains(&format!("/volunteers/{volunteer_id}")));
    let to_volunteer = outbox_message::Entity::find()
        .filter(outbox_message::Column::ToEmail.eq(&email))
        .filter(outbox_message::Column::Kind.eq(reminders::SUPERVISION_OVERDUE))
        .count(&app.db)
        .await
        .expect("outbox");
    assert_eq!(to_volunteer, 1);
}

#[tokio::test]
async fn a_commitment_ending_in_30_days_is_reminded_once_and_again_after_an_extension() {
    let app = TestApp::spawn().await;
    let (volunteer_id, _, email) = volunteer(&app).await;
    let ends_on = NaiveDate::from_ymd_opt(2027, 11, 30).expect("date");
    let record = entity::volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.expect("q").expect("row");
    let mut term: entity::volunteer::ActiveModel = record.into();
    term.trained_on = Set(Some(NaiveDate::from_ymd_opt(2027, 10, 25).expect("date")));
    term.commitment_ends_on = Set(Some(ends_on));
    let term = term.update(&app.db).await.expect("term");
    let ending = |n| Sweep { commitment_ending: n, ..Sweep::default() };
    // 31 October 2027, the autumn clock change: 08:00 London is 08:00Z.
    let day = NaiveDate::from_ymd_opt(2027, 10, 31).expect("date");
    assert_eq!(sweep(&app, utc(2027, 10, 31, 7, 59)).await, ending(0), "07:59 London");
    assert_eq!(sweep(&app, london(day, 8, 0)).await, ending(1));
    assert_eq!(sweep(&app, london(day, 8, 0) + chrono::TimeDelta::hours(3)).await, ending(0), "once");
    assert_eq!(sweep(&app, london(ends_on, 9, 0)).await, ending(0), "nothing on the last day itself after one");

    let extended_to = NaiveDate::from_ymd_opt(2028, 5, 31).expect("date");
    let mut extended: entity::volunteer::ActiveModel = term.into();
    extended.commitment_ends_on = Set(Some(extended_to));
    extended.update(&app.db).await.expect("extended");
    assert_eq!(sweep(&app, london(ends_on, 9, 0)).await, ending(0), "not yet for the new date");
    let may = london(NaiveDate::from_ymd_opt(2028, 5, 2).expect("date"), 8, 0);
    // By then supervision is overdue too; only this kind is under test here.
    assert_eq!(sweep(&app, may).await.commitment_ending, 1);
    let sent = outbox_message::Entity::find()
        .filter(outbox_message::Column::ToEmail.eq(&email))
        .filter(outbox_message::Column::Kind.eq(reminders::COMMITMENT_ENDING))
        .count(&app.db)
        .await
        .expect("outbox");
    assert_eq!(sent, 2);
}

/// A case at a new prison with an agreed `deadline`; its id and reference.
pub(crate) async fn case_due(app: &TestApp, token: &str, deadline: NaiveDate) -> (i64, String) {
    let prison = crate::checks::establishment(app, &format!("HMP Deadline {deadline}"), true).await;
    // Referred in time for the deadline, and never in the future, whatever the suite's date.
    let referred_on = (deadline - chrono::Duration::days(60)).min(crate::helpers::today());
    let response = app
        .api(token)
        .post(
            "/api/v1/cases",
            &json!({"source": "police", "offence_category": "burglary", "establishment_id": prison,
                      "referred_on": referred_on.to_string(), "deadline": deadline.to_string()}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let case: Value = response.json().await.expect("case json");
    (case["id"].as_i64().expect("id"), case["reference"].as_str().expect("reference").to_owned())
}

pub(crate) async fn opt_out(app: &TestApp, user_id: i64, kind: &str) {
    entity::email_opt_out::ActiveModel {
        user_id: Set(user_id),
        kind: Set(kind.into()),
        created_at: Set(crate::helpers::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("opt out");
}

pub(crate) async fn emails_of(app: &TestApp, kind: &str) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find().filter(outbox_message::Column::Kind.eq(kind)).all(&app.db).await.expect("outbox")
}

async fn action(app: &TestApp, conference_id: i64, due_on: NaiveDate, completed_on: Option<NaiveDate>) -> i64 {
    entity::outcome_action::ActiveModel {
        conference_id: Set(conference_id),
        description: Set("Hannah Harmed receives a letter of apology".into()),
        owner: Set("Harry Harmer".into()),
        due_on: Set(due_on),
        completed_on: Set(completed_on),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("action")
    .id
}

#[tokio::test]
async fn an_outcome_action_is_reminded_on_its_due_day_to_its_facilitators_and_coordinators_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let quiet = app.create_user(Role::Coordinator).await;
    opt_out(&app, quiet.id, reminders::OUTCOME_ACTION_DUE).await;
    let token = app.token_for(&coordinator).await;
    let (lead, _, lead_email) = volunteer(&app).await;
    let (co, _, co_email) = volunteer(&app).await;
    let (_, _, bystander) = volunteer(&app).await;
    let held = conference(&app, &token, NaiveDate::from_ymd_opt(2027, 3, 1).expect("date"), [lead, co]).await;
    // Due on Monday 29 March 2027, the day after the clocks go forward: 08:00 BST = 07:00Z.
    let due = NaiveDate::from_ymd_opt(2027, 3, 29).expect("date");
    let open = action(&app, held, due, None).await;
    action(&app, held, due, Some(NaiveDate::from_ymd_opt(2027, 3, 20).expect("date"))).await;
    let actions = |n| Sweep { outcome_action_due: n, ..Sweep::default() };

    assert_eq!(sweep(&app, utc(2027, 3, 28, 7, 0)).await.outcome_action_due, 0, "the day before");
    assert_eq!(sweep(&app, utc(2027, 3, 29, 6, 59)).await.outcome_action_due, 0, "07:59 London");
    let at = sweep(&app, utc(2027, 3, 29, 7, 0)).await;
    assert_eq!(at.outcome_action_due, 3, "lead, co-facilitator and the coordinator who did not opt out: {at:?}");
    assert_eq!(sweep(&app, utc(2027, 3, 29, 7, 1)).await, actions(0), "swept again");
    assert_eq!(sweep(&app, utc(2027, 3, 30, 7, 0)).await.outcome_action_due, 0, "once per action and due date");

    let sent = emails_of(&app, reminders::OUTCOME_ACTION_DUE).await;
    let mut to: Vec<&str> = sent.iter().map(|m| m.to_email.as_str()).collect();
    to.sort_unstable();
    let mut expected = vec![lead_email.as_str(), co_email.as_str(), coordinator.email.as_str()];
    expected.sort_unstable();
    assert_eq!(to, expected, "not {bystander} nor {}", quiet.email);
    let case_id = entity::conference::Entity::find_by_id(held).one(&app.db).await.expect("q").expect("row").case_id;
    let reference = entity::case::Entity::find_by_id(case_id).one(&app.db).await.expect("q").expect("case").reference;
    for email in &sent {
        assert!(email.idempotency_key.starts_with(&format!("reminder.outcome_action_due:{open}:2027-03-29:")));
        assert!(email.subject.contains(&reference), "{}", email.subject);
        assert!(email.text_body.contains(&format!("/conferences/{held}")), "a link behind login");
        assert!(email.text_body.contains("Monday 29 March 2027"));
        for secret in ["Hannah", "Harry", "apology", "burglary"] {
            assert!(!email.text_body.contains(secret) && !email.html_body.contains(secret), "{secret} leaked");
        }
        assert!(email.html_body.contains("/me/email-preferences"), "the footer says how to stop it");
        assert_eq!(email.list_unsubscribe.as_deref(), Some("<https://convene.example.org/me/email-preferences>"));
    }
    let why = |address: &str| sent.iter().find(|m| m.to_email == address).map(|m| m.text_body.clone());
    assert!(why(&lead_email).is_some_and(|t| t.contains("because you facilitated this conference")));
    assert!(why(&coordinator.email).is_some_and(|t| t.contains("because you are a coordinator")));

    // After downtime: an action due three days ago still goes; one due eight days ago does not.
    let late = NaiveDate::from_ymd_opt(2027, 4, 2).expect("date");
    action(&app, held, late, None).await;
    action(&app, held, NaiveDate::from_ymd_opt(2027, 3, 28).expect("date"), None).await;
    assert_eq!(sweep(&app, london(late + chrono::Days::new(3), 15, 0)).await.outcome_action_due, 3);
}

#[tokio::test]
async fn coordinators_hear_once_when_a_case_deadline_is_7_days_off_and_nothing_is_booked() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let admin = app.create_user(Role::Admin).await;
    let quiet = app.create_user(Role::Coordinator).await;
    opt_out(&app, quiet.id, reminders::CASE_DEADLINE).await;
    let token = app.token_for(&coordinator).await;
    let (_, _, volunteer_email) = volunteer(&app).await;
    // Deadline Monday 8 November 2027: warned from 08:00 GMT on Monday 1 November = 08:00Z.
    let deadline = NaiveDate::from_ymd_opt(2027, 11, 8).expect("date");
    let (unbooked, reference) = case_due(&app, &token, deadline).await;
    let (proposed, _) = case_due(&app, &token, deadline).await;
    let starts = london(NaiveDate::from_ymd_opt(2027, 11, 5).expect("date"), 10, 0);
    entity::conference::ActiveModel {
        case_id: Set(proposed),
        establishment_id: Set(entity::case::Entity::find_by_id(proposed)
            .one(&app.db)
            .await
            .expect("q")
            .expect("case")
            .establishment_id),
        starts_at: Set(starts),
        ends_at: Set(starts + chrono::TimeDelta::hours(2)),
        status: Set(ConferenceStatus::Proposed),
        uid: Set("proposed@convene.example.org".into()),
        sequence: Set(0),
        created_at: Set(crate::helpers::now()),
        updated_at: Set(crate::helpers::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("a proposed booking");
    let deadlines = |n| Sweep { case_deadline: n, ..Sweep::default() };

    assert_eq!(sweep(&app, utc(2027, 10, 31, 8, 0)).await.case_deadline, 0, "eight days before");
    assert_eq!(sweep(&app, utc(2027, 11, 1, 7, 59)).await.case_deadline, 0, "07:59 London");
    assert_eq!(sweep(&app, utc(2027, 11, 1, 8, 0)).await.case_deadline, 2, "the coordinator and the admin");
    assert_eq!(sweep(&app, utc(2027, 11, 1, 8, 0)).await, deadlines(0), "the same minute twice");
    assert_eq!(sweep(&app, utc(2027, 11, 4, 9, 0)).await.case_deadline, 0, "once per case and deadline");
    let sent = emails_of(&app, reminders::CASE_DEADLINE).await;
    assert_eq!(sent.len(), 2);
    for email in &sent {
        assert!(email.idempotency_key.starts_with(&format!("reminder.case_deadline:{unbooked}:2027-11-08:")));
        assert!([coordinator.email.as_str(), admin.email.as_str()].contains(&email.to_email.as_str()));
        assert!(email.subject.contains(&reference), "{}", email.subject);
        assert!(email.text_body.contains("Monday 8 November 2027"));
        assert!(email.text_body.contains(&format!("/cases/{unbooked}/candidates")), "a link behind login");
        assert!(!email.text_body.contains("burglary") && !email.html_body.contains("burglary"));
        assert_eq!(email.list_unsubscribe.as_deref(), Some("<https://convene.example.org/me/email-preferences>"));
    }
    assert!(!sent.iter().any(|m| m.to_email == volunteer_email || m.to_email == quiet.email));

    // A new deadline is warned again; a case booked before its warning day is not warned.
    let moved = NaiveDate::from_ymd_opt(2027, 11, 15).expect("date");
    entity::case::ActiveModel { id: Set(unbooked), deadline: Set(moved), ..Default::default() }
        .update(&app.db)
        .await
        .expect("new deadline");
    // Caught up late on the Tuesday after downtime.
    assert_eq!(sweep(&app, utc(2027, 11, 9, 16, 0)).await.case_deadline, 2, "the new deadline");
    assert_eq!(emails_of(&app, reminders::CASE_DEADLINE).await.len(), 4);
}

#[tokio::test]
async fn the_preferences_page_offers_each_role_its_own_kinds_and_each_choice_is_honoured() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let volunteer_user = app.create_user(Role::Volunteer).await;

    let mut browser = app.signed_in(&volunteer_user).await;
    let (_, html) = browser.open("/me/email-preferences").await;
    assert!(html.contains(r#"name="reminder.outcome_action_due""#));
    assert!(!html.contains(r#"name="reminder.weekly_digest""#), "a volunteer gets no digest");
    assert!(!html.contains(r#"name="reminder.case_deadline""#));

    let mut browser = app.signed_in(&coordinator).await;
    let (status, html) = browser.open("/me/email-preferences").await;
    assert_eq!(status, 200);
    for kind in [reminders::OUTCOME_ACTION_DUE, reminders::CASE_DEADLINE, reminders::WEEKLY_DIGEST] {
        assert!(html.contains(&format!(r#"name="{kind}""#)), "{kind} offered");
    }
    assert!(!html.contains(r#"name="reminder.training_1d""#), "a coordinator is enrolled on no training");
    // Keep only the outcome actions: the deadline warning and the digest are turned off.
    let response = browser.post_form("/me/email-preferences", &[(reminders::OUTCOME_ACTION_DUE, "on")]).await;
    assert_eq!(response.status(), 303);
    for (kind, off) in [
        (reminders::OUTCOME_ACTION_DUE, false),
        (reminders::CASE_DEADLINE, true),
        (reminders::WEEKLY_DIGEST, true),
        (reminders::SUPERVISION_OVERDUE, true),
        (reminders::TRAINING_TOMORROW, false),
    ] {
        assert_eq!(reminders::opted_out(&app.db, coordinator.id, kind).await.expect("query"), off, "{kind}");
    }
    let (_, html) = browser.open("/me/email-preferences").await;
    let document = scraper::Html::parse_document(&html);
    let checked = |kind: &str| {
        let selector = scraper::Selector::parse(&format!(r#"input[name="{kind}"]"#)).expect("selector");
        document.select(&selector).next().is_some_and(|i| i.value().attr("checked").is_some())
    };
    assert!(checked(reminders::OUTCOME_ACTION_DUE) && !checked(reminders::WEEKLY_DIGEST));

    // Honoured: an unbooked case 7 days off and a Monday digest both skip this coordinator.
    let token = app.token_for(&coordinator).await;
    let deadline = NaiveDate::from_ymd_opt(2027, 4, 5).expect("date");
    case_due(&app, &token, deadline).await;
    let monday = sweep(&app, utc(2027, 3, 29, 7, 0)).await;
    assert_eq!((monday.case_deadline, monday.weekly_digest), (0, 0), "{monday:?}");
    assert!(emails_of(&app, reminders::CASE_DEADLINE).await.is_empty());
    assert!(emails_of(&app, reminders::WEEKLY_DIGEST).await.is_empty());
}

#[tokio::test]
async fn the_asked_to_facilitate_email_carries_an_ics_invitation_to_the_smtp_server() {
    use crate::scenario::{a_tuesday, book};

    use icalendar::Component;
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let world = app.scenario().prison().lead().co().ready_case().build().await;
    let [lead, co] = world.facilitators();
    let (case, token) = (world.case(), world.token);
    let day = a_tuesday();
    let response = book(&app, &token, case, &format!("{day}T10:00"), lead, co).await;
    assert_eq!(response.status(), 201);
    let booked: Value = response.json().await.expect("json");
    let reference = entity::case::Entity::find_by_id(case).one(&app.db).await.expect("q").expect("case").reference;
    let conference_id = booked["id"].as_i64().expect("id");
    let uid = entity::conference::Entity::find_by_id(conference_id).one(&app.db).await.expect("q").expect("row").uid;

    let worker = Worker::new(app.db.clone(), mailer(&sink));
    assert_eq!(worker.run_once(crate::helpers::now()).await.expect("deliver").sent, 2, "one per facilitator");
    let received = sink.messages();
    assert_eq!(received.len(), 2);
    for message in &received {
        let raw = String::from_utf8_lossy(&message.data);
        for secret in ["Harry Harmer", "Hannah Harmed", "burglary"] {
            assert!(!raw.contains(secret), "{secret} in the email");
        }
        let email = mail_parser::MessageParser::default().parse(&message.data).expect("email");
        assert!(email.subject().is_some_and(|s| s.contains(&reference)));
        assert_eq!((email.text_body_count(), email.html_body_count()), (1, 1), "both parts");
        assert_eq!(email.attachment_count(), 1);
        let part = email.attachment(0).expect("attachment");
        let content_type = part.content_type().expect("content type");
        assert_eq!((content_type.ctype(), content_type.subtype()), ("text", Some("calendar")));
        assert_eq!(content_type.attribute("method"), Some("REQUEST"));
        assert_eq!(part.attachment_name(), Some("conference.ics"));
        let text = part.text_contents().expect("text").to_owned();
        for secret in ["Harry", "Hannah", "burglary"] {
            assert!(!text.contains(secret), "{secret} in the invitation");
        }
        let calendar: icalendar::Calendar = text.parse().expect("a parsable iCalendar");
        assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
        let events: Vec<&icalendar::Event> = calendar.events().collect();
        assert_eq!(events.len(), 1);
        let event = events[0];
        let expected_start = day.and_hms_opt(10, 0, 0).expect("time");
        match event.get_start() {
            Some(icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone {
                date_time,
                tzid,
            })) => {
                assert_eq!(tzid, "Europe/London");
                assert_eq!(date_time, expected_start, "10:00 London wall-clock");
            }
            other => panic!("DTSTART is not London wall-clock: {other:?}"),
        }
        assert!(text.contains(&format!("DTSTART;TZID=Europe/London:{}", expected_start.format("%Y%m%dT%H%M%S"))));
        assert!(text.contains("BEGIN:VTIMEZONE") && text.contains("TZID:Europe/London"));
        assert_eq!(
            event.get_summary(),
            Some(format!("Restorative conference ({reference}) — HMP Gloucester").as_str())
        );
        assert_eq!(event.get_uid(), Some(uid.as_str()), "the conference's stable UID");
    }
}
