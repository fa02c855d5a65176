//! The coordinators' weekly digest: Monday 08:00 London on both sides of a clock change,
//! once per coordinator and ISO week, caught up later that Monday, counts and links only.

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use convene::jobs::reminders;
use entity::user::Role;
use sea_orm::{ActiveModelTrait, Set};

use crate::helpers::TestApp;
use crate::reminders::{case_due, emails_of, london, opt_out, sweep, utc, volunteer};

/// Something for every line of the digest but the checks: an application, an unbooked case
/// due in five days, a volunteer overdue for supervision and a claim awaiting approval.
/// Returns the coordinator who set up the intake, and the case's id and reference.
async fn a_week_of_work(app: &TestApp, monday: NaiveDate) -> (String, i64, String) {
    let recruiting = crate::recruitment::open_intake(app, 5).await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/applications"))
        .json(&crate::recruitment::valid_application(recruiting.intake_id, "sian@example.org"))
        .send()
        .await
        .expect("apply");
    assert_eq!(response.status(), 201);
    let (case, reference) = case_due(app, &recruiting.token, monday + Days::new(5)).await;
    let (volunteer_id, _, _) = volunteer(app).await;
    entity::volunteer::ActiveModel {
        id: Set(volunteer_id),
        trained_on: Set(Some(monday - Days::new(20 * 7))),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .expect("trained long ago");
    let now = crate::helpers::now();
    entity::expense_claim::ActiveModel {
        volunteer_id: Set(volunteer_id),
        purpose: Set("Travel to HMP Gloucester for RJ case with Hannah".into()),
        status: Set(entity::expense_claim::ExpenseStatus::Submitted),
        submitted_at: Set(Some(now)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("claim");
    (recruiting.token, case, reference)
}

async fn digests(app: &TestApp, now: DateTime<Utc>) -> usize {
    sweep(app, now).await.weekly_digest
}

/// `before` is 07:59 London that Monday, `at` is 08:00 London, both in UTC.
async fn sent_at_eight_london_once(monday: NaiveDate, before: DateTime<Utc>, at: DateTime<Utc>, week: &str) {
    assert_eq!(london(monday, 8, 0), at, "08:00 London is {at}");
    let app = TestApp::spawn().await;
    let (_, case, reference) = a_week_of_work(&app, monday).await;
    let second = app.create_user(Role::Coordinator).await;
    let quiet = app.create_user(Role::Coordinator).await;
    opt_out(&app, quiet.id, reminders::WEEKLY_DIGEST).await;

    assert_eq!(digests(&app, at - TimeDelta::days(1)).await, 0, "Sunday");
    assert_eq!(digests(&app, before).await, 0, "07:59 London");
    assert_eq!(digests(&app, at).await, 2, "both coordinators who want it");
    assert_eq!(digests(&app, at).await, 0, "swept twice in the same minute");
    assert_eq!(digests(&app, at + TimeDelta::hours(6)).await, 0, "later that day");
    assert_eq!(digests(&app, at + TimeDelta::days(1)).await, 0, "Tuesday");

    let sent = emails_of(&app, reminders::WEEKLY_DIGEST).await;
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().any(|m| m.to_email == second.email) && !sent.iter().any(|m| m.to_email == quiet.email));
    for email in &sent {
        assert!(
            email.idempotency_key.starts_with(&format!("reminder.weekly_digest:{week}:")),
            "{}",
            email.idempotency_key
        );
        assert!(email.subject.starts_with("Weekly digest"), "{}", email.subject);
        assert_eq!(email.send_after, at);
        for line in [
            "Applications waiting for review: 1 (https://convene.example.org/applications?status=submitted)",
            "Background checks overdue or due in the next 60 days: 0 (https://convene.example.org/checks)",
            "Volunteers overdue for supervision: 1 (https://convene.example.org/volunteers)",
            "Cases not booked with a deadline within 14 days or passed: 1",
            "Expense claims awaiting approval: 1 (https://convene.example.org/expenses?status=submitted)",
        ] {
            assert!(email.text_body.contains(line), "{line} missing from:\n{}", email.text_body);
        }
        assert!(email.text_body.contains(&format!("{reference}, deadline ")));
        assert!(email.text_body.contains(&format!("https://convene.example.org/cases/{case}/candidates")));
        assert!(email.html_body.contains(&format!(r#"href="https://convene.example.org/cases/{case}/candidates""#)));
        assert!(email.html_body.contains("<strong>1</strong>"), "counts in the HTML part too");
        for secret in ["Siân", "Llewellyn", "burglary", "Hannah", "Test volunteer"] {
            assert!(!email.text_body.contains(secret) && !email.html_body.contains(secret), "{secret} leaked");
        }
        assert!(email.text_body.contains("because you are a coordinator"), "why they got it");
        assert!(email.text_body.contains("https://convene.example.org/me/email-preferences"), "how to change it");
        assert_eq!(email.list_unsubscribe.as_deref(), Some("<https://convene.example.org/me/email-preferences>"));
    }
}

async fn caught_up_later_that_monday(monday: NaiveDate) {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    // The Monday before, nothing waited: no digest of zeros.
    assert_eq!(digests(&app, london(monday - Days::new(7), 8, 0)).await, 0, "nothing waiting");
    a_week_of_work(&app, monday).await;
    // Down from Sunday until mid-afternoon on Monday.
    assert_eq!(digests(&app, london(monday, 15, 30)).await, 2, "the intake's coordinator and the other one");
    assert_eq!(digests(&app, london(monday, 23, 59)).await, 0);
    assert_eq!(digests(&app, london(monday + Days::new(1), 0, 0)).await, 0, "not on Tuesday");
    assert!(emails_of(&app, reminders::WEEKLY_DIGEST).await.iter().any(|m| m.to_email == coordinator.email));
}

#[tokio::test]
async fn the_digest_goes_at_0800_bst_on_the_monday_after_the_spring_clock_change() {
    let monday = NaiveDate::from_ymd_opt(2027, 3, 29).expect("date");
    sent_at_eight_london_once(monday, utc(2027, 3, 29, 6, 59), utc(2027, 3, 29, 7, 0), "2027-W13").await;
}

#[tokio::test]
async fn the_digest_goes_at_0800_gmt_on_the_monday_after_the_autumn_clock_change() {
    let monday = NaiveDate::from_ymd_opt(2027, 11, 1).expect("date");
    sent_at_eight_london_once(monday, utc(2027, 11, 1, 7, 59), utc(2027, 11, 1, 8, 0), "2027-W44").await;
}

#[tokio::test]
async fn a_digest_missed_by_downtime_is_caught_up_later_that_monday() {
    caught_up_later_that_monday(NaiveDate::from_ymd_opt(2027, 3, 29).expect("date")).await;
    caught_up_later_that_monday(NaiveDate::from_ymd_opt(2027, 11, 1).expect("date")).await;
}
