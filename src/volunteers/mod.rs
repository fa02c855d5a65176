//! Volunteers: the record and its lookups, and the API over them. The pages that gather a
//! volunteer's whole record from several domains are in `portal`.

pub mod api;
pub mod service;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/volunteers", get(api::list)).route("/api/v1/volunteers/{id}", get(api::get))
}
