//! The demo data set of `convene serve --demo`: every state present, loaded only into an
//! empty database, bookable candidates for its ready cases, and printed sign-ins that work.

use entity::Code;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use convene::demo::{self, Login, Outcome};
use entity::application::{self, ApplicationStatus};
use entity::case::{self, CaseStatus};
use entity::conference::{self, ConferenceStatus};
use entity::conference_facilitator::{self, Response};
use entity::establishment::{self, EstablishmentKind};
use entity::expense_claim::{self, ExpenseStatus};
use entity::user::{self, Role};
use entity::volunteer::{self, FacilitationLevel, VolunteerStatus};
use entity::{closure, outcome_action, regime_window, supervision_session};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::cli::{convene, free_port, terminate, wait_healthy};
use crate::helpers::{TestApp, fresh_database};

fn base_url() -> url::Url {
    url::Url::parse("http://127.0.0.1/").unwrap()
}

async fn loaded(app: &TestApp) -> Vec<Login> {
    match demo::load(&app.db, &base_url()).await.expect("the demo loads") {
        Outcome::Loaded(logins) => logins,
        Outcome::NotEmpty => panic!("a fresh database is empty"),
    }
}

fn login(logins: &[Login], role: Role) -> &Login {
    logins.iter().find(|l| l.role == role).expect("a sign-in for the role")
}

/// Signs in through the login form; true when the service accepts the password.
async fn signs_in(app: &TestApp, who: &Login) -> crate::helpers::Browser {
    let mut browser = app.browser();
    browser.open("/login").await;
    let response = browser.post_form("/login", &[("email", &who.email), ("password", &who.password)]).await;
    assert_eq!(response.status(), 303, "the demo sign-in of {} works", who.email);
    browser
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    user::Entity::find().filter(user::Column::Email.eq(email)).one(&app.db).await.unwrap().expect("the account").id
}

#[tokio::test]
async fn the_demo_holds_every_state_and_loads_only_once() {
    let app = TestApp::spawn().await;
    let logins = loaded(&app).await;
    assert_eq!(logins.len(), 3, "admin, coordinator and volunteer sign-ins");
    assert!(logins.iter().all(|l| l.password.len() >= 12));

    for status in ApplicationStatus::ALL {
        let n =
            application::Entity::find().filter(application::Column::Status.eq(status)).count(&app.db).await.unwrap();
        assert!(n >= 1, "an application that is {}", status.code());
    }
    let open = convene::applications::intakes::open_with_dates(&app.db, crate::helpers::today()).await.unwrap();
    assert_eq!(open.len(), 1, "one intake open today");
    assert_eq!(open[0].1.len(), 3, "with its three core training dates");

    let volunteers = volunteer::Entity::find().all(&app.db).await.unwrap();
    for status in [
        VolunteerStatus::Onboarding,
        VolunteerStatus::InTraining,
        VolunteerStatus::Trained,
        VolunteerStatus::Active,
        VolunteerStatus::Paused,
        VolunteerStatus::Left,
    ] {
        assert!(volunteers.iter().any(|v| v.status == status), "a volunteer who is {}", status.code());
    }
    let active = |level| volunteers.iter().filter(|v| v.status == VolunteerStatus::Active && v.level == level).count();
    assert!(active(FacilitationLevel::Lead) >= 2 && active(FacilitationLevel::CoFacilitator) >= 2);

    let today = crate::helpers::today();
    let overview = convene::checks::service::overview(&app.db, today).await.unwrap();
    assert!(
        overview.due_soon.iter().any(|d| d.what == "Enhanced DBS renewal" && (d.date - today).num_days() <= 60),
        "a DBS renewal due within 60 days: {:?}",
        overview.due_soon
    );
    let mut overdue = 0;
    for record in &volunteers {
        let held: Vec<_> = supervision_session::Entity::find()
            .filter(supervision_session::Column::VolunteerId.eq(record.id))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.held_on)
            .collect();
        if convene::supervision::service::due(record, &held, today, 12).is_some_and(|d| d.overdue) {
            overdue += 1;
        }
    }
    assert_eq!(overdue, 1, "one volunteer overdue for supervision");

    let places = establishment::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(places.iter().filter(|p| p.kind == EstablishmentKind::Prison && p.requires_vetting).count(), 2);
    assert_eq!(places.iter().filter(|p| p.kind == EstablishmentKind::ProbationOffice).count(), 1);
    let windows = regime_window::Entity::find().all(&app.db).await.unwrap();
    assert!(windows.iter().any(|w| w.weekday >= 5), "a weekend regime");
    let closures = closure::Entity::find().all(&app.db).await.unwrap();
    assert!(!closures.is_empty() && closures.iter().all(|c| !c.reason.is_empty()), "closures with reasons");

    for status in CaseStatus::ALL {
        let n = case::Entity::find().filter(case::Column::Status.eq(status)).count(&app.db).await.unwrap();
        assert!(n >= 1, "a case that is {}", status.code());
    }
    let conferences = conference::Entity::find().all(&app.db).await.unwrap();
    for status in [ConferenceStatus::Proposed, ConferenceStatus::Confirmed, ConferenceStatus::Held] {
        assert!(conferences.iter().any(|c| c.status == status), "a conference that is {}", status.code());
    }
    for c in conferences.iter().filter(|c| c.status != ConferenceStatus::Held) {
        assert!(c.starts_at > crate::helpers::now(), "booked conferences are in the future");
    }
    // Allocated cases in every stage after referral, and one stopped by a withdrawal.
    let allocations = entity::case_facilitator::Entity::find().all(&app.db).await.unwrap();
    for found in case::Entity::find().all(&app.db).await.unwrap() {
        let pair = allocations.iter().filter(|a| a.case_id == found.id).count();
        assert_eq!(pair, if found.status == CaseStatus::Referred { 0 } else { 2 }, "{}", found.reference);
    }
    let stopped = conferences.iter().find(|c| c.cancel_reason.as_deref() == Some("consent_withdrawn")).expect("a stop");
    assert_eq!(stopped.status, ConferenceStatus::Cancelled);
    let stopped_case = case::Entity::find_by_id(stopped.case_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(stopped_case.status, CaseStatus::Assessing);
    let actions = outcome_action::Entity::find().all(&app.db).await.unwrap();
    assert!(actions.iter().any(|a| a.completed_on.is_some()) && actions.iter().any(|a| a.completed_on.is_none()));

    for status in ExpenseStatus::ALL {
        let n = expense_claim::Entity::find()
            .filter(expense_claim::Column::Status.eq(status))
            .count(&app.db)
            .await
            .unwrap();
        assert!(n >= 1, "a claim that is {}", status.code());
    }

    let before = (
        user::Entity::find().count(&app.db).await.unwrap(),
        case::Entity::find().count(&app.db).await.unwrap(),
        application::Entity::find().count(&app.db).await.unwrap(),
    );
    assert!(matches!(demo::load(&app.db, &base_url()).await.unwrap(), Outcome::NotEmpty));
    let after = (
        user::Entity::find().count(&app.db).await.unwrap(),
        case::Entity::find().count(&app.db).await.unwrap(),
        application::Entity::find().count(&app.db).await.unwrap(),
    );
    assert_eq!(before, after, "a second load writes nothing");
}

