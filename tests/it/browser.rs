//! Headless Chromium (Debian's chromium, driven by playwright-core) fills in the public
//! application form by its labels, without JavaScript, and sees the confirmation.

use entity::application;
use sea_orm::EntityTrait;

use crate::helpers::{TestApp, browser_script};
use crate::recruitment::open_intake;

#[tokio::test]
async fn a_phone_without_javascript_applies_through_the_public_form() {
    let app = TestApp::spawn().await;
    open_intake(&app, 3).await;
    let screenshot = std::env::temp_dir().join(format!("convene-apply-{}.png", std::process::id()));
    let address = app.url("");
    let shown = browser_script("apply.mjs", vec![address, screenshot.display().to_string()], Vec::new()).await;
    assert_eq!(shown["confirmation"], true, "the confirmation page");
    let stored = application::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].email, "rhys@example.org");
    assert_eq!(stored[0].postcode, "CF10 1EP");
    assert!(stored[0].can_attend_all_dates && stored[0].willing_to_use_it);
}
