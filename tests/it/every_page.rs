//! Every page of the demo, for a visitor and for each role, in headless Chromium at 390×844:
//! axe-core reports no serious or critical violation and no page scrolls sideways.

use entity::Code;
use serde_json::json;

use crate::helpers::{TestApp, browser_script};

#[tokio::test]
async fn every_demo_page_for_every_role_passes_axe_and_fits_a_phone() {
    let app = TestApp::spawn().await;
    let logins = app.load_demo().await;
    let logins: Vec<_> = logins
        .iter()
        .map(|login| json!({"role": login.role.code(), "email": login.email, "password": login.password}))
        .collect();
    let args = json!({"base": app.url(""), "logins": logins}).to_string();
    let shots: Vec<_> = std::env::var("PAGES_SHOTS").map(|dir| ("PAGES_SHOTS", dir)).into_iter().collect();
    let report = browser_script("pages.mjs", vec![args], shots).await;

    let visited = |role: &str| report["visited"][role].as_array().map_or(0, Vec::len);
    // Enough pages that a crawl stopped at a broken sign-in or home page cannot pass.
    for (role, at_least) in [("visitor", 4), ("admin", 10), ("coordinator", 20), ("volunteer", 6)] {
        assert!(visited(role) >= at_least, "{role} reached {} pages: {}", visited(role), report["visited"][role]);
    }
    let problems: Vec<_> = report["problems"].as_array().unwrap().iter().filter_map(|p| p.as_str()).collect();
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
