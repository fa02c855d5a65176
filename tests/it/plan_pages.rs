//! The batch-planning page: a preview of the joint plan (nothing booked), then the chosen
//! proposals booked with every check a single booking has.

use entity::case::{self, CaseStatus};
use entity::user::Role;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::helpers::TestApp;
use crate::scenario::ready_case;

fn proposals(page: &str) -> Vec<(String, String)> {
    let document = scraper::Html::parse_document(page);
    let boxes = scraper::Selector::parse(r#"form[action="/plan"] input[type="checkbox"]"#).unwrap();
    document
        .select(&boxes)
        .map(|input| (input.attr("name").unwrap().to_owned(), input.attr("value").unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn a_coordinator_previews_the_plan_books_the_chosen_cases_and_is_told_what_could_not_be_booked() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().ready_case().build().await;
    let second = ready_case(&app, &world.token, world.prison).await;
    let mut coordinator = app.signed_in(&world.coordinator).await;

    let (status, page) = coordinator.open("/plan").await;
    assert_eq!(status, 200);
    let offered = proposals(&page);
    assert_eq!(offered.len(), 2, "both ready cases are proposed: {page}");
    assert_eq!(entity::conference::Entity::find().count(&app.db).await.unwrap(), 0, "a preview books nothing");

    let first = &offered[0];
    let booked = coordinator.post_form("/plan", &[(first.0.as_str(), first.1.as_str())]).await;
    assert_eq!(booked.status(), 200);
    let result = booked.text().await.unwrap();
    assert!(result.contains("1 conference booked"), "{result}");
    assert_eq!(entity::conference::Entity::find().count(&app.db).await.unwrap(), 1, "only the chosen one");
    let statuses: Vec<CaseStatus> =
        case::Entity::find().all(&app.db).await.unwrap().into_iter().map(|c| c.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == CaseStatus::Booked).count(), 1);
    assert_eq!(statuses.iter().filter(|s| **s == CaseStatus::Ready).count(), 1, "the other case is still ready");

    let again = coordinator.post_form("/plan", &[(first.0.as_str(), first.1.as_str())]).await;
    let result = again.text().await.unwrap();
    assert!(result.contains("Could not be booked") && result.contains("Nothing was booked"), "{result}");
    assert_eq!(entity::conference::Entity::find().count(&app.db).await.unwrap(), 1, "no double booking");

    let (_, page) = coordinator.open("/plan").await;
    let left = proposals(&page);
    assert_eq!(left.len(), 1, "the case still ready is proposed again");
    let still_ready =
        case::Entity::find().all(&app.db).await.unwrap().into_iter().find(|c| c.status == CaseStatus::Ready);
    let still_ready = still_ready.expect("one case still ready").id;
    assert!([world.case(), second].contains(&still_ready));
    assert!(left[0].1.starts_with(&format!("{still_ready}|")), "the proposal is for that case: {}", left[0].1);
    let ignored = coordinator.post_form("/plan", &[("book_0", "not a proposal")]).await;
    assert!(ignored.text().await.unwrap().contains("Nothing was booked"));

    let volunteer = app.create_user(Role::Volunteer).await;
    let mut outsider = app.signed_in(&volunteer).await;
    assert_ne!(outsider.open("/plan").await.0, 200, "coordinators only");
    let refused = outsider.post_form("/plan", &[(left[0].0.as_str(), left[0].1.as_str())]).await;
    assert_ne!(refused.status(), 200);
    assert_eq!(entity::conference::Entity::find().count(&app.db).await.unwrap(), 1);
}
