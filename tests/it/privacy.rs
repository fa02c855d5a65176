//! UK GDPR: subject access exports, erasure that leaves no trace of the person while the
//! statistics still count them, and the retention job.

use chrono::Months;
use entity::application::{self, ApplicationStatus};
use entity::user::Role;
use entity::volunteer::{self, VolunteerStatus};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, Set, Statement};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::recruitment::{Recruiting, open_intake, valid_application};

/// A person's identifying details, unique to this test.
struct Person {
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    postcode: &'static str,
}

impl Person {
    fn needles(&self) -> Vec<String> {
        let compact_phone: String = self.phone.chars().filter(char::is_ascii_digit).collect();
        vec![self.name.into(), self.email.into(), self.phone.into(), compact_phone, self.postcode.into()]
    }
}

const MARGUERITE: Person = Person {
    name: "Marguerite Oyelaran-Pike",
    email: "marguerite.op@example.org",
    phone: "01632 960777",
    postcode: "GL3 4QW",
};

async fn apply(app: &TestApp, setup: &Recruiting, person: &Person) -> i64 {
    let mut body = valid_application(setup.intake_id, person.email);
    body["name"] = json!(person.name);
    body["phone"] = json!(person.phone);
    body["postcode"] = json!(person.postcode);
    body["motivation"] = json!(format!("I am {} and I want to help.", person.name));
    let response = reqwest::Client::new().post(app.url("/api/v1/applications")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn decide(app: &TestApp, setup: &Recruiting, id: i64, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/applications/{id}/decision")))
        .bearer_auth(&setup.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{body}");
    response.json().await.unwrap()
}

async fn accept(app: &TestApp, setup: &Recruiting, id: i64) -> i64 {
    decide(app, setup, id, json!({"decision": "shortlist"})).await;
    decide(app, setup, id, json!({"decision": "interview", "interview_date": "2027-01-12", "interview_time": "10:00", "interview_place": "Office"})).await;
    decide(app, setup, id, json!({"decision": "offer"})).await;
    decide(app, setup, id, json!({"decision": "accept"})).await["volunteer_id"].as_i64().expect("volunteer id")
}

/// Every (table, column) holding text, and where each needle still appears.
async fn traces(app: &TestApp, needles: &[String]) -> Vec<String> {
    let db = &app.db;
    let backend = db.get_database_backend();
    let columns: Vec<(String, String)> = match backend {
        DbBackend::Postgres => db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
                 WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')",
            ))
            .await
            .unwrap()
            .iter()
            .map(|row| (row.try_get("", "t").unwrap(), row.try_get("", "c").unwrap()))
            .collect(),
        _ => {
            let tables = db
                .query_all_raw(Statement::from_string(
                    backend,
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                ))
                .await
                .unwrap();
            let mut columns = Vec::new();
            for table in tables {
                let table: String = table.try_get("", "name").unwrap();
                let info =
                    db.query_all_raw(Statement::from_string(backend, format!("PRAGMA table_info(\"{table}\")"))).await.unwrap();
                // Every column, whatever its declared type: SQLite stores text anywhere.
                for column in info {
                    columns.push((table.clone(), column.try_get::<String>("", "name").unwrap()));
                }
            }
            columns
        }
    };
    assert!(columns.len() > 100, "the scan saw the whole schema ({} columns)", columns.len());
    let mut found = Vec::new();
    for (table, column) in &columns {
        for needle in needles {
            let sql = match backend {
                DbBackend::Postgres => {
                    format!("SELECT COUNT(*) AS n FROM \"{table}\" WHERE \"{column}\"::text ILIKE $1")
                }
                _ => format!("SELECT COUNT(*) AS n FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE ?"),
            };
            let row = db
                .query_one_raw(Statement::from_sql_and_values(backend, sql, [format!("%{needle}%").into()]))
                .await
                .unwrap()
                .unwrap();
            if row.try_get::<i64>("", "n").unwrap() > 0 {
                found.push(format!("{needle:?} in {table}.{column}"));
            }
        }
    }
    found
}

async fn counts(app: &TestApp, setup: &Recruiting) -> Value {
    let list: Value = reqwest::Client::new()
        .get(app.url("/api/v1/applications"))
        .bearer_auth(&setup.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["counts"].clone()
}

#[tokio::test]
async fn a_volunteer_who_left_is_exported_then_erased_without_trace_and_still_counted() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let admin = app.create_user(Role::Admin).await;
    let admin_token = app.token_for(&admin).await;
    let application_id = apply(&app, &setup, &MARGUERITE).await;
    let volunteer_id = accept(&app, &setup, application_id).await;
    let other = apply(
        &app,
        &setup,
        &Person { name: "Other Applicant", email: "other@example.org", phone: "01632 960123", postcode: "GL1 1AA" },
    )
    .await;
    assert!(other > 0);
    assert!(!traces(&app, &MARGUERITE.needles()).await.is_empty(), "the scan finds the person before erasure");

    // Subject access: everything, for admins only.
    let client = reqwest::Client::new();
    let export_path = format!("/api/v1/volunteers/{volunteer_id}/export");
    let response = client.get(app.url(&export_path)).bearer_auth(&setup.token).send().await.unwrap();
    assert_eq!(response.status(), 403, "a coordinator may not export");
    let export: Value =
        client.get(app.url(&export_path)).bearer_auth(&admin_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(export["account"]["email"], MARGUERITE.email);
    assert_eq!(export["applications"][0]["phone"], MARGUERITE.phone);
    assert_eq!(export["applications"][0]["postcode"], MARGUERITE.postcode);
    assert!(export["emails"].as_array().unwrap().iter().any(|m| m["to_email"] == MARGUERITE.email), "{export}");
    assert!(!export.to_string().contains("password_hash"));
    assert_eq!(app.audit_count("person.exported").await, 1);

    let mut browser = app.signed_in(&admin).await;
    let (_, page) = browser.open(&format!("/volunteers/{volunteer_id}")).await;
    assert!(page.contains(&format!("/admin/volunteers/{volunteer_id}/export")), "the export button");
    let download = browser.get(&format!("/admin/volunteers/{volunteer_id}/export")).await;
    assert_eq!(download.status(), 200);
    assert!(download.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let downloaded: Value = download.json().await.unwrap();
    assert_eq!(downloaded["account"]["name"], MARGUERITE.name);

    // Erasure waits until they have left.
    let erase = format!("/admin/volunteers/{volunteer_id}/erase");
    browser.post_form(&erase, &[("confirm", "yes")]).await;
    assert!(!traces(&app, &MARGUERITE.needles()).await.is_empty(), "an active volunteer is not erased");
    let today = crate::helpers::today().to_string();
    let coordinator = app.create_user(Role::Coordinator).await;
    let mut coordinator_browser = app.signed_in(&coordinator).await;
    let (_, page) = coordinator_browser.open(&format!("/volunteers/{volunteer_id}")).await;
    assert!(!page.contains("/export") && !page.contains("/erase"), "no personal-data controls for coordinators");
    let left = coordinator_browser
        .post_form(
            &format!("/volunteers/{volunteer_id}/commitment/left"),
            &[("left_on", &today), ("reason", "Moved away")],
        )
        .await;
    assert_eq!(left.status(), 303);
    let before = counts(&app, &setup).await;
    let user_id = volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.unwrap().unwrap().user_id;
    entity::calendar_token::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set("feed-token-hash".into()),
        created_at: Set(crate::helpers::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();

    let (_, page) = browser.open(&format!("/volunteers/{volunteer_id}")).await;
    assert!(page.contains(&erase), "the erase button once they have left");
    browser.post_form(&erase, &[]).await;
    assert!(!traces(&app, &MARGUERITE.needles()).await.is_empty(), "unconfirmed: nothing erased");
    let response = browser.post_form(&erase, &[("confirm", "yes")]).await;
    assert_eq!(response.status(), 303);

    let left_behind = traces(&app, &MARGUERITE.needles()).await;
    assert!(left_behind.is_empty(), "still in the database: {left_behind:?}");
    assert!(!traces(&app, &["Other Applicant".into()]).await.is_empty(), "other people are untouched");
    assert!(traces(&app, &["feed-token-hash".into()]).await.is_empty(), "the calendar feed address is retired");

    // Statistics still count them: the application, the volunteer and their status.
    assert_eq!(counts(&app, &setup).await, before);
    assert_eq!(before["accepted"], 1);
    let record = volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(record.status, VolunteerStatus::Left);
    let kept = application::Entity::find_by_id(application_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(
        (kept.status, kept.intake_id, kept.date_of_birth.to_string()),
        (ApplicationStatus::Accepted, setup.intake_id, "1980-01-01".into())
    );
    assert_eq!(app.audit_count("person.erased").await, 1);

    // Erasing again changes nothing.
    let response = browser.post_form(&erase, &[("confirm", "yes")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.audit_count("person.erased").await, 2);
}

#[tokio::test]
async fn an_unsuccessful_applicant_is_exported_and_erased() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let admin = app.create_user(Role::Admin).await;
    let token = app.token_for(&admin).await;
    let id = apply(&app, &setup, &MARGUERITE).await;
    decide(&app, &setup, id, json!({"decision": "reject", "reason": "Not this time"})).await;
    let export: Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/applications/{id}/export")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["applications"][0]["name"], MARGUERITE.name);
    assert!(export["applications"][0].get("status_token_hash").is_none());
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/applications/999999/export"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let doc: Value = reqwest::get(app.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    for path in ["/api/v1/applications/{id}/export", "/api/v1/volunteers/{id}/export"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} is documented");
    }

    let mut browser = app.signed_in(&admin).await;
    let (_, page) = browser.open(&format!("/applications/{id}")).await;
    assert!(page.contains(&format!("/admin/applications/{id}/erase")), "the erase button on the application");
    let response = browser.post_form(&format!("/admin/applications/{id}/erase"), &[("confirm", "yes")]).await;
    assert_eq!(response.status(), 303);
    let left_behind = traces(&app, &MARGUERITE.needles()).await;
    assert!(left_behind.is_empty(), "still in the database: {left_behind:?}");
    assert_eq!(counts(&app, &setup).await["rejected"], 1, "still counted");
}

async fn age_application(app: &TestApp, id: i64, status: ApplicationStatus, months: u32) {
    let mut row = application::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().into_active_model();
    row.status = Set(status);
    row.updated_at = Set(crate::helpers::now().checked_sub_months(Months::new(months)).unwrap());
    row.update(&app.db).await.unwrap();
}

#[tokio::test]
async fn retention_anonymises_old_unsuccessful_applications_and_long_gone_volunteers() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 5).await;
    let rejected = Person {
        name: "Rhiannon Oldreject",
        email: "rhiannon@example.org",
        phone: "01632 960201",
        postcode: "GL2 0AA",
    };
    let withdrawn = Person {
        name: "Wilhelmina Withdrew",
        email: "wilhelmina@example.org",
        phone: "01632 960202",
        postcode: "GL2 0AB",
    };
    let recent = Person {
        name: "Rebecca Recentreject",
        email: "rebecca@example.org",
        phone: "01632 960203",
        postcode: "GL2 0AD",
    };
    let pending =
        Person { name: "Petra Stillwaiting", email: "petra@example.org", phone: "01632 960204", postcode: "GL2 0AE" };
    let gone =
        Person { name: "Gordon Longgone", email: "gordon@example.org", phone: "01632 960205", postcode: "GL2 0AF" };
    let ids = [
        apply(&app, &setup, &rejected).await,
        apply(&app, &setup, &withdrawn).await,
        apply(&app, &setup, &recent).await,
        apply(&app, &setup, &pending).await,
    ];
    age_application(&app, ids[0], ApplicationStatus::Rejected, 7).await;
    age_application(&app, ids[1], ApplicationStatus::Withdrawn, 7).await;
    age_application(&app, ids[2], ApplicationStatus::Rejected, 5).await;
    age_application(&app, ids[3], ApplicationStatus::Submitted, 12).await;
    let gone_id = accept(&app, &setup, apply(&app, &setup, &gone).await).await;
    let mut record = volunteer::Entity::find_by_id(gone_id).one(&app.db).await.unwrap().unwrap().into_active_model();
    record.status = Set(VolunteerStatus::Left);
    record.left_on = Set(Some(crate::helpers::today().checked_sub_months(Months::new(73)).unwrap()));
    record.update(&app.db).await.unwrap();

    // The scheduler's tick runs the retention job.
    convene::jobs::tick(&app.db, &app.state.settings, &app.state.metrics, crate::helpers::now()).await;
    for person in [&rejected, &withdrawn, &gone] {
        let left_behind = traces(&app, &person.needles()).await;
        assert!(left_behind.is_empty(), "{}: {left_behind:?}", person.name);
    }
    for person in [&recent, &pending] {
        assert!(!traces(&app, &[person.email.to_owned()]).await.is_empty(), "{} is kept", person.name);
    }
    let report = convene::privacy::service::apply_retention(&app.db, crate::helpers::now()).await.unwrap();
    assert_eq!(report, Default::default(), "running again changes nothing");

    // A shorter period, set by an admin, reaches the recent rejection too.
    let admin = app.create_user(Role::Admin).await;
    let browser = app.signed_in(&admin).await;
    let mut form: Vec<(String, String)> = Vec::new();
    for setting in convene::settings::service::NUMBER_SETTINGS {
        let value = if setting.key == "retention.unsuccessful_application_months" { 4 } else { setting.default };
        form.push((setting.key.into(), value.to_string()));
    }
    for (key, _, text) in convene::settings::service::ROLE_TEXTS {
        form.push((key.into(), text.into()));
    }
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(browser.post_form("/admin/settings", &fields).await.status(), 303);
    let report = convene::privacy::service::apply_retention(&app.db, crate::helpers::now()).await.unwrap();
    assert_eq!((report.applications, report.volunteers), (1, 0));
    assert!(traces(&app, &recent.needles()).await.is_empty());
    assert!(!traces(&app, &[pending.email.to_owned()]).await.is_empty(), "an open application is never anonymised");
    assert_eq!(counts(&app, &setup).await["rejected"], 2, "statistics still count them");
}

#[tokio::test]
async fn retention_waits_while_the_same_person_has_an_application_still_open() {
    let app = TestApp::spawn().await;
    let spring = open_intake(&app, 3).await;
    let autumn = open_intake(&app, 3).await;
    let old = apply(&app, &spring, &MARGUERITE).await;
    let again = apply(&app, &autumn, &MARGUERITE).await;
    age_application(&app, old, ApplicationStatus::Rejected, 7).await;
    let report = convene::privacy::service::apply_retention(&app.db, crate::helpers::now()).await.unwrap();
    assert_eq!(report.applications, 0, "the open application still needs their details");
    let kept = application::Entity::find_by_id(old).one(&app.db).await.unwrap().unwrap();
    assert_eq!(kept.email, MARGUERITE.email);

    age_application(&app, again, ApplicationStatus::Withdrawn, 7).await;
    let report = convene::privacy::service::apply_retention(&app.db, crate::helpers::now()).await.unwrap();
    assert_eq!(report.applications, 1, "one person, both applications");
    let left_behind = traces(&app, &MARGUERITE.needles()).await;
    assert!(left_behind.is_empty(), "still in the database: {left_behind:?}");
}
