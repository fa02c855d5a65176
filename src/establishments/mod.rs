//! Establishments: the prisons, probation offices and community venues conferences are held
//! at, with their weekly regimes and closures — pages, API and service in one room.

pub mod api;
pub mod input;
pub mod pages;
pub mod service;
pub mod week_form;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/establishments", get(pages::establishments_list).post(pages::establishments_create))
        .route("/establishments/{id}", get(pages::show))
        .route("/establishments/{id}/details", get(pages::details_form).post(pages::save_details))
        .route("/establishments/{id}/regime", post(pages::save_regime))
        .route("/establishments/{id}/closures", post(pages::add_closure))
        .route("/establishments/{id}/closures/{closure_id}/remove", post(pages::remove_closure))
}

/// The JSON API of this part, each route declared with its OpenAPI operation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get, api::update))
        .routes(routes!(api::regime, api::set_regime))
        .routes(routes!(api::closures, api::add_closure))
}
