//! One-to-one supervision (due every N weeks, confidential notes) and group volunteer
//! meetings with case discussion.

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
        .route("/volunteers/{id}/supervision", post(pages::add_supervision))
        .route("/meetings", get(pages::meetings).post(pages::create_meeting))
        .route("/meetings/{id}", get(pages::meeting).post(pages::change_meeting))
        .route("/meetings/{id}/cancel", post(pages::cancel_meeting))
        .route("/supervision/{id}", post(pages::change_supervision))
        .route("/meetings/{id}/attendance", post(pages::meeting_attendance))
}

/// The JSON API of this part, each route declared with its OpenAPI operation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::list, api::add))
}
