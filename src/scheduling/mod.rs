//! Scheduling: volunteers' availability, the candidate search, and the matcher adapter
//! (`instance`: the planning instance a case and its candidates make). The matcher is its own crate (`matcher/`): pure, plain data in and
//! out, so it is tested and benchmarked alone, optimised even in test builds, and shared by
//! `convene plan` and the service.

pub mod api;
pub mod availability;
pub mod availability_pages;
pub mod candidates;
pub mod instance;

pub use convene_matcher::matcher;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/availability", get(availability_pages::my_page).post(availability_pages::my_save))
        .route("/me/availability/unavailable", axum::routing::post(availability_pages::my_unavailable))
        .route("/me/availability/conflicts", axum::routing::post(availability_pages::my_conflict))
        .route(
            "/me/availability/unavailable/{span_id}/remove",
            axum::routing::post(availability_pages::my_remove_unavailable),
        )
        .route(
            "/volunteers/{id}/availability/unavailable/{span_id}/remove",
            axum::routing::post(availability_pages::volunteer_remove_unavailable),
        )
        .route(
            "/volunteers/{id}/availability",
            get(availability_pages::volunteer_page).post(availability_pages::volunteer_save),
        )
        .route(
            "/volunteers/{id}/availability/unavailable",
            axum::routing::post(availability_pages::volunteer_unavailable),
        )
        .route("/volunteers/{id}/availability/conflicts", axum::routing::post(availability_pages::volunteer_conflict))
}

/// The JSON API of this part, each route declared with its OpenAPI operation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::availability, api::set_availability))
        .routes(routes!(api::declare_conflict))
        .routes(routes!(api::unavailability, api::add_unavailability))
}
