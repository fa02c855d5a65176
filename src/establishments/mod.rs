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

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/establishments", get(pages::establishments_list).post(pages::establishments_create))
        .route("/establishments/{id}", get(pages::show))
        .route("/establishments/{id}/regime", post(pages::save_regime))
        .route("/establishments/{id}/closures", post(pages::add_closure))
        .route("/api/v1/establishments", get(api::list).post(api::create))
        .route("/api/v1/establishments/{id}", get(api::get).patch(api::update))
        .route("/api/v1/establishments/{id}/regime", get(api::regime).put(api::set_regime))
        .route("/api/v1/establishments/{id}/closures", get(api::closures).post(api::add_closure))
}
