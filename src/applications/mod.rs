//! Recruitment: the online application, intakes with limited places, and the review
//! pipeline that ends in a new volunteer.

pub mod api;
pub mod csv;
pub mod input;
pub mod intakes;
pub mod pages;
pub mod pipeline;
pub mod service;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/volunteer", get(pages::volunteer_with_us))
        .route("/apply", get(pages::apply_form).post(pages::apply))
        .route("/applications/status/{token}", get(pages::status))
        .route("/applications/status/{token}/withdraw", post(pages::withdraw))
        .route("/intakes", get(pages::intakes_list).post(pages::intakes_create))
        .route("/applications", get(pages::queue))
        .route("/applications.csv", get(pages::export_csv))
        .route("/applications/{id}", get(pages::show))
        .route("/applications/{id}/decision", post(pages::decide))
        .route("/applications/{id}/notes", post(pages::add_note))
        .route("/api/v1/applications", get(api::list).post(api::submit))
        .route("/api/v1/applications/{id}", get(api::get))
        .route("/api/v1/applications/{id}/decision", post(api::decide))
        .route("/api/v1/intakes", get(api::intakes_list).post(api::intakes_create))
}
