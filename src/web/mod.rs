//! The web shell: layout and shared components, CSRF, flash messages, error pages,
//! security headers and static assets compiled into the binary.

pub mod assets;
pub mod components;
pub mod csrf;
pub mod errors;
pub mod flash;
pub mod headers;
pub mod home;
pub mod layout;
pub mod proxies;

use axum::Router;
use axum::routing::get;

use crate::startup::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/static/app.css", get(assets::stylesheet))
        .route("/static/favicon.svg", get(assets::favicon))
}
