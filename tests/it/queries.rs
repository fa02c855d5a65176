//! What requests cost in database statements, counted with sea-orm's metric callback on the
//! served app's connection.

use std::sync::atomic::Ordering;

use chrono::Duration;
use convene::demo;
use entity::case::{self, CaseStatus};
use entity::conference::{self, ConferenceStatus};
use entity::conference_facilitator::{self, FacilitatorRole, Response};
use entity::dbs_check::{self, DbsLevel, DbsStatus};
use entity::expense_claim::{self, ExpenseStatus};
use entity::expense_item::{self, ExpenseKind};
use entity::prison_vetting::{self, VettingStatus};
use entity::user::{self, Role};
use entity::volunteer::{self, FacilitationLevel, VolunteerStatus};
use entity::{availability_window, unavailability};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::helpers::{Browser, TestApp};

/// Statements the app sent while answering one GET (which must succeed).
async fn statements_for(app: &TestApp, browser: &Browser, path: &str) -> usize {
    if std::env::var_os("CONVENE_TEST_SHOW_SQL").is_some() {
        eprintln!("--- GET {path}");
    }
    let before = app.statements.load(Ordering::SeqCst);
    let response = browser.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.bytes().await.unwrap();
    app.statements.load(Ordering::SeqCst) - before
}

#[tokio::test]
async fn a_kept_calendar_feed_costs_one_statement_fresh_or_revalidated() {
    let app = TestApp::spawn().await;
    let logins = app.load_demo().await;
    let volunteer = logins.iter().find(|l| l.role == Role::Volunteer).expect("the demo volunteer");
    let account = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(&volunteer.email))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let token = convene::calendar::service::rotate(&app.db, account.id).await.unwrap();
    let path = format!("/calendar/{token}.ics");
    let visitor = app.browser();
    let first = statements_for(&app, &visitor, &path).await;
    assert!(first > 1, "the first request builds the feed ({first} statements)");
    assert_eq!(statements_for(&app, &visitor, &path).await, 1, "then one lookup of the token's hash");
    let etag = visitor.get(&path).await.headers()["etag"].to_str().unwrap().to_owned();
    let before = app.statements.load(Ordering::SeqCst);
    let response = visitor.client.get(app.url(&path)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(response.status(), 304);
    assert_eq!(app.statements.load(Ordering::SeqCst) - before, 1, "a 304 is the same one lookup");
    assert_eq!(statements_for(&app, &visitor, "/calendar/training.ics").await.min(2), 2, "built once");
    assert_eq!(statements_for(&app, &visitor, "/calendar/training.ics").await, 1, "then one read of the version");
}

