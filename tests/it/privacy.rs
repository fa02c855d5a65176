//! UK GDPR: subject access exports, erasure that leaves no trace of the person while the
//! statistics still count them, and the retention job.

use chrono::Months;
use entity::application::{self, ApplicationStatus};
use entity::user::Role;
use entity::volunteer::{self, VolunteerStatus};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, Set, Statement,
};
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
    let response = app.api(&setup.token).post(&format!("/api/v1/applications/{id}/decision"), &body).await;
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
    let list: Value = app.api(&setup.token).get("/api/v1/applications").await.json().await.unwrap();
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
    let export_path = format!("/api/v1/volunteers/{volunteer_id}/export");
    let response = app.api(&setup.token).get(&export_path).await;
    assert_eq!(response.status(), 403, "a coordinator may not export");
    let export: Value = app.api(&admin_token).get(&export_path).await.json().await.unwrap();
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
    let export: Value = app.api(&token).get(&format!("/api/v1/applications/{id}/export")).await.json().await.unwrap();
    assert_eq!(export["applications"][0]["name"], MARGUERITE.name);
    assert!(export["applications"][0].get("status_token_hash").is_none());
    let response = app.api(&token).get("/api/v1/applications/999999/export").await;
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
    let then = crate::helpers::now().checked_sub_months(Months::new(months)).unwrap();
    row.status = Set(status);
    row.updated_at = Set(then);
    // As the service records a decision: retention counts from it.
    let decided = matches!(status, ApplicationStatus::Rejected | ApplicationStatus::Withdrawn);
    row.decided_at = Set(decided.then_some(then));
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
    let report =
        convene::privacy::service::apply_retention(&app.db, &app.files_dir, crate::helpers::now()).await.unwrap();
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
    let report =
        convene::privacy::service::apply_retention(&app.db, &app.files_dir, crate::helpers::now()).await.unwrap();
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
    let report =
        convene::privacy::service::apply_retention(&app.db, &app.files_dir, crate::helpers::now()).await.unwrap();
    assert_eq!(report.applications, 0, "the open application still needs their details");
    let kept = application::Entity::find_by_id(old).one(&app.db).await.unwrap().unwrap();
    assert_eq!(kept.email, MARGUERITE.email);

    age_application(&app, again, ApplicationStatus::Withdrawn, 7).await;
    let report =
        convene::privacy::service::apply_retention(&app.db, &app.files_dir, crate::helpers::now()).await.unwrap();
    assert_eq!(report.applications, 1, "one person, both applications");
    let left_behind = traces(&app, &MARGUERITE.needles()).await;
    assert!(left_behind.is_empty(), "still in the database: {left_behind:?}");
}

