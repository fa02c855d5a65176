//! The web shell: layout and shared components, CSRF, flash messages, error pages,
//! security headers, health, the JSON extractor, who is asking, and static assets compiled
//! into the binary.

pub mod assets;
pub mod components;
pub mod csrf;
pub mod csv;
pub mod errors;
pub mod flash;
pub mod headers;
pub mod health;
pub mod identity;
pub mod json;
pub mod layout;
pub mod links;
pub mod metrics;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use axum_extra::extract::cookie::Cookie;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/app.css", get(assets::stylesheet)).route("/static/favicon.svg", get(assets::favicon))
}

pub fn append_cookie(response: &mut Response, cookie: &Cookie<'_>) {
    if let Ok(value) = HeaderValue::from_str(&cookie.encoded().to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}
