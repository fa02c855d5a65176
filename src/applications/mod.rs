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
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
}

/// The JSON API of this part, each route declared with its OpenAPI operation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::submit))
        .routes(routes!(api::get))
        .routes(routes!(api::decide))
        .routes(routes!(api::intakes_list, api::intakes_create))
}
