//! Volunteers: the list coordinators work from, and each volunteer's own record.

pub mod api;
pub mod dashboard;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post};

use crate::startup::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/volunteers", get(pages::list))
        .route("/volunteers/{id}", get(pages::show))
        .route("/volunteers/{id}/commitment/extend", post(pages::extend))
        .route("/volunteers/{id}/commitment/pause", post(pages::pause))
        .route("/volunteers/{id}/commitment/resume", post(pages::resume))
        .route("/volunteers/{id}/commitment/left", post(pages::left))
        .route("/volunteers/{id}/lead-sign-off", post(pages::lead_sign_off))
        .route("/api/v1/volunteers", get(api::list))
        .route("/api/v1/volunteers/{id}", get(api::get))
}
