//! Training courses and their numbered sessions, and enrolment on them. (Attendance and
//! completion of core training build on this.)

pub mod api;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/courses", get(pages::list).post(pages::create))
        .route("/courses/{id}", get(pages::show))
        .route("/courses/{id}/sessions", post(pages::add_session))
        .route("/sessions/{id}", get(pages::register).post(pages::change_session))
        .route("/sessions/{id}/cancel", post(pages::cancel_session))
        .route("/sessions/{id}/attendance", post(pages::save_register))
}

/// The JSON API of this part, each route declared with its OpenAPI operation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::attendance))
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::sessions, api::add_session))
}
