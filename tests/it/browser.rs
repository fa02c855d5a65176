//! Headless Chromium (Debian's chromium, driven by playwright-core) fills in the public
//! application form by its labels, without JavaScript, and sees the confirmation.

use std::path::Path;
use std::process::Command;

use entity::application;
use sea_orm::EntityTrait;

use crate::helpers::TestApp;
use crate::recruitment::open_intake;

#[tokio::test]
async fn a_phone_without_javascript_applies_through_the_public_form() {
    let script_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        script_dir.join("node_modules/playwright-core").exists() && Path::new("/usr/bin/chromium").exists(),
        "the browser test needs Debian's chromium and tests/browser/node_modules: run .ci/test-tools first"
    );
    let app = TestApp::spawn().await;
    open_intake(&app, 3).await;
    let screenshot = std::env::temp_dir().join(format!("convene-apply-{}.png", std::process::id()));
    let address = app.url("");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg("apply.mjs").arg(&address).arg(&screenshot).current_dir(&script_dir).output()
    })
    .await
    .unwrap()
    .expect("run node");
    assert!(
        output.status.success(),
        "browser run failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let stored = application::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].email, "rhys@example.org");
    assert_eq!(stored[0].postcode, "CF10 1EP");
    assert!(stored[0].can_attend_all_dates && stored[0].willing_to_use_it);
}
