//! Volunteers: the record and its lookups, and the API over them. The pages that gather a
//! volunteer's whole record from several domains are in `portal`.

pub mod api;
pub mod service;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The JSON API of this part, each route declared with its OpenAPI operation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::list)).routes(routes!(api::get, api::update))
}
