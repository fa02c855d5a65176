//! `X-Forwarded-For` is believed only from the reverse proxies in `CONVENE_TRUSTED_PROXIES`:
//! for audit addresses (the same address throttling and rate limits read) and `/metrics`.

use entity::audit_log;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::helpers::TestApp;

/// Sends an unknown API token with the given X-Forwarded-For; returns the audited address.
async fn audited_address(app: &TestApp, forwarded_for: &str) -> Option<String> {
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/cases"))
        .bearer_auth("not-a-token")
        .header("X-Forwarded-For", forwarded_for)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    let newest = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("auth.token_rejected"))
        .order_by_desc(audit_log::Column::Id)
        .one(&app.db)
        .await
        .expect("audit rows");
    newest.and_then(|row| row.ip)
}

async fn metrics_status(app: &TestApp, forwarded_for: &str) -> u16 {
    let response =
        reqwest::Client::new().get(app.url("/metrics")).header("X-Forwarded-For", forwarded_for).send().await;
    response.expect("request").status().as_u16()
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = TestApp::builder()
        .configure(|settings| {
            settings.metrics.allow =
                convene::config::metrics_access::parse_allow_list("203.0.113.0/24").expect("ranges");
        })
        .spawn()
        .await;
    assert_eq!(audited_address(&app, "203.0.113.9").await.as_deref(), Some("127.0.0.1"));
    assert_eq!(metrics_status(&app, "203.0.113.9").await, 404, "a header does not open /metrics");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_clients() {
    let app = TestApp::builder()
        .configure(|settings| {
            settings.trusted_proxies = convene::config::proxies::TrustedProxies::parse("127.0.0.1/32").expect("ranges");
            settings.metrics.allow =
                convene::config::metrics_access::parse_allow_list("203.0.113.0/24").expect("ranges");
        })
        .spawn()
        .await;
    assert_eq!(audited_address(&app, "203.0.113.9").await.as_deref(), Some("203.0.113.9"));
    // What a client wrote on the left of the proxy's entry does not count.
    assert_eq!(audited_address(&app, "198.51.100.1, 203.0.113.10").await.as_deref(), Some("203.0.113.10"));
    assert_eq!(metrics_status(&app, "203.0.113.9").await, 200, "the client is in the allowed range");
    assert_eq!(metrics_status(&app, "198.51.100.1").await, 404, "and this one is not");
}
