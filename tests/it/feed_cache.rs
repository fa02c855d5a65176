//! Feeds served from each instance's memory: the kept bytes and ETag are right after any
//! change, made through either of two instances on one database or straight in the database.

use entity::user::Role;
use entity::volunteer::FacilitationLevel;
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::scenario::{a_tuesday, book, facilitator, prison, ready_case};

async fn get(app: &TestApp, path: &str, etag: Option<&str>) -> (u16, String, String) {
    let mut request = reqwest::Client::new().get(app.url(path));
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, etag, response.text().await.unwrap())
}

async fn rotate(app: &TestApp, token: &str) -> String {
    let response =
        reqwest::Client::new().post(app.url("/api/v1/me/calendar-token")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["url"].as_str().unwrap().strip_prefix("http://127.0.0.1").unwrap().to_owned()
}

#[tokio::test]
async fn two_instances_serve_each_others_changes_from_their_kept_feeds() {
    let a = TestApp::spawn().await;
    let b = TestApp::builder().on(&a.database_url, None).spawn().await;
    let coordinator = a.create_user(Role::Coordinator).await;
    let token = a.token_for(&coordinator).await;
    let place = prison(&a, &token).await;
    let lead = facilitator(&a, place, FacilitationLevel::Lead).await;
    let co = facilitator(&a, place, FacilitationLevel::CoFacilitator).await;
    let case = ready_case(&a, &token, place).await;
    let booked = book(&a, &token, case, &format!("{}T10:00", a_tuesday()), lead, co).await;
    assert_eq!(booked.status(), 201);
    let conference: Value = booked.json().await.unwrap();
    let id = conference["id"].as_i64().or_else(|| conference["conference"]["id"].as_i64()).unwrap();
    let uid = entity::conference::Entity::find_by_id(id).one(&a.db).await.unwrap().unwrap().uid;
    let lead_user = entity::volunteer::Entity::find_by_id(lead).one(&a.db).await.unwrap().unwrap().user_id;
    let lead_token = convene::auth::service::create_api_token(&a.db, lead_user).await.unwrap();
    let path = rotate(&a, &lead_token).await;

    // Built once, then the same bytes and ETag from either instance.
    let (status, etag, first) = get(&a, &path, None).await;
    assert_eq!(status, 200);
    assert!(first.contains(&format!("UID:{uid}\r\n")) && first.contains("STATUS:TENTATIVE"));
    assert_eq!(get(&a, &path, None).await, (200, etag.clone(), first.clone()));
    assert_eq!(get(&b, &path, None).await, (200, etag.clone(), first.clone()), "the other instance agrees");
    assert_eq!(get(&a, &path, Some(&etag)).await.0, 304);

    // A change through B shows at once on A, which had the feed kept.
    let response = b.api(&token).patch(&format!("/api/v1/conferences/{id}"), &json!({"status": "cancelled"})).await;
    assert_eq!(response.status(), 200);
    let (status, changed, body) = get(&a, &path, Some(&etag)).await;
    assert_eq!(status, 200, "the old ETag no longer matches");
    assert_ne!(changed, etag);
    assert!(body.contains("STATUS:CANCELLED"), "{body}");
    assert_eq!(get(&b, &path, Some(&changed)).await.0, 304, "both instances give the new ETag");

    // A change made in the database itself (no service code) is seen too.
    let backend = a.db.get_database_backend();
    a.db.execute_raw(Statement::from_string(backend, "UPDATE establishments SET name = 'HMP Renamed Example'"))
        .await
        .unwrap();
    let (_, renamed, body) = get(&a, &path, None).await;
    assert_ne!(renamed, changed);
    assert!(body.contains("HMP Renamed Example"), "{body}");

    // A rotated token is dead at once on the instance that kept its feed.
    let new_path = rotate(&b, &lead_token).await;
    assert_eq!(get(&a, &path, None).await.0, 404);
    assert_eq!(get(&a, &new_path, None).await.0, 200);
}

#[tokio::test]
async fn every_table_a_feed_shows_has_its_version_trigger() {
    let app = TestApp::spawn().await;
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT DISTINCT c.relname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
             WHERE t.tgname LIKE 'feed_version_%'"
        }
        _ => {
            "SELECT DISTINCT tbl_name AS name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'feed_version_%'"
        }
    };
    let rows = app.db.query_all_raw(Statement::from_string(backend, sql)).await.unwrap();
    let mut tables: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "name").unwrap()).collect();
    tables.sort();
    let mut expected = vec![
        "conference_facilitators",
        "conferences",
        "course_sessions",
        "courses",
        "enrolments",
        "establishments",
        "intakes",
        "meeting_attendance",
        "supervision_sessions",
        "cases",
        "volunteer_meetings",
        "volunteers",
    ];
    expected.sort();
    assert_eq!(tables, expected);
}