#[tokio::test]
async fn the_demo_sign_ins_work_the_ready_cases_have_candidates_and_val_is_asked_to_accept() {
    let app = TestApp::spawn().await;
    let logins = loaded(&app).await;
    signs_in(&app, login(&logins, Role::Admin)).await;
    let coordinator = login(&logins, Role::Coordinator);
    signs_in(&app, coordinator).await;
    let token =
        convene::auth::service::create_api_token(&app.db, user_id(&app, &coordinator.email).await).await.unwrap();

    let ready = case::Entity::find().filter(case::Column::Status.eq(CaseStatus::Ready)).all(&app.db).await.unwrap();
    assert!(ready.len() >= 2);
    for found in &ready {
        let response = app.api(&token).get(&format!("/api/v1/cases/{}/candidates", found.id)).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        let candidates = body["candidates"].as_array().unwrap();
        assert!(!candidates.is_empty(), "bookable candidates for {}: {body}", found.reference);
        let ruled_out = body["ruled_out"].as_array().unwrap();
        assert!(ruled_out.iter().any(|r| r["reason"].as_str().unwrap().contains("not yet active: DBS")), "{body}");
    }

    // Val, the demo volunteer, is asked to lead a conference and has not answered yet.
    let volunteer = login(&logins, Role::Volunteer);
    let mut browser = signs_in(&app, volunteer).await;
    let (status, page) = browser.open("/").await;
    assert_eq!(status, 200);
    assert!(page.contains("Welcome, Val Okafor"), "the volunteer dashboard");
    let val = volunteer::Entity::find()
        .filter(volunteer::Column::UserId.eq(user_id(&app, &volunteer.email).await))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(val.level, FacilitationLevel::Lead);
    let asked = conference_facilitator::Entity::find()
        .filter(conference_facilitator::Column::VolunteerId.eq(val.id))
        .filter(conference_facilitator::Column::Response.eq(Response::Asked))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a conference waiting for Val's answer");
    let val_token = convene::auth::service::create_api_token(&app.db, val.user_id).await.unwrap();
    let response = app
        .api(&val_token)
        .post(&format!("/api/v1/conferences/{}/response", asked.conference_id), &json!({"response": "accept"}))
        .await;
    assert_eq!(response.status(), 200);
    let accepted = conference::Entity::find_by_id(asked.conference_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(accepted.status, ConferenceStatus::Confirmed, "the other facilitator had already accepted");
}

#[tokio::test]
async fn serve_demo_prints_sign_ins_that_work_and_a_restart_loads_nothing() {
    let (database_url, dir) = fresh_database().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let start = || {
        convene()
            .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}"), "--database-url", &database_url])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // Reads stdout on a thread until `lines` lines have come (or it closes).
    let read = |child: &mut std::process::Child, lines: usize| {
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).take(lines).collect::<Vec<_>>())
    };

    let mut server = start();
    let printed = read(&mut server, 4);
    wait_healthy(&base, &mut server).await;
    let printed = printed.join().unwrap();
    assert!(printed[0].starts_with("demo: loaded"), "{printed:?}");
    let parse = |role: &str| {
        let line = printed.iter().find(|l| l.trim_start().starts_with(role)).expect("a sign-in line");
        let fields: Vec<&str> = line.split_whitespace().collect();
        // "  coordinator  EMAIL  password: SECRET"
        Login { role: Role::Volunteer, email: fields[1].to_owned(), password: fields[3].to_owned() }
    };
    let app = TestApp::builder().on(&database_url, dir).spawn().await;
    for role in ["admin", "coordinator", "volunteer"] {
        let who = parse(role);
        let mut browser = app.browser();
        browser.open("/login").await;
        let response = browser.post_form("/login", &[("email", &who.email), ("password", &who.password)]).await;
        assert_eq!(response.status(), 303, "the printed {role} sign-in works");
    }
    assert!(terminate(&mut server).success());

    let mut server = start();
    let printed = read(&mut server, 1);
    wait_healthy(&base, &mut server).await;
    assert_eq!(printed.join().unwrap(), ["demo: the database already holds data; the demo was not loaded"]);
    assert!(terminate(&mut server).success());
}
