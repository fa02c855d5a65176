//! What requests cost in database statements, counted with sea-orm's metric callback on the
//! served app's connection.

use std::sync::atomic::Ordering;

use convene::demo::{self, Outcome};
use entity::user::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{Browser, TestApp};

/// Statements the app sent while answering one GET (which must succeed).
async fn statements_for(app: &TestApp, browser: &Browser, path: &str) -> usize {
    let before = app.statements.load(Ordering::SeqCst);
    let response = browser.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.bytes().await.unwrap();
    app.statements.load(Ordering::SeqCst) - before
}

#[tokio::test]
async fn a_kept_calendar_feed_costs_one_statement_fresh_or_revalidated() {
    let app = TestApp::spawn().await;
    let base = url::Url::parse(&app.url("/")).unwrap();
    let Outcome::Loaded(logins) = demo::load(&app.db, &base).await.expect("the demo loads") else {
        panic!("a fresh database is empty");
    };
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