/// A receipt file on disk with its row, on a claim of `volunteer_id`; returns the file name.
async fn receipt_on_disk(app: &TestApp, volunteer_id: i64, uploaded_by: i64) -> String {
    use entity::{expense_claim, expense_receipt};
    let now = crate::helpers::now();
    let claim = expense_claim::ActiveModel {
        volunteer_id: Set(volunteer_id),
        purpose: Set("Travel to HMP Gloucester".into()),
        status: Set(expense_claim::ExpenseStatus::Draft),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let stored_name = format!("receipt-{volunteer_id}-{}.pdf", claim.id);
    std::fs::create_dir_all(&app.files_dir).unwrap();
    std::fs::write(app.files_dir.join(&stored_name), b"%PDF-1.4 a train ticket in their name").unwrap();
    expense_receipt::ActiveModel {
        claim_id: Set(claim.id),
        stored_name: Set(stored_name.clone()),
        display_name: Set("ticket.pdf".into()),
        content_type: Set("application/pdf".into()),
        size_bytes: Set(36),
        uploaded_by_user_id: Set(uploaded_by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    stored_name
}

#[tokio::test]
async fn the_erasure_api_deletes_the_volunteers_receipt_files_from_disk() {
    let app = TestApp::spawn().await;
    let setup = open_intake(&app, 3).await;
    let admin = app.create_user(Role::Admin).await;
    let admin_token = app.token_for(&admin).await;
    let leaving =
        Person { name: "Ottoline Leaver", email: "ottoline@example.org", phone: "01632 960777", postcode: "GL4 6AA" };
    let staying =
        Person { name: "Perpetua Stayer", email: "perpetua@example.org", phone: "01632 960778", postcode: "GL4 6AB" };
    let leaving_id = accept(&app, &setup, apply(&app, &setup, &leaving).await).await;
    let staying_id = accept(&app, &setup, apply(&app, &setup, &staying).await).await;
    let user_of = |id: i64| {
        let db = app.db.clone();
        async move { volunteer::Entity::find_by_id(id).one(&db).await.unwrap().unwrap().user_id }
    };
    let theirs = receipt_on_disk(&app, leaving_id, user_of(leaving_id).await).await;
    let kept = receipt_on_disk(&app, staying_id, user_of(staying_id).await).await;

    let client = reqwest::Client::new();
    let erasure = |id: i64, token: &str| {
        client.post(app.url(&format!("/api/v1/volunteers/{id}/erasure"))).bearer_auth(token.to_owned()).send()
    };
    assert_eq!(erasure(leaving_id, &setup.token).await.unwrap().status(), 403, "coordinators cannot erase");
    assert_eq!(erasure(999_999, &admin_token).await.unwrap().status(), 404);
    let response = erasure(leaving_id, &admin_token).await.unwrap();
    assert_eq!(response.status(), 409, "still volunteering");
    assert_eq!(crate::helpers::error_code(response).await, "conflict");
    assert!(app.files_dir.join(&theirs).exists(), "a refused erasure deletes nothing");

    let mut record = volunteer::Entity::find_by_id(leaving_id).one(&app.db).await.unwrap().unwrap().into_active_model();
    record.status = Set(VolunteerStatus::Left);
    record.left_on = Set(Some(crate::helpers::today()));
    record.update(&app.db).await.unwrap();
    let response = erasure(leaving_id, &admin_token).await.unwrap();
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!((report["fresh"].as_bool(), report["receipts"].as_u64()), (Some(true), Some(1)), "{report}");
    assert!(!app.files_dir.join(&theirs).exists(), "the receipt's file is gone from disk");
    assert!(app.files_dir.join(&kept).exists(), "another volunteer's receipt stays");
    assert!(traces(&app, &leaving.needles()).await.is_empty());

    let row = entity::expense_receipt::Entity::find().all(&app.db).await.unwrap();
    let erased = row.iter().find(|r| r.stored_name == theirs).expect("the receipt's row stays with the claim");
    assert_eq!(erased.display_name, convene::privacy::service::ERASED_RECEIPT);
    let claim = erased.claim_id;
    let download = app.api(&setup.token).get(&format!("/api/v1/expenses/{claim}/receipts/{}", erased.id)).await;
    assert_eq!(download.status(), 404, "an erased receipt is not found, not an error");

    let again: Value = erasure(leaving_id, &admin_token).await.unwrap().json().await.unwrap();
    assert_eq!(again["fresh"], false, "erasing again changes nothing");
}

#[tokio::test]
async fn retention_anonymises_the_parties_to_cases_closed_long_ago_counting_from_the_closure() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let prison = crate::checks::establishment(&app, "HMP Gloucester", true).await;
    let mut cases = Vec::new();
    for (party, notes) in [("Bartholomew Oldcase", "Spoke to Bartholomew Oldcase's sister"), ("Cressida Newcase", "")] {
        let created: Value = crate::scenario::new_case(&app, &token, prison).await;
        let id = created["id"].as_i64().unwrap();
        let response = app
            .api(&token)
            .post(
                &format!("/api/v1/cases/{id}/parties"),
                &json!({"role": "harmed", "name": party, "email": "party@example.org", "consent": "pending"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        let response = app
            .api(&token)
            .patch(
                &format!("/api/v1/cases/{id}"),
                &json!({"status": "not_proceeding", "not_proceeding_reason": "declined", "notes": notes}),
            )
            .await;
        assert_eq!(response.status(), 200);
        cases.push(id);
    }
    let closed = entity::case::Entity::find_by_id(cases[0]).one(&app.db).await.unwrap().unwrap();
    assert!(closed.closed_at.is_some(), "the closure is dated when it happens");
    // The old case closed 25 months ago, though edited since (its last update is today).
    let long_ago = crate::helpers::now().checked_sub_months(Months::new(25)).unwrap();
    entity::case::Entity::update_many()
        .col_expr(entity::case::Column::ClosedAt, sea_orm::sea_query::Expr::value(Some(long_ago)))
        .filter(sea_orm::ColumnTrait::eq(&entity::case::Column::Id, cases[0]))
        .exec(&app.db)
        .await
        .unwrap();

    let report =
        convene::privacy::service::apply_retention(&app.db, &app.files_dir, crate::helpers::now()).await.unwrap();
    assert_eq!(report.cases, 1);
    assert!(traces(&app, &["Bartholomew Oldcase".into()]).await.is_empty(), "the old case's party is anonymised");
    assert!(!traces(&app, &["Cressida Newcase".into()]).await.is_empty(), "a recent closure keeps its parties");
    let kept = entity::case::Entity::find_by_id(cases[0]).one(&app.db).await.unwrap().unwrap();
    assert_eq!(
        (kept.status, kept.not_proceeding_reason.as_deref()),
        (closed.status, Some("declined")),
        "for the reports"
    );
    assert_eq!(kept.notes, "", "free text about the case goes too");
    let report =
        convene::privacy::service::apply_retention(&app.db, &app.files_dir, crate::helpers::now()).await.unwrap();
    assert_eq!(report, Default::default(), "running again changes nothing");
}