/// `k` more of everything the measured pages list: volunteers of every kind (active
/// co-facilitators with checks, vetting, availability and time away; trained ones still
/// waiting for their DBS), and for `who` conferences they have accepted and expense claims.
async fn grow(app: &TestApp, k: usize, who: &volunteer::Model, case: &case::Model, offset: usize) {
    let db = &app.db;
    let now = crate::helpers::now();
    let today = crate::helpers::today();
    for i in offset..offset + k {
        let account = user::ActiveModel {
            email: Set(format!("grown{i}@example.org")),
            name: Set(format!("Grown Volunteer {i:03}")),
            role: Set(Role::Volunteer),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let active = i % 2 == 0;
        let record = volunteer::ActiveModel {
            user_id: Set(account.id),
            status: Set(if active { VolunteerStatus::Active } else { VolunteerStatus::Trained }),
            level: Set(if active { FacilitationLevel::CoFacilitator } else { FacilitationLevel::Trainee }),
            trained_on: Set(Some(today - Duration::days(200))),
            max_conferences_per_month: Set(4),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        dbs_check::ActiveModel {
            volunteer_id: Set(record.id),
            level: Set(DbsLevel::Enhanced),
            issued_on: Set(active.then(|| today - Duration::days(300))),
            update_service: Set(false),
            status: Set(if active { DbsStatus::Clear } else { DbsStatus::InProgress }),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        prison_vetting::ActiveModel {
            volunteer_id: Set(record.id),
            establishment_id: Set(case.establishment_id),
            level: Set("standard".into()),
            status: Set(VettingStatus::Cleared),
            cleared_on: Set(Some(today - Duration::days(100))),
            expires_on: Set(Some(today + Duration::days(400))),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let (from, to) =
            (chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(), chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap());
        availability_window::ActiveModel {
            volunteer_id: Set(record.id),
            weekday: Set(i16::try_from(i % 5).unwrap()),
            starts_at: Set(from),
            ends_at: Set(to),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        unavailability::ActiveModel {
            volunteer_id: Set(record.id),
            starts_at: Set(now + Duration::days(3)),
            ends_at: Set(now + Duration::days(4)),
            reason: Set("away".into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();

        // For `who`: an accepted conference far ahead (one a week) and a draft claim.
        let starts_at = now + Duration::days(400 + 7 * i64::try_from(i).unwrap());
        let held = conference::ActiveModel {
            case_id: Set(case.id),
            establishment_id: Set(case.establishment_id),
            starts_at: Set(starts_at),
            ends_at: Set(starts_at + Duration::hours(2)),
            status: Set(ConferenceStatus::Confirmed),
            uid: Set(format!("grown-{i}@example.org")),
            sequence: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        for (volunteer_id, role) in [(who.id, FacilitatorRole::Lead), (record.id, FacilitatorRole::Co)] {
            conference_facilitator::ActiveModel {
                conference_id: Set(held.id),
                volunteer_id: Set(volunteer_id),
                role: Set(role),
                response: Set(Response::Accepted),
                responded_at: Set(Some(now)),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
        }
        let claim = expense_claim::ActiveModel {
            volunteer_id: Set(who.id),
            purpose: Set(format!("Travel {i}")),
            status: Set(ExpenseStatus::Draft),
            version: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        expense_item::ActiveModel {
            claim_id: Set(claim.id),
            kind: Set(ExpenseKind::Parking),
            incurred_on: Set(today),
            description: Set("Parking".into()),
            amount_pence: Set(Some(450)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
}

/// Statements for the pages that must not grow with the data: the volunteer's dashboard, a
/// case page and the candidate search.
async fn page_costs(app: &TestApp, volunteer: &Browser, coordinator: &Browser, case: &case::Model) -> [usize; 3] {
    [
        statements_for(app, volunteer, "/").await,
        statements_for(app, coordinator, &format!("/cases/{}", case.id)).await,
        statements_for(app, coordinator, &format!("/cases/{}/candidates", case.id)).await,
    ]
}

#[tokio::test]
async fn the_dashboard_a_case_page_and_the_candidate_search_cost_a_fixed_few_statements() {
    let app = TestApp::spawn().await;
    let logins = app.load_demo().await;
    let sign_in = |role: Role| {
        let who = logins.iter().find(|l| l.role == role).expect("a demo sign-in").clone();
        let mut browser = app.browser();
        async move {
            browser.open("/login").await;
            let response = browser.post_form("/login", &[("email", &who.email), ("password", &who.password)]).await;
            assert_eq!(response.status(), 303);
            (browser, who.email)
        }
    };
    let (volunteer, email) = sign_in(Role::Volunteer).await;
    let (coordinator, _) = sign_in(Role::Coordinator).await;
    let account = user::Entity::find().filter(user::Column::Email.eq(&email)).one(&app.db).await.unwrap().unwrap();
    let val =
        volunteer::Entity::find().filter(volunteer::Column::UserId.eq(account.id)).one(&app.db).await.unwrap().unwrap();
    let case = case::Entity::find()
        .filter(case::Column::Status.eq(CaseStatus::Ready))
        .order_by_asc(case::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("a ready demo case");

    let demo_size = page_costs(&app, &volunteer, &coordinator, &case).await;
    grow(&app, 10, &val, &case, 0).await;
    let grown = page_costs(&app, &volunteer, &coordinator, &case).await;
    grow(&app, 30, &val, &case, 10).await;
    let larger = page_costs(&app, &volunteer, &coordinator, &case).await;
    eprintln!("statements (dashboard, case page, candidates): demo {demo_size:?}, +10 {grown:?}, +40 {larger:?}");
    assert_eq!(grown, larger, "the cost does not grow with the data");
    for (page, cost) in ["dashboard", "case page", "candidates"].iter().zip(larger) {
        assert!(cost <= 15, "{page}: {cost} statements");
    }
    // The grown data is on the pages, so the counts are of pages that show it.
    let (_, dashboard) = {
        let mut v = volunteer;
        v.open("/").await
    };
    assert!(dashboard.contains("restorative conference"), "the accepted conferences are listed");
    let (_, candidates) = {
        let mut c = coordinator;
        c.open(&format!("/cases/{}/candidates", case.id)).await
    };
    assert!(candidates.contains("Grown Volunteer 001"), "a grown volunteer is ruled out by name");
}

#[tokio::test]
async fn the_batch_plan_reads_its_instance_in_one_pass_however_many_cases_are_ready() {
    let app = TestApp::spawn().await;
    let base = url::Url::parse(&app.url("/")).unwrap();
    demo::load(&app.db, &base).await.expect("the demo loads");
    let cases = case::Entity::find().order_by_asc(case::Column::Id).all(&app.db).await.unwrap();
    assert!(cases.len() >= 4, "the demo has cases in every state");
    let (app, served, today) = (&app, &app.state.db, crate::helpers::today());
    let cost = |cases: Vec<case::Model>| async move {
        let before = app.statements.load(Ordering::SeqCst);
        let snapshot =
            convene::scheduling::instance::Snapshot::load(served, &cases, today, None, None).await.expect("loads");
        let spent = app.statements.load(Ordering::SeqCst) - before;
        let instances: Vec<_> = cases.iter().map(|c| snapshot.instance(c).expect("an instance")).collect();
        assert_eq!(app.statements.load(Ordering::SeqCst) - before, spent, "instances are built in memory");
        (spent, instances)
    };
    let (one, single) = cost(cases[..1].to_vec()).await;
    let (all, every) = cost(cases.clone()).await;
    assert_eq!(one, all, "one case or {} cost the same", cases.len());
    assert!(all <= 15, "{all} statements");
    // Built together or alone, a case's instance is the same.
    assert_eq!(serde_json::to_value(&single[0]).unwrap(), serde_json::to_value(&every[0]).unwrap());
    let alone = convene::scheduling::instance::for_case(served, &cases[1], today, None, None).await.unwrap();
    assert_eq!(serde_json::to_value(&alone).unwrap(), serde_json::to_value(&every[1]).unwrap());
}
