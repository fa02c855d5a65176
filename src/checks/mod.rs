//! Background checks: DBS checks and prison vetting per volunteer, the establishments that
//! vet them, the renewal overview, and whether a volunteer is cleared on a date.

pub mod api;
pub mod clearance;
pub mod input;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/checks", get(pages::overview))
        .route("/volunteers/{id}/checks", get(pages::volunteer_checks))
        .route("/volunteers/{id}/checks/dbs", post(pages::record_dbs))
        .route("/volunteers/{id}/checks/vetting", post(pages::record_vetting))
}

/// The JSON API of this part, each route declared with its OpenAPI operation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::list, api::record))
}
