//! Volunteers: the list coordinators work from, and each volunteer's own record.

pub mod api;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::get;

use crate::startup::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/volunteers", get(pages::list))
        .route("/api/v1/volunteers", get(api::list))
        .route("/api/v1/volunteers/{id}", get(api::get))
}
